# Sourced by build-offline-images.sh and scripts/quickstart.sh: whether the engine reaches a registry that
# serves the REAL public images. serve-mirror.sh's mirror serves stand-ins (their label says so), which
# count as no registry; DIND_DOCTOR_OFFLINE_ONLY=1 skips the question (serve-mirror.sh builds on the
# offline images). Pulls busybox:latest as a side effect when it can.
real_registry() {
  [ "${DIND_DOCTOR_OFFLINE_ONLY:-}" != 1 ] && docker pull -q busybox:latest >/dev/null 2>&1 &&
    [ -z "$(docker image inspect -f '{{index .Config.Labels "io.dind-doctor.stands-in-for"}}' busybox:latest)" ]
}
