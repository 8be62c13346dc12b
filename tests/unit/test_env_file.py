"""env-file: each trap by path, line and status; values never printed; .dockerignore --fix; git."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from test_project_support import HOSTED, SEED, TRAPS, copy_tree, make_ctx, run_check, summary

from dind_doctor.checks.env_file import EnvFile
from dind_doctor.model import Status
from dind_doctor.project.build_context import DockerIgnore, copied_files
from dind_doctor.project.dockerfile_reader import parse_dockerfile
from dind_doctor.evidence_shapes import value_shape
from dind_doctor.project.dotenv_lint import lint

TRAP = TRAPS / "env_file"
SECRETS = ("s3cret-value", "postgresql://u:p@db", "fixture-password-not-real", "fixture-secret-access-key")


def no_secret_in(findings):
    text = json.dumps([[f.summary, f.detail, {k: str(v) for k, v in f.evidence.items()},
                        [x.text for x in f.fixes]] for f in findings])
    assert not any(secret in text for secret in SECRETS)


def test_every_trap_by_path_line_and_status(tmp_path: Path):
    found = run_check(EnvFile, copy_tree(TRAP, tmp_path / "p"))
    assert summary(found) == {
        ("fail", "compose.yml", 5),  # ./missing.env does not exist
        ("warn", "config/app.env", 2),  # export
        ("warn", "config/app.env", 3),  # spaces around =
        ("warn", "config/app.env", 4),  # DB_URL twice
        ("fail", "config/app.env", 5),  # API_TOKEN empty, listed in app.env.example
        ("fail", "config/app.env", 6),  # a CR inside a quoted value
        ("fail", "config/app.env", 7),  # unclosed quote
        ("fail", "utf16.env", 1),
        ("warn", "bom.env", 1),
        ("fail", "Dockerfile", 3),  # COPY . /app bakes the .env files, no .dockerignore
    }
    no_secret_in(found)
    baked = next(f for f in found if f.location.path == "Dockerfile")
    assert baked.summary == "`COPY . /app` bakes bom.env, config/app.env, utf16.env into the image"


def test_missing_needed_key_and_example(tmp_path: Path):
    (tmp_path / "app").mkdir()
    (tmp_path / "compose.yaml").write_text("services:\n  m:\n    image: x\n    env_file: app/.env\n")
    (tmp_path / "app/.env.example").write_text("A=\nB=\n")
    # Issue 8 section 5: `docker compose up` stops on a missing env_file ("env file ... not found"), example
    # or not: a fail (it was a skip), with the fix written for the user's shell.
    (missing,) = run_check(EnvFile, tmp_path)
    assert missing.status is Status.FAIL and "create it from app/.env.example" in missing.summary
    assert missing.fixes_for("powershell")[0].text.startswith("Copy-Item 'app/.env.example' 'app/.env'")
    assert missing.fixes_for("cmd")[0].text == 'copy "app/.env.example" "app/.env"'
    assert missing.fixes_for("bash")[0].text.startswith("cp 'app/.env.example' 'app/.env'")
    (tmp_path / "app/.env").write_text("A=secret-a\n")
    (fail,) = run_check(EnvFile, tmp_path)
    assert (fail.status, fail.summary) == (Status.FAIL, "`B` is missing (listed in .env.example)")
    (tmp_path / "app/.env").write_text("A=secret-a\nB=secret-b\n")
    (ok,) = run_check(EnvFile, tmp_path)
    assert ok.status is Status.OK


def test_fix_adds_dockerignore_and_recheck_is_clean(tmp_path: Path):
    project = copy_tree(SEED, tmp_path / "seed")
    fixed = run_check(EnvFile, project, fix=True, tmp=tmp_path)
    assert summary(fixed) == {("ok", ".dockerignore", None), ("ok", "hosted/.dockerignore", None)}
    assert (project / "hosted/.dockerignore").read_text().splitlines()[-1] == "**/.env"
    assert not [f for f in run_check(EnvFile, project) if f.status is not Status.OK]


def test_dockerignore_semantics():
    top_only = DockerIgnore.parse(".env\n")
    assert top_only.excluded(".env") and not top_only.excluded("app/.env")  # the classic trap
    anywhere = DockerIgnore.parse("**/.env\n**/.env.*\n!app/.env.example\n")
    assert anywhere.excluded("app/.env") and anywhere.excluded(".env.local")
    assert not anywhere.excluded("app/.env.example")
    assert DockerIgnore.parse("app\n").excluded("app/.env")
    assert DockerIgnore.parse("/app/*.env\n").excluded("app/x.env")


def test_copy_parsing(tmp_path: Path):
    text = "FROM x\nCOPY --from=build /a /b\nCOPY --chown=1:1 \\\n  app/ \\\n  /srv/\nADD [\"conf\", \"/etc/\"]\n"
    got = [(c.line, c.copy_sources) for c in parse_dockerfile(text).copies]
    assert got == [(3, ("app/",)), (6, ("conf",))]
    files = [tmp_path / "app/.env", tmp_path / "conf/.env", tmp_path / "other/.env"]
    assert copied_files(tmp_path, ("app/",), files) == [tmp_path / "app/.env"]
    assert copied_files(tmp_path, ("*",), files) == sorted(files)


def test_values_are_masked():
    assert value_shape("hunter2") == "***(7)"
    assert value_shape("pw\r") == "***(3)␍" and value_shape("") == "(empty)" and value_shape(None) == "(no value)"
    long = value_shape("x" * 40)
    assert "x" not in long and "40" in long


def test_bad_input(tmp_path: Path):
    (tmp_path / "compose.yml").write_text("services:\n  a:\n    image: x\n    env_file: [bin.env, latin.env, "
                                          "empty.env, dir.env, 'sp ace/é.env']\n")
    (tmp_path / "bin.env").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin.env").write_bytes("A=caf\xe9\n".encode("latin-1"))
    (tmp_path / "empty.env").write_bytes(b"")
    (tmp_path / "dir.env").mkdir()
    (tmp_path / "sp ace").mkdir()
    (tmp_path / "sp ace/é.env").write_text("K=v\n", encoding="utf-8")
    (tmp_path / "broken.yml").write_text("x")  # not a compose name: ignored
    found = run_check(EnvFile, tmp_path)
    assert summary(found) == {("fail", "bin.env", None), ("fail", "latin.env", 1), ("fail", "compose.yml", 4)}
    (tmp_path / "compose.yml").write_text("services: [\n")
    (bad,) = run_check(EnvFile, tmp_path)
    assert bad.status is Status.WARN and "not valid YAML" in bad.summary


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_tracked_and_not_ignored(tmp_path: Path):
    project = copy_tree(SEED, tmp_path / "seed")
    (project / "hosted/.dockerignore").write_text("**/.env\n")
    (project / ".dockerignore").write_text("**/.env\n")
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    found = run_check(EnvFile, project)
    assert summary(found) == {("warn", "hosted/app/.env", None)}
    subprocess.run([*git, "add", "hosted/app/.env"], check=True)
    (tracked,) = run_check(EnvFile, project)
    assert tracked.status is Status.FAIL and "tracked by git" in tracked.summary
    assert "git rm --cached" in tracked.fixes[0].text
    (project / ".gitignore").write_text("hosted/app/.env\n")
    subprocess.run([*git, "rm", "-q", "--cached", "hosted/app/.env"], check=True)
    assert {f.status for f in run_check(EnvFile, project)} == {Status.OK}
    # Ignored yet tracked (`git add -f`): tracked wins, as git itself says.
    subprocess.run([*git, "add", "-f", "hosted/app/.env"], check=True)
    (forced,) = run_check(EnvFile, project)
    assert forced.status is Status.FAIL and "tracked by git" in forced.summary
    subprocess.run([*git, "rm", "-q", "--cached", "hosted/app/.env"], check=True)
    # Names with blanks and glob characters are asked and answered as they are.
    odd = project / "sp [ab]" / "*"
    odd.mkdir(parents=True)
    (odd / ".env").write_text("K=v\n")
    (project / "sp [ab]" / "a").mkdir()
    (project / "sp [ab]" / "a" / ".env").write_text("K=v\n")
    subprocess.run([*git, "add", "sp [ab]/a/.env"], check=True)
    assert summary(run_check(EnvFile, project)) == {("fail", "sp [ab]/a/.env", None),
                                                    ("warn", "sp [ab]/*/.env", None)}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_an_env_file_outside_the_work_tree_does_not_hide_a_tracked_one(tmp_path: Path):
    # git refuses a whole `ls-files` that names a path outside the repository ("outside repository")
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "shared.env").write_text("SHARED=1\n")
    (project / ".env").write_text("K=v\n")
    (project / "compose.yaml").write_text("services:\n  app:\n    image: busybox\n"
                                          "    env_file: [../shared.env, .env]\n")
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", ".env"], check=True)
    tracked = [f for f in run_check(EnvFile, project) if "tracked by git" in f.summary]
    assert [(f.status, f.location.path) for f in tracked] == [(Status.FAIL, ".env")]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_lists_while_the_env_files_are_read_and_is_stopped_if_the_check_fails(tmp_path: Path, monkeypatch):
    import dind_doctor.checks.env_file as env_file_module
    from dind_doctor import subprocesses

    project = copy_tree(SEED, tmp_path / "seed")
    subprocess.run(["git", "-C", str(project), "init", "-q"], check=True)
    started: list[subprocesses.Running] = []
    real_start, real_baked = subprocesses.start, env_file_module.baked_findings

    def start(argv, **kwargs):
        started.append(real_start(argv, **kwargs))
        return started[-1]

    def asked_about_env_files() -> list[subprocesses.Running]:  # not the walk's own git child
        return [r for r in started if "--exclude-standard" in r.argv and r.argv[-1] == "hosted/app/.env"]

    def baked(*args):  # the env files' content is read before this: git must be running already, not reaped
        (child,) = asked_about_env_files()
        assert child.proc.returncode is None
        return real_baked(*args)

    monkeypatch.setattr(subprocesses, "start", start)
    monkeypatch.setattr(env_file_module, "baked_findings", baked)
    assert summary(run_check(EnvFile, project)) >= {("warn", "hosted/app/.env", None)}

    def broken(*args):
        raise RuntimeError("a reader failed")

    started.clear()
    monkeypatch.setattr(env_file_module, "baked_findings", broken)
    with pytest.raises(RuntimeError):
        EnvFile().run(make_ctx(project))
    (child,) = asked_about_env_files()
    assert child.proc.returncode is not None  # killed and reaped, not left running


def test_seed_and_hosted(tmp_path: Path):
    found = run_check(EnvFile, copy_tree(SEED, tmp_path / "seed"))
    assert summary(found) == {("fail", "hosted/docker/Dockerfile", 15), ("fail", "Dockerfile", 24)}
    assert any(f.summary == "`COPY app/ .` bakes hosted/app/.env into the image" for f in found)
    no_secret_in(found)


def test_hosted_module_through_run_reference(tmp_path: Path):
    """The shipped hosted/ has no app/.env: run-reference writes it in its work copy. Bare, the check says
    what compose says (missing: create it from the example); as run-reference runs it, it is clean."""
    from dind_doctor.reference import project as proj
    from dind_doctor.reference.servers import Credentials, module_env

    (missing,) = [f for f in run_check(EnvFile, HOSTED) if f.status is not Status.OK]
    assert missing.status is Status.FAIL and "create it from app/.env.example" in missing.summary
    work = proj.make_work_copy(HOSTED, proj.module_compose_file(HOSTED))
    try:
        proj.write_env(work, module_env(Credentials("fixture-db-pass", "fixture-access", "fixture-secret")))
        found = run_check(EnvFile, work.project)
        assert {f.status for f in found} <= {Status.OK, Status.SKIP}, [f.summary for f in found]
        assert any(f.status is Status.OK and "present, parsed" in f.summary for f in found)
        no_secret_in(found)
    finally:
        proj.remove_work_copy(work)


def test_lint_reports_lines():
    report = lint("A=1\r\nexport B=2\nC = 3\nA=4\n")
    assert [(i.kind, i.line) for i in report.issues] == [("export", 2), ("spaces", 3), ("duplicate", 4), ("crlf", 1)]
    assert report.values == {"A": "4", "B": "2", "C": "3"}


def test_one_env_file_named_two_ways_is_checked_once(tmp_path: Path):
    (tmp_path / "config").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "config/app.env").write_text("export A=1\n")
    (tmp_path / "compose.yml").write_text("services:\n  a:\n    image: x\n    env_file: config/app.env\n")
    (tmp_path / "sub/compose.yml").write_text("services:\n  b:\n    image: x\n    env_file: ../config/app.env\n")
    (export,) = run_check(EnvFile, tmp_path)
    assert (export.status, export.location.path, export.location.line) == (Status.WARN, "config/app.env", 1)


def test_env_file_shared_by_two_services_is_checked_once(tmp_path: Path):
    (tmp_path / ".env").write_text("export A=1\n")
    (tmp_path / "compose.yml").write_text("services:\n  a:\n    image: x\n    env_file: .env\n"
                                          "  b:\n    image: x\n    env_file: [.env, gone.env]\n"
                                          "  c:\n    image: x\n    env_file: gone.env\n")
    found = run_check(EnvFile, tmp_path)
    # The content once; a missing file once per reference (each is a line to correct).
    assert sorted((f.status.value, f.location.path, f.location.line) for f in found) == [
        ("fail", "compose.yml", 7), ("fail", "compose.yml", 10), ("warn", ".env", 1)]


def test_dockerignore_is_read_through_the_cache(tmp_path: Path):
    from dind_doctor.project.build_context import load_dockerignore

    (tmp_path / "Dockerfile.dockerignore").write_text("**/.env\n")
    read = []
    ignore = load_dockerignore(tmp_path, tmp_path / "Dockerfile",
                               lambda p: read.append(p.name) or (p.read_text() if p.exists() else None))
    assert ignore.path == tmp_path / "Dockerfile.dockerignore" and ignore.excluded("app/.env")
    assert load_dockerignore(tmp_path, tmp_path / "x.Dockerfile", lambda p: None).path is None
    assert read == ["Dockerfile.dockerignore"]


def test_a_containerfile_bakes_too(tmp_path: Path):
    (tmp_path / ".env").write_text("A=1\n")
    (tmp_path / "Containerfile").write_text("FROM x\nCOPY . /app\n")
    (baked,) = run_check(EnvFile, tmp_path)
    assert (baked.status, baked.location.path, baked.location.line) == (Status.FAIL, "Containerfile", 2)


def _walk_scans(monkeypatch: pytest.MonkeyPatch, root: Path, missing: int) -> tuple[int, list]:
    """How many times the env-file check goes through the walked files' names, for `missing` env_file
    references that do not exist (each of which has a namesake elsewhere in the project)."""
    from dind_doctor.project.files import ProjectFiles

    scans = [0]

    class CountingNames(list):
        def __iter__(self):  # type: ignore[no-untyped-def]
            scans[0] += 1
            return super().__iter__()

    post_init = ProjectFiles.__post_init__

    def counting_post_init(self: ProjectFiles) -> None:
        post_init(self)
        self._names = CountingNames(self._names)

    monkeypatch.setattr(ProjectFiles, "__post_init__", counting_post_init)
    (root / "elsewhere").mkdir(parents=True)
    services = "".join(f"  s{i}:\n    image: x\n    env_file: gone{i}.env\n" for i in range(missing))
    (root / "compose.yml").write_text("services:\n" + services)
    for i in range(missing):
        (root / "elsewhere" / f"gone{i}.env").write_text("A=1\n")
    found = run_check(EnvFile, root)
    return scans[0], found


def test_namesakes_of_missing_env_files_are_found_in_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (few, few_found), (many, many_found) = (_walk_scans(monkeypatch, tmp_path / n, k)
                                            for n, k in (("few", 2), ("many", 40)))
    # The names are indexed once per run: 40 missing references scan the walk as often as 2 do.
    assert few == many
    assert len(many_found) == 40 and all(f.status is Status.FAIL for f in many_found)
    assert "A file of that name exists at: elsewhere/gone7.env." in next(
        f.detail for f in many_found if "gone7.env" in f.summary)
