"""Image references, each overridable by an environment variable (offline mirrors, stand-ins)."""
from __future__ import annotations

import os
from typing import Mapping

DEFAULTS = {
    "DIND_DOCTOR_PROBE_IMAGE": "busybox:latest",
    "DIND_DOCTOR_PYTHON_IMAGE": "python:3.12-slim",
    "DIND_DOCTOR_DIND_IMAGE": "docker:dind",
    "DIND_DOCTOR_DOCKER_CLI_IMAGE": "docker:cli",
    # The servers of run-reference's embedded default (offline stand-ins: tests/images/reference-images.sh).
    "DIND_DOCTOR_POSTGRES_IMAGE": "postgres:16-alpine",
    "DIND_DOCTOR_S3_IMAGE": "minio/minio:latest",
    # run-reference --via airflow: the version the shipped DAG is written for (offline: a stand-in with
    # apache-airflow 2.10.3 and apache-airflow-providers-docker 4.4.5, built by build-offline-images.sh).
    "DIND_DOCTOR_AIRFLOW_IMAGE": "apache/airflow:2.10.3",
}


def image(variable: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(variable) or DEFAULTS[variable]


def probe_image(env: Mapping[str, str] | None = None) -> str:
    return image("DIND_DOCTOR_PROBE_IMAGE", env)
