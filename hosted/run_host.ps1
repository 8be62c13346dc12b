# run_host.ps1: starts the outer container with hosted\ mapped on /home/hosted.
# Run it from the folder that holds hosted\, then at the container's prompt:
#   docker compose up --exit-code-from extractor_sql
#
# - No --privileged: the socket mount alone gives the container the host's daemon (Docker-out-of-Docker);
#   --privileged is only needed by a daemon running INSIDE the container (see run_host.sh dind).
# - "${PWD}/hosted:/home/hosted" is quoted: a path with spaces would otherwise split the argument.
# - PowerShell passes /var/run/docker.sock unchanged (the // prefix is only needed in Git Bash).
# - One space before each backtick, nothing after it: a backtick continues the line only as its last character.
docker run -it --rm `
    -v /var/run/docker.sock:/var/run/docker.sock `
    -v "${PWD}/hosted:/home/hosted" `
    python-dind:3.12-slim
