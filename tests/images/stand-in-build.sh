# Sourced by build-offline-images.sh and reference-images.sh: how an offline stand-in image is built, in one
# place. The sourcing script sets `work` (the scratch folder) and `log_tag` (its progress prefix) first.
#
#   if needs_build "$IMAGE" name-context "what takes time"; then
#     cat >"$build_dir/Dockerfile" <<EOF ... EOF      # and any file the Dockerfile copies
#     build_stand_in "$IMAGE"
#   fi
STAND_IN_LABEL=io.dind-doctor.image=offline-stand-in  # what `docker image ls --filter label=...` finds

log() { printf '[%s] %s\n' "${log_tag:-images}" "$*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# needs_build IMAGE FOLDER [WHAT]: false when IMAGE is present already (idempotent runs build nothing);
# else says it builds IMAGE (and WHAT takes the time) and sets build_dir to an empty $work/FOLDER.
needs_build() {
  have_image "$1" && return 1
  log "building $1${3:+ ($3)}"
  build_dir="$work/$2"
  rm -rf "$build_dir" && mkdir -p "$build_dir" || { log "cannot prepare $build_dir"; exit 1; }
}

# build_stand_in IMAGE: builds $build_dir's Dockerfile as IMAGE, labelled as a stand-in.
build_stand_in() { docker build -q --label "$STAND_IN_LABEL" -t "$1" "$build_dir" >/dev/null; }

# import_stand_in IMAGE [--change ...]: a root file system folder ($build_dir) imported as IMAGE, labelled.
import_stand_in() {
  local image="$1"
  shift
  tar -C "$build_dir" -c . | docker import --change "LABEL $STAND_IN_LABEL" "$@" - "$image" >/dev/null
}
