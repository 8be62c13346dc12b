#!/bin/sh
# Starts the outer container with hosted/ mapped on /home/hosted. Run it from the folder that holds hosted/.
#   ./hosted/run_host.sh         # dood: the host's daemon through its socket, then at the prompt:
#                                #   docker compose up --exit-code-from extractor_sql
#   ./hosted/run_host.sh dind    # dind: the container's own daemon; opens a shell in it
#
# No --privileged in dood mode: the socket mount alone gives the container the host's daemon (that is
# already root on the host); --privileged would add nothing but more risk. Only a daemon running INSIDE the
# container (dind) needs it.
# Git Bash rewrites /var/run/... and $PWD into Windows paths: run it as MSYS_NO_PATHCONV=1 ./hosted/run_host.sh
set -eu
case "${1:-dood}" in
  dood)
    exec docker run -it --rm \
      -v /var/run/docker.sock:/var/run/docker.sock \
      -v "${PWD}/hosted:/home/hosted" \
      python-dind:3.12-slim
    ;;
  dind)
    docker run -d --rm --privileged --name python-dind \
      -v "${PWD}/hosted:/home/hosted" \
      python-dind:dind
    # dockerd needs a few seconds before `docker compose` inside can talk to it.
    exec docker exec -it -w /home/hosted python-dind sh
    ;;
  *) echo "usage: $0 [dood|dind]" >&2; exit 2 ;;
esac
