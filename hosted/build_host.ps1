# build_host.ps1: builds the outer image. Run it from the folder that holds hosted\, as the seed does:
#   ./hosted/build_host.ps1            # dood (default): python-dind:3.12-slim
#   ./hosted/build_host.ps1 -Target dind   # python-dind:dind, runs its own dockerd
# Base images can be replaced with $env:PYTHON_IMAGE, $env:DOCKER_CLI_IMAGE, $env:DIND_IMAGE.
param([ValidateSet("dood", "dind")][string]$Target = "dood")

$tag = if ($Target -eq "dood") { "python-dind:3.12-slim" } else { "python-dind:dind" }
$python = if ($env:PYTHON_IMAGE) { $env:PYTHON_IMAGE } else { "python:3.12-slim" }
$cli = if ($env:DOCKER_CLI_IMAGE) { $env:DOCKER_CLI_IMAGE } else { "docker:cli" }
$dind = if ($env:DIND_IMAGE) { $env:DIND_IMAGE } else { "docker:dind" }

# One space before each backtick, nothing after it: a backtick continues the line only as its last character.
docker build --target $Target -t $tag `
    --build-arg "PYTHON_IMAGE=$python" `
    --build-arg "DOCKER_CLI_IMAGE=$cli" `
    --build-arg "DIND_IMAGE=$dind" `
    -f hosted/Dockerfile.host hosted
