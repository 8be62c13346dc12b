"""Helpers the project-check tests share (imported as `from test_project_support import ...`)."""
from __future__ import annotations

import shutil
from pathlib import Path

from dind_doctor.context import Context

REPO = Path(__file__).resolve().parents[2]
TRAPS = REPO / "tests" / "fixtures" / "traps"
SEED = REPO / "tests" / "fixtures" / "seed_project"
HOSTED = REPO / "hosted"


def make_ctx(project: Path, shell: str = "powershell", fix: bool = False, tmp: Path | None = None,
             **env: str) -> Context:
    base_env = {"DOCKER_HOST": "unix:///nonexistent/docker.sock"}  # unit tests never reach an engine
    if tmp is not None:
        base_env["DIND_DOCTOR_BACKUP_DIR"] = str(tmp / "backups")
    return Context(project=project.resolve(), shell=shell, env={**base_env, **env}, platform="linux",
                   timeout=1.0, fix=fix)


def run_check(check_cls, project: Path, **kw):
    return list(check_cls().run(make_ctx(project, **kw)))


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    return dst


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """A project written in `root` from {relative path: text}."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def summary(findings) -> set[tuple]:
    """(status, path, line) of every finding, for exact assertions."""
    return {(f.status.value, f.location.path if f.location else None, f.location.line if f.location else None)
            for f in findings}


def test_helpers_build_a_context(tmp_path: Path):
    ctx = make_ctx(tmp_path, tmp=tmp_path)
    assert ctx.project == tmp_path.resolve() and ctx.env["DIND_DOCTOR_BACKUP_DIR"].endswith("backups")
