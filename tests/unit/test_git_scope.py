"""The walk and .gitignore: a folder git ignores whole is not checked as the project's source; what it holds
that an image may bake in (a .env) is still seen and masked, and a file a compose file names is always read.

git itself answers (one `git ls-files` child), so each row below is git's documented semantics
(gitignore(5)) observed through the walk, on a real repository."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dind_doctor import subprocesses
from dind_doctor.context import Context
from dind_doctor.project.files import ProjectFiles
from dind_doctor.secret_sources import project_masker


def git_repo(root: Path, files: dict[str, str], tracked: tuple[str, ...] = ()) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=30)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    if tracked:
        subprocess.run(["git", "-C", str(root), "add", "-f", "--", *tracked], check=True, timeout=30)
    return root


# (case, .gitignore files and others, tracked files, files the walk checks, folders it leaves out)
ROWS = [
    ("a folder rule", {".gitignore": "build/\n", "build/lib/compose.yml": "", "app/compose.yml": ""}, (),
     {".gitignore", "app/compose.yml"}, ["build"]),
    ("negation re-includes a folder", {".gitignore": "logs/*\n!logs/keep/\n", "logs/keep/r.sh": "",
                                       "logs/old/r.sh": ""}, (),
     {".gitignore", "logs/keep/r.sh"}, ["logs/old"]),
    ("no negation inside an excluded folder", {".gitignore": "out/\n!out/keep.sh\n", "out/keep.sh": ""}, (),
     {".gitignore"}, ["out"]),
    ("a nested .gitignore applies below it only", {"sub/.gitignore": "gen/\n", "sub/gen/x.sh": "", "gen/y.sh": ""},
     (), {"sub/.gitignore", "gen/y.sh"}, ["sub/gen"]),
    ("a leading slash anchors", {".gitignore": "/dist/\n", "dist/a.sh": "", "src/dist/b.sh": ""}, (),
     {".gitignore", "src/dist/b.sh"}, ["dist"]),
    ("** matches any depth", {".gitignore": "**/cache/\n", "a/b/cache/c.sh": "", "a/b/x.sh": "", "cache/d.sh": "",
                              "a/cached/e.sh": ""}, (),
     {".gitignore", "a/b/x.sh", "a/cached/e.sh"}, ["cache", "a/b/cache"]),
    ("a folder holding only ignored files is left out whole", {".gitignore": "**/cache/\n", "e/f/cache/c.sh": ""},
     (), {".gitignore"}, ["e"]),
    ("a tracked file is never ignored", {".gitignore": "vendor/\n", "vendor/Dockerfile": "", "vendor/tmp/x.sh": ""},
     ("vendor/Dockerfile",), {".gitignore", "vendor/Dockerfile"}, ["vendor/tmp"]),
    ("ignored FILES stay (a .env is usually ignored)", {".gitignore": ".env\n*.log\n", ".env": "A=1\n",
                                                         "app.log": ""}, (),
     {".gitignore", ".env", "app.log"}, []),
    (".git/info/exclude counts", {".git/info/exclude": "scratch/\n", "scratch/s.sh": "", "run.sh": ""}, (),
     {"run.sh"}, ["scratch"]),
]


@pytest.mark.parametrize("case,files,tracked,walked,left_out", ROWS, ids=[r[0] for r in ROWS])
def test_gitignore_semantics(tmp_path: Path, case, files, tracked, walked, left_out):
    root = git_repo(tmp_path / "p", files, tracked)
    got = ProjectFiles(root)
    assert {got.rel(p) for p in got.paths} == walked, case
    assert sorted(got.ignored.folders if got.ignored else []) == sorted(left_out), case
    assert got.git_note is None


def test_the_project_folder_itself_ignored_skips_nothing(tmp_path: Path):
    """`--project build/x` where the outer repository ignores build/: the user asked for this folder."""
    outer = git_repo(tmp_path / "repo", {".gitignore": "build/\n", "build/x/run.sh": "", "build/x/out/o.sh": ""})
    got = ProjectFiles(outer / "build" / "x")
    assert {got.rel(p) for p in got.paths} == {"run.sh", "out/o.sh"} and got.ignored is None


def test_outside_a_git_checkout_git_is_not_run(tmp_path: Path, monkeypatch):
    ran: list[object] = []
    monkeypatch.setattr(subprocesses, "run", lambda *a, **k: ran.append(a))
    monkeypatch.setattr(subprocesses, "start", lambda *a, **k: ran.append(a))
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "compose.yml").write_text("")
    got = ProjectFiles(tmp_path)
    assert ran == [] and [got.rel(p) for p in got.paths] == ["build/compose.yml"] and got.ignored is None


def test_check_asks_git_once_before_it_imports_the_checks(tmp_path: Path, monkeypatch):
    """git lists the ignored folders while the checks are imported; the walk reads that answer."""
    from click.testing import CliRunner

    from dind_doctor import registry
    from dind_doctor.cli import cli

    root = git_repo(tmp_path / "p", {".gitignore": "build/\n", "build/lib/compose.yml": "", "compose.yml": ""})
    events: list[str] = []
    real_start, real_load = subprocesses.start, registry.load_all

    def start(argv, **kwargs):
        events.append(" ".join(argv[1:]))
        return real_start(argv, **kwargs)

    def load_all(*args, **kwargs):
        events.append("checks imported")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(subprocesses, "start", start)
    monkeypatch.setattr(registry, "load_all", load_all)
    result = CliRunner().invoke(cli, ["check", "project-files", "--static", "--project", str(root),
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    listing = [e for e in events if "--ignored" in e]
    assert len(listing) == 1 and events.index(listing[0]) < events.index("checks imported")
    assert "git ignores were not checked as the project's source: build/" in result.output


def test_ignored_folders_are_walked_last_and_bounded(tmp_path: Path):
    """A big ignored data folder never uses the entry budget before the project's own files, and only the
    files that matter are kept from it."""
    files = {".gitignore": "data/\n", "z/compose.yml": "", "z/deep/er/run.ps1": "", "data/.env": "S=1\n"}
    files.update({f"data/d{i:03}/row.csv": "" for i in range(150)})
    root = git_repo(tmp_path / "p", files)
    got = ProjectFiles(root, max_entries=200)
    assert {got.rel(p) for p in got.paths} == {".gitignore", "z/compose.yml", "z/deep/er/run.ps1"}
    assert got.stop is None  # the project's own tree was seen whole
    assert got.ignored is not None and got.ignored.partial  # the ignored folder was not
    assert [got.rel(p) for p in got.ignored_paths] == ["data/.env"]  # the .env is at its top: seen first


SECRET = "hunter2-a7c9e1-planted"


def test_what_compose_names_in_an_ignored_folder_is_read_baked_and_masked(tmp_path: Path):
    root = git_repo(tmp_path / "p", {
        ".gitignore": "build/\n",
        "compose.yml": "services:\n  app:\n    build: .\n    env_file: build/.env\n",
        "Dockerfile": "FROM busybox\nCOPY . /app\n",
        "build/.env": f"S3_SECRET_KEY={SECRET}\n",
        # a stale copy: checked as the project's, it would be reported a second time
        "build/lib/compose.yml": "services:\n  old:\n    image: x\n    volumes:\n      - /var/run/docker.sock:/s\n",
    })
    env = dict(os.environ, DOCKER_HOST=f"unix://{root}/hidden/docker.sock", CI="")
    done = subprocess.run([sys.executable, "-m", "dind_doctor", "check", "--static", "--format", "json", "-v",
                           "--project", str(root)], capture_output=True, text=True, env=env, timeout=120)
    assert SECRET not in done.stdout + done.stderr
    findings = json.loads(done.stdout)["findings"]
    text = json.dumps(findings)
    assert "build/lib/compose.yml" not in text  # the stale copy is not the project's
    baked = [f for f in findings if f["check"] == "env-file" and "bakes build/.env" in f["summary"]]
    assert baked and baked[0]["status"] == "fail"  # .dockerignore, not .gitignore, says what ships
    (scope,) = [f for f in findings if f["check"] == "project-files" and "git ignores" in f["summary"]]
    assert scope["status"] == "ok" and "build/" in scope["summary"]
    ctx = Context(project=root, shell="bash", env={})
    assert project_masker(ctx)(f"value={SECRET}") != f"value={SECRET}"  # its values are masked too
    compose_env = [ref.path for c in ctx.project_model.compose for ref in c.env_files]
    assert compose_env == [root / "build" / ".env"] and ctx.project_model.files.read(compose_env[0]).usable
