"""The pre-commit hook, through `pre-commit try-repo` on fixture git repositories: pre-commit installs this
repository into its own environment (from PyPI's pre-commit, the way users run it) and runs the hook with
no Docker engine reachable (DOCKER_HOST at a socket that does not exist)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=cwd,
                   check=True, capture_output=True)


def fixture_repo(root: Path, script: bytes) -> Path:
    root.mkdir()
    (root / ".gitattributes").write_text("*.sh text eol=lf\n")
    (root / "entrypoint.sh").write_bytes(script)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "fixture")
    return root


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """This working tree as a repository of its own: try-repo reads only what git tracks, and the files
    under test may not be committed yet."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    copy = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file() and not source.is_symlink():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / rel)
    git(copy, "init", "-q")
    git(copy, "add", ".")
    git(copy, "commit", "-q", "-m", "hook under test")
    return copy


def try_repo(hook_repo: Path, repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), DOCKER_HOST=f"unix://{repo}/hidden/docker.sock")
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "dind-doctor",
                           "--all-files", "--verbose"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=900)


def test_hook_passes_a_clean_repository_and_fails_a_broken_one(tmp_path, hook_repo):
    home = tmp_path / "pre-commit-home"
    clean = try_repo(hook_repo, fixture_repo(tmp_path / "clean", b"#!/bin/sh\nexec \"$@\"\n"), home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "dind-doctor (static project checks)" in clean.stdout and "Passed" in clean.stdout
    assert "static mode" in clean.stdout  # the engine checks report skip, they do not fail

    broken = try_repo(hook_repo, fixture_repo(tmp_path / "broken", b"#!/bin/sh\r\nexec \"$@\"\r\n"), home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout and "entrypoint.sh:1:10: script with CRLF line endings" in broken.stdout
