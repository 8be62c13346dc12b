"""The embedded default: a real PostgreSQL server seeded with the demo table and an S3-compatible server,
on a private network of their own, with the .env the module needs to reach them."""
from __future__ import annotations

import io
import secrets
import tarfile
import time
from ..records import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from .options import S3_PORT, S3Recipe
from .project import DEFAULT_OUTPUT_URL
from .seed_data import seed_sql
from .timeline import StageFailed

if TYPE_CHECKING:
    from ..engine.resources import RunResources

POSTGRES_ALIAS, S3_ALIAS = "reference-postgres", "reference-s3"
DB_USER, DB_NAME = "extractor", "fraud_detection_2"
READY_SECONDS = 90.0


@dataclass(frozen=True)
class Credentials:
    db_password: str
    s3_access_key: str
    s3_secret_key: str

    @classmethod
    def generate(cls) -> "Credentials":
        # Fresh for every run: nothing to leak, and the masker hides them anyway.
        return cls(secrets.token_hex(12), "ddref" + secrets.token_hex(6), secrets.token_hex(16))

    def values(self) -> tuple[str, ...]:
        return self.db_password, self.s3_access_key, self.s3_secret_key


@dataclass(frozen=True)
class Servers:
    network: str
    addresses: Mapping[str, str]  # alias -> address on the network (used in dind mode)
    s3_endpoint: str | None = None  # the S3 port published on the engine's loopback, for the tool's own reads


def network_name(prefix: str) -> str:
    """The servers' private network, named before it exists (the compose override names it up front)."""
    return f"{prefix}-net"


def module_env(creds: Credentials, wrong_password: bool = False) -> dict[str, str]:
    password = "not-" + creds.db_password if wrong_password else creds.db_password
    return {
        "LOGGER_SQL_URI": f"postgresql://{DB_USER}:{password}@{POSTGRES_ALIAS}:5432/{DB_NAME}",
        "AWS_ACCESS_KEY_ID": creds.s3_access_key,
        "AWS_SECRET_ACCESS_KEY": creds.s3_secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{S3_ALIAS}:{S3_PORT}",
        "OUTPUT_URL": DEFAULT_OUTPUT_URL,
    }


def _tar_one(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o644
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _exec(container: Any, cmd: list[str], env: Mapping[str, str] | None = None) -> tuple[int, str]:
    result = container.exec_run(cmd, environment=dict(env or {}), demux=False)
    return result.exit_code, (result.output or b"").decode("utf-8", "replace")


def _wait_for_postgres(container: Any, password: str, user: str = DB_USER, db: str = DB_NAME) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        container.reload()
        if container.status != "running":
            logs = container.logs(tail=20).decode("utf-8", "replace")
            raise StageFailed(f"the PostgreSQL server stopped ({container.status}):\n{logs}")
        # TCP on purpose: the official image's init phase serves the unix socket only.
        code, _ = _exec(container, ["pg_isready", "-q", "-h", "127.0.0.1", "-U", user, "-d", db],
                        {"PGPASSWORD": password})
        if code == 0:
            return
        if time.monotonic() > deadline:
            raise StageFailed(f"the PostgreSQL server was not ready after {READY_SECONDS:.0f} s")
        time.sleep(0.5)


def _pgdata(client: Any, image: str) -> str:
    """Where the image keeps its database (its PGDATA; the official images' default otherwise)."""
    env = client.images.get(image).attrs.get("Config", {}).get("Env") or []
    return next((e.split("=", 1)[1] for e in env if e.startswith("PGDATA=") and len(e) > 7), "/var/lib/postgresql/data")


def start_servers(client: Any, *, resources: "RunResources", run_labels: Mapping[str, str], prefix: str,
                  postgres_image: str, s3_image: str, recipe: S3Recipe, creds: Credentials, seed: bool,
                  publish_s3: bool, note: Callable[[str], None]) -> Servers:
    """`publish_s3`: the engine is a local socket, so a port published on its 127.0.0.1 is this machine's:
    the tool then reads validated.csv over the S3 API instead of starting a container per read."""
    # Each name is registered before its create: Ctrl-C in the middle of one still gets it removed.
    with resources.creating("network", network_name(prefix)) as name:
        network = client.networks.create(name, driver="bridge", labels=dict(run_labels))
    with resources.creating("container", f"{prefix}-postgres") as name:
        # The data in memory: a demo database lives for one run, initdb writes nothing to disk, and the
        # clean-up does not delete its files from the container's layer (1.3 s of the clean-up before).
        postgres = client.containers.create(
            postgres_image, name=name, labels=dict(run_labels), detach=True,
            environment={"POSTGRES_USER": DB_USER, "POSTGRES_PASSWORD": creds.db_password, "POSTGRES_DB": DB_NAME},
            network=network.name, tmpfs={_pgdata(client, postgres_image): "rw"})
    s3_env = {}
    if recipe.credential_env:
        s3_env = dict(zip(recipe.credential_env, (creds.s3_access_key, creds.s3_secret_key)))
    with resources.creating("container", f"{prefix}-s3") as name:
        s3 = client.containers.create(
            s3_image, name=name, labels=dict(run_labels), detach=True, environment=s3_env,
            entrypoint=[recipe.argv[0]], command=list(recipe.argv[1:]), network=network.name,
            ports={f"{S3_PORT}/tcp": ("127.0.0.1", None)} if publish_s3 else None)
    for container, alias in ((postgres, POSTGRES_ALIAS), (s3, S3_ALIAS)):
        # create(network=...) gives no alias: reconnect with one, so the module finds the server by name.
        network.disconnect(container)
        network.connect(container, aliases=[alias])
    postgres.start()
    s3.start()
    note(f"network {network.name}; PostgreSQL {postgres_image}; S3 {s3_image} ({recipe.name} recipe)")

    _wait_for_postgres(postgres, creds.db_password)
    if seed:
        postgres.put_archive("/tmp", _tar_one("seed.sql", seed_sql().encode()))
        code, output = _exec(postgres, ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", DB_USER,
                                        "-d", DB_NAME, "-f", "/tmp/seed.sql"], {"PGPASSWORD": creds.db_password})
        if code != 0:
            raise StageFailed(f"seeding the demo table failed: {output.strip()}")
    s3.reload()
    if s3.status != "running":
        raise StageFailed(f"the S3 server stopped ({s3.status}):\n{s3.logs(tail=20).decode('utf-8', 'replace')}")
    addresses = {}
    for container, alias in ((postgres, POSTGRES_ALIAS), (s3, S3_ALIAS)):
        container.reload()
        addresses[alias] = container.attrs["NetworkSettings"]["Networks"][network.name]["IPAddress"]
    published = (s3.attrs["NetworkSettings"].get("Ports") or {}).get(f"{S3_PORT}/tcp") or []
    endpoint = next((f"http://127.0.0.1:{p['HostPort']}" for p in published if p.get("HostPort")), None)
    return Servers(network.name, addresses, endpoint)
