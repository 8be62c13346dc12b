"""The extractor_sql module started by Airflow's DockerOperator, the pattern dind-doctor recommends.

Written for apache-airflow 2.10.3 with apache-airflow-providers-docker 4.4.5 (pin both in your image).
- The code comes from the image (`COPY app/ .`): no named volume to fill by hand, none to go stale.
- Credentials come from the worker's environment (set them there, or from Airflow Connections/Variables)
  and go in through `private_environment`: never logged, never baked into the image, no .env read at parse.
- The daemon is the one the worker reaches: DOCKER_HOST if set, else the mounted /var/run/docker.sock
  (the worker's user needs the socket's group: `group_add` in compose).
- `mount_tmp_dir=False`: the worker's temporary folder does not exist on the daemon's side.
- `auto_remove="success"`: the 4.x spelling (a bool makes the DAG fail to import).
"""
from __future__ import annotations

import os

import pendulum
from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator

SECRETS = ("LOGGER_SQL_URI", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
SETTINGS = ("AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "OUTPUT_URL")

with DAG(dag_id="extractor_sql_dag", start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), schedule=None,
         catchup=False, tags=["dind-doctor"]):
    DockerOperator(
        task_id="extract",
        image=os.environ.get("MODULE_IMAGE", "extractor_sql_dag_img"),
        command="python extractor_03.py",
        working_dir="/home/app",
        container_name=os.environ.get("MODULE_CONTAINER_NAME") or None,
        private_environment={k: os.environ[k] for k in SECRETS if os.environ.get(k)},
        environment={k: os.environ[k] for k in SETTINGS if os.environ.get(k)},
        network_mode=os.environ.get("MODULE_NETWORK", "bridge"),
        mount_tmp_dir=False,
        auto_remove="success",
    )
