#!/usr/bin/env bash
# Offline stand-ins for the two servers of `dind-doctor run-reference`'s embedded default, built from
# Debian's and PyPI's packages (this machine reaches no registry):
#   dind-doctor/postgres:15-bookworm  Debian's PostgreSQL 15, with an entry point honouring POSTGRES_USER,
#                                     POSTGRES_PASSWORD and POSTGRES_DB like the official postgres image
#   dind-doctor/s3:moto               moto's S3-compatible server (`moto_server`), port 9000
# Called by build-offline-images.sh with PYTHON_IMAGE (the base) and WORK (a scratch folder). Prints the
# `export` lines on stdout, progress on stderr. Idempotent: an image already present is kept.
set -euo pipefail

: "${PYTHON_IMAGE:?PYTHON_IMAGE (the Debian + Python base image) must be set}"
work="${WORK:-/var/tmp/dind-doctor-images}"
log_tag=reference-images
# shellcheck source=stand-in-build.sh
. "$(cd "$(dirname "$0")" && pwd)/stand-in-build.sh"

POSTGRES_IMAGE=dind-doctor/postgres:15-bookworm
S3_IMAGE=dind-doctor/s3:moto

if needs_build "$POSTGRES_IMAGE" postgres-context "apt-get install postgresql"; then
  cat >"$build_dir/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# Like the official postgres image: on an empty data folder, create the cluster with POSTGRES_USER as its
# superuser (password POSTGRES_PASSWORD), create POSTGRES_DB, run /docker-entrypoint-initdb.d/*.sql, then
# serve on every address with password authentication.
set -eu
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  pwfile="$(mktemp)" && printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile" && chown postgres "$pwfile"
  runuser -u postgres -- initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  # Initialisation on the unix socket only: nobody can connect over TCP before it is done.
  runuser -u postgres -- pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  [ "$db" = postgres ] || runuser -u postgres -- psql -q -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] && runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -U "$user" -d "$db" -f "$f"
  done
  runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
if [ "${1:-postgres}" = postgres ]; then
  shift || true
  # setpriv execs in place (runuser would fork and not pass docker stop's signal on to postgres).
  exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
EOF
  cat >"$build_dir/Dockerfile" <<EOF
FROM $PYTHON_IMAGE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
      postgresql >/dev/null && rm -rf /var/lib/apt/lists/* && mkdir -p /docker-entrypoint-initdb.d
ENV PATH=/usr/lib/postgresql/15/bin:\$PATH PGDATA=/var/lib/postgresql/data
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
EOF
  build_stand_in "$POSTGRES_IMAGE"
fi

if needs_build "$S3_IMAGE" s3-context "pip install moto[server]"; then
  cat >"$build_dir/Dockerfile" <<EOF
FROM $PYTHON_IMAGE
RUN pip install --no-cache-dir -q "moto[server]>=5,<6"
EXPOSE 9000
CMD ["moto_server", "-H", "0.0.0.0", "-p", "9000"]
EOF
  build_stand_in "$S3_IMAGE"
fi

echo "export DIND_DOCTOR_POSTGRES_IMAGE=$POSTGRES_IMAGE"
echo "export DIND_DOCTOR_S3_IMAGE=$S3_IMAGE"
