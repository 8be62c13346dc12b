"""A project with a distinctive secret planted in every source the masking boundary is fed from, laid out
so that each check has a reason to quote the line that holds it (CRLF, UTF-16, a broken backtick, a key
that is not a name, a compose error). Shared by the unit and integration tests of "no secret printed"."""
from __future__ import annotations

from pathlib import Path

# Every planted value holds this word (in any case): an output that holds it leaks, in part or whole.
MARK = "planted"

PLANTS = {
    "dotenv": "S3cr3t-planted-dotenv-XYZ",
    "dotenv-plain": "S3cr3t-planted-dotenvplain-XYZ",
    "dotenv-url": "S3cr3t-planted-urlfile-XYZ",
    "dotenv-local": "S3cr3t-planted-envlocal-XYZ",
    "utf16": "S3cr3t-planted-utf16-XYZ",
    "env-file-target": "S3cr3t-planted-envfiletarget-XYZ",
    "compose-map": "S3cr3t-planted-composemap-XYZ",
    "compose-list": "S3cr3t-planted-composelist-XYZ",
    "build-arg": "S3cr3t-planted-buildarg-XYZ",
    "ps1": "S3cr3t-planted-ps1-XYZ",
    "sh": "S3cr3t-planted-sh-XYZ",
    "cmd": "S3cr3t-planted-cmd-XYZ",
    "markdown": "S3cr3t-planted-markdown-XYZ",
    "dockerfile-env": "S3cr3t-planted-dockerfileenv-XYZ",
    "dockerfile-arg": "S3cr3t-planted-dockerfilearg-XYZ",
    "process-env": "S3cr3t-planted-procenv-XYZ",
    "envrc": "S3cr3t-planted-envrc-XYZ",
    "dag-env": "S3cr3t-planted-dagenv-XYZ",
    "dag-private": "S3cr3t-planted-dagprivate-XYZ",
    "dag-default": "S3cr3t-planted-dagdefault-XYZ",
    "docker-host": "S3cr3t-planted-dockerhost-XYZ",
    # Credentials known only by their shape (no name says secret, no -e passes them).
    "pem-body": "MIIEpAIBAAKCAQEAs3cr3tPlantedPemBodyXYZ0123456789+/abcdefABCDEF",
    "stripe": "sk_live_S3cr3tPlantedStripeXYZ0123",
    "aws-key-id": "AKIAPLANTEDXYZ012345",
}


def planted_env(docker_host_port: int | None = 1) -> dict[str, str]:
    """Process environment with the planted values: a secret-named variable, and a DOCKER_HOST with
    userinfo (pointing at a closed port unless `docker_host_port` is None: then no DOCKER_HOST)."""
    env = {"MY_API_TOKEN": PLANTS["process-env"]}
    if docker_host_port is not None:
        env["DOCKER_HOST"] = f"tcp://user:{PLANTS['docker-host']}@127.0.0.1:{docker_host_port}"
    return env


def make_planted_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    p = PLANTS
    # .env: CRLF (line-endings quotes its first line), a URL with userinfo, a PEM body and a token on
    # lines of their own (env-file: not valid names; compose refuses the file and quotes the line).
    (root / ".env").write_bytes((
        f"APP_SECRET={p['dotenv']}\r\nLOGGER_LABEL={p['dotenv-plain']}\r\n"
        f"DATABASE_URL=postgresql://u:{p['dotenv-url']}@db/x\r\n{p['pem-body']}\r\n{p['stripe']}\r\n").encode())
    (root / ".env.local").write_text(f"LOCAL_VALUE={p['dotenv-local']}\n")
    (root / ".envrc").write_text(f"export DIRENV_VALUE={p['envrc']}\n")
    (root / "example.env.example").write_text("APP_SECRET=\nLOGGER_LABEL=\n")
    (root / "config").mkdir()
    (root / "config" / "utf16.env").write_bytes(("\ufeff" + f"TOKEN={p['utf16']}\r\n").encode("utf-16-le"))
    (root / "config" / "app.conf").write_text(f"CONF_VALUE={p['env-file-target']}\nBAD KEY=x\n")
    (root / "compose.yaml").write_text(
        "services:\n"
        "  app:\n"
        "    image: busybox\n"
        "    build:\n"
        "      context: .\n"
        f"      args:\n        BUILD_TOKEN: {p['build-arg']}\n"
        "    env_file:\n      - .env\n      - config/app.conf\n"
        f"    environment:\n      DB_PASSWORD: {p['compose-map']}\n"
        "  other:\n"
        "    image: busybox\n"
        "    env_file: config/utf16.env\n"
        f"    environment:\n      - API_URL={p['compose-list']}\n")
    (root / "Dockerfile").write_bytes((
        f"FROM busybox\r\nENV DB_PASSWORD={p['dockerfile-env']}\r\nARG TOKEN={p['dockerfile-arg']}\r\n"
        "COPY . /app\r\n").encode())
    # A backtick followed by a space on the -e line: backtick-continuation quotes "the line as written".
    (root / "run.ps1").write_text(f"docker run -e DB_PASSWORD={p['ps1']} ` \n  -v ${{PWD}}:/app busybox\n")
    (root / "run.sh").write_bytes(f"docker run --env \"TOKEN={p['sh']}\" busybox\r\n".encode())
    (root / "run.cmd").write_text(f"docker run -e TOKEN={p['cmd']} ^\r\n  busybox\r\n")
    (root / "dags").mkdir()
    (root / "dags" / "extract.py").write_text(
        "import os\nfrom airflow.providers.docker.operators.docker import DockerOperator\n"
        "PASSWORD = os.environ['DB_PASSWORD']\n"
        "DockerOperator(task_id='extract', image='busybox', auto_remove=True, docker_url='tcp://localhost:2375',\n"
        f"               environment={{'LOGGER_URI': '{p['dag-env']}', 'PW': PASSWORD,\n"
        f"                            'OTHER': os.getenv('OTHER_SECRET', '{p['dag-default']}')}},\n"
        f"               private_environment={{'TOKEN': '{p['dag-private']}'}},\n"
        "               mounts=[], mount_tmp_dir=True)\n")
    (root / "README.md").write_text(
        "```powershell\n"
        f"docker run -e AWS_ACCESS_KEY_ID={p['aws-key-id']} -e SECRET={p['markdown']} ` \n  busybox\n"
        "```\n")
    return root


def leaks(text: str) -> list[str]:
    """The planted values (or parts of them) found in `text`."""
    lower = text.lower()
    found = [name for name, value in PLANTS.items() if value.lower() in lower]
    return found or ([f"a part holding {MARK!r}"] if MARK in lower else [])
