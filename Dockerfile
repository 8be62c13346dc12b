# dind-doctor itself as a container image.
#   docker build -t dind-doctor .
#   docker run --rm -v "$PWD:/project" dind-doctor                    # the static project checks
#   docker run --rm -v "$PWD:/project" -v /var/run/docker.sock:/var/run/docker.sock dind-doctor check --project /project
# PYTHON_IMAGE: any image with Python >= 3.10 and pip (the tests build it from an offline Debian stand-in).
ARG PYTHON_IMAGE=python:3.12-slim
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="dind-doctor" \
      org.opencontainers.image.description="Diagnoses Docker-in-Docker and Docker-out-of-Docker set-ups" \
      org.opencontainers.image.licenses="MIT"
COPY . /tmp/dind-doctor-src
# PIP_BREAK_SYSTEM_PACKAGES: a Debian-packaged Python refuses system-wide installs (PEP 668); the official
# python images are not marked, and this image holds nothing else.
RUN PIP_BREAK_SYSTEM_PACKAGES=1 python -m pip install --no-cache-dir --disable-pip-version-check /tmp/dind-doctor-src \
    && rm -rf /tmp/dind-doctor-src
WORKDIR /project
ENTRYPOINT ["dind-doctor"]
CMD ["check", "--static", "--project", "/project"]
