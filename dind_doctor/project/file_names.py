"""Which file names are compose files, Dockerfiles and `.env` files (any case, as the tools accept them)."""
from __future__ import annotations

import re

COMPOSE_NAME = re.compile(r"^(docker-)?compose(\.[\w.-]+)?\.ya?ml$", re.IGNORECASE)


def is_compose_name(name: str) -> bool:
    return bool(COMPOSE_NAME.match(name))


def is_dockerfile_name(name: str) -> bool:
    """Dockerfile, Containerfile, Dockerfile.<anything>, <anything>.dockerfile (any case)."""
    lower = name.lower()
    return lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile.") or lower.endswith(".dockerfile")


def is_env_name(name: str) -> bool:
    """.env, .env.<anything>, <anything>.env (any case); examples (.env.example) included."""
    lower = name.lower()
    return lower == ".env" or lower.startswith(".env.") or lower.endswith(".env")
