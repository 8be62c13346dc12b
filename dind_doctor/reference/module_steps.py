"""What runs at the outer container's prompt: the user's compose commands, and the verification.

The verification reads the output file with the module's own image (pandas + fsspec + s3fs, the same .env):
no extra tool, and it works the same against the embedded S3 server and against AWS.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .outer import Exec
from .project import DEFAULT_OUTPUT_URL, SERVICE
from .timeline import StageFailed

UP = ["docker", "compose", "up", "--exit-code-from", SERVICE]  # the seed's command, unchanged
BUILD = ["docker", "compose", "build", SERVICE]

# Counts the rows of OUTPUT_URL (0 when the file does not exist yet; unset: the module's default). With
# CREATE_BUCKET=1 (embedded S3 only) it creates the bucket first. Retries for a while: the S3 server may
# still be starting.
COUNT_ROWS = r'''
import os, sys, time
import fsspec, pandas as pd
url = os.environ.get("OUTPUT_URL") or DEFAULT_OUTPUT_URL
endpoint = os.environ.get("S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL")
opts = {"client_kwargs": {"endpoint_url": endpoint}} if url.startswith("s3://") and endpoint else {}
deadline = time.time() + 60
while True:
    try:
        fs, path = fsspec.core.url_to_fs(url, **opts)
        if os.environ.get("CREATE_BUCKET") == "1" and url.startswith("s3://"):
            bucket = path.split("/")[0]
            if not fs.exists(bucket):
                fs.mkdir(bucket)
        if not fs.exists(path):
            rows = 0
        else:
            try:
                rows = len(pd.read_csv(url, storage_options=opts or None))
            except pd.errors.EmptyDataError:
                rows = 0
        break
    except Exception as exc:
        if time.time() > deadline:
            print(f"ROWS-ERROR {type(exc).__name__}: {exc}")
            sys.exit(1)
        time.sleep(1)
print(f"ROWS {rows}")
'''.replace("DEFAULT_OUTPUT_URL", repr(DEFAULT_OUTPUT_URL))


def count_rows(outer: Exec, env: dict[str, str], create_bucket: bool, timeout: float) -> int:
    cmd = ["docker", "compose", "run", "--rm", "--no-deps", "-T", "-e", f"CREATE_BUCKET={int(create_bucket)}",
           SERVICE, "python", "-c", COUNT_ROWS]
    code, tail = outer.run(cmd, env=env, timeout=timeout)
    return rows_printed(code, tail)


def rows_printed(code: int, lines: list[str]) -> int:
    """The count COUNT_ROWS printed (whoever started it: compose in the outer container, or the engine)."""
    for line in reversed(lines):
        m = re.match(r"ROWS (\d+)$", line.strip())
        if m and code == 0:
            return int(m.group(1))
    raise StageFailed("reading the output file failed:\n" + "\n".join(lines[-15:]))


def one_more_row(before: int, after: int) -> int:
    """A run passes only when validated.csv gained exactly one row."""
    if after != before + 1:
        raise StageFailed(f"validated.csv should hold {before + 1} row(s) after the run, it holds {after}")
    return after


def module_containers(outer: Exec, env: dict[str, str]) -> list[dict]:
    """The project's containers as compose lists them (one JSON object a line, or one JSON array)."""
    code, tail = outer.run(["docker", "compose", "ps", "-a", "--format", "json"], env=env, timeout=60)
    if code != 0:
        raise StageFailed("`docker compose ps` failed:\n" + "\n".join(tail[-10:]))
    containers: list[dict] = []
    for line in tail:
        line = line.strip()
        if line.startswith("["):
            containers.extend(json.loads(line))
        elif line.startswith("{"):
            containers.append(json.loads(line))
    return containers


def project_containers(client: Any, project: str) -> list[dict]:
    """The same list from the engine itself (dood: the module's containers are the engine's), by compose's
    project label: one API call instead of a `docker compose ps` started in the outer container."""
    found = client.api.containers(all=True, filters={"label": [f"com.docker.compose.project={project}"]})
    return [{"Name": (c.get("Names") or ["?"])[0].lstrip("/"), "State": c.get("State")} for c in found]


def still_running(containers: list[dict]) -> list[str]:
    return [f"{c.get('Name')} ({c.get('State')})" for c in containers if c.get("State") != "exited"]
