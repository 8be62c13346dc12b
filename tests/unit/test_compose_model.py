"""Contract tables of the ONE compose model (project/compose_*): env_file, build, mounts, names, include,
extends, with the inputs on which the two old readers (project/compose_files and levels/compose) disagreed,
and the right answer asserted. Moved here from test_project_compose_files.py and test_volumes_logic.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from dind_doctor.compose_cli import merge_resolved
from dind_doctor.project.compose_loader import ComposeLoader, load_projects
from dind_doctor.project.compose_model import ComposeProject, normalize_project_name, real_volume_name
from dind_doctor.project.compose_services import Layer, mounts
from dind_doctor.project.file_names import is_compose_name, is_dockerfile_name, is_env_name
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.path_resolver import PathResolver
from dind_doctor.project.yaml_bounded import line_of, load_bounded

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "tests" / "fixtures" / "seed_project"


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def project_of(root: Path, rel: str = "compose.yaml", env: dict[str, str] | None = None,
               platform: str = "linux", option: str | None = None) -> ComposeProject:
    return ComposeLoader(ProjectFiles(root), env or {}, platform, option).project(root / rel)


# -- names ------------------------------------------------------------------------------------------------
def test_names():
    for name in ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.prod.yaml",
                 "Docker-Compose.YML", "compose.override.yml"):
        assert is_compose_name(name), name
    for name in ("compose.json", "my-compose.yml", "docker-compose.yml.bak"):
        assert not is_compose_name(name), name
    for name in ("Dockerfile", "containerfile", "Dockerfile.dev", "api.Dockerfile"):
        assert is_dockerfile_name(name), name
    for name in ("Dockerfiles", "my-dockerfile", "Containerfile.dev"):
        assert not is_dockerfile_name(name), name
    for name in (".env", ".env.local", "app.env", ".env.example", "PROD.ENV"):
        assert is_env_name(name), name
    for name in ("env", ".environment", "env.txt"):
        assert not is_env_name(name), name


@pytest.mark.parametrize("raw, normalized", [
    ("hosted", "hosted"), ("My Project", "myproject"), ("_-Fraud.Detection_2", "frauddetection_2"),
    ("07_dind", "07_dind"),
])
def test_project_name_is_normalized_like_compose(raw, normalized):
    assert normalize_project_name(raw) == normalized


@pytest.mark.parametrize("spec, real", [
    (None, "hosted_code"), ({}, "hosted_code"), ({"name": "fixed"}, "fixed"),
    ({"external": True}, "code"), ({"external": {"name": "legacy"}}, "legacy"),
])
def test_real_volume_name(spec, real):
    assert real_volume_name("hosted", "code", spec) == real


def test_project_name_precedence(tmp_path):
    root = write(tmp_path / "My Dir", {"docker-compose.yml": "services: {}\n"})
    assert project_of(root, "docker-compose.yml").name == "mydir"
    (root / "docker-compose.yml").write_text("name: Named\nservices: {}\n")
    assert project_of(root, "docker-compose.yml").name == "named"
    assert project_of(root, "docker-compose.yml", {"COMPOSE_PROJECT_NAME": "fromenv"}).name == "fromenv"
    (root / ".env").write_text("COMPOSE_PROJECT_NAME=fromdotenv\n")
    assert project_of(root, "docker-compose.yml").name == "fromdotenv"
    assert project_of(root, "docker-compose.yml", option="Dash-P").name == "dash-p"  # -p wins over all
    (root / "docker-compose.yml").write_text("name: ${STACK:-dflt}\nservices: {}\n")
    (root / ".env").write_text("")
    assert project_of(root, "docker-compose.yml").name == "dflt"


# -- the seed ---------------------------------------------------------------------------------------------
def test_seed_model():
    (project,) = load_projects(ProjectFiles(SEED), {})
    hosted = SEED / "hosted"
    assert (project.rel, project.name) == ("hosted/docker-compose.yml", "hosted")
    assert project.volumes == {"extractor_sql_dag_shared_app": "hosted_extractor_sql_dag_shared_app"}
    users = {(s.name, m.target) for s, m in project.users_of("extractor_sql_dag_shared_app")}
    assert users == {("extractor_sql", "/home/app"), ("first_container", "/home/hosted/app")}
    (ref,) = project.env_files
    assert (ref.service, ref.raw, ref.line, ref.required) == ("extractor_sql", "./app/.env", 12, True)
    assert ref.path == hosted / "app/.env" and ref.compose == hosted / "docker-compose.yml"
    (build,) = project.builds
    assert build.context == hosted and build.dockerfile == hosted / "docker/Dockerfile"
    assert project.services["extractor_sql"].dockerfile == str(hosted / "docker" / "Dockerfile")
    doc = load_bounded((hosted / "docker-compose.yml").read_text())
    assert line_of(doc.node, "services", "first_container", "command") == 24


# -- env_file -----------------------------------------------------------------------------------------------
def test_env_file_forms(tmp_path: Path):
    write(tmp_path, {"sub/compose.yaml": "services:\n  a:\n    env_file: a.env\n  b:\n    env_file:\n"
                                         "      - path: ./b.env\n        required: false\n      - ${HOME}/c.env\n"
                                         "  c:\n    build: ./ctx\n"})
    project = project_of(tmp_path, "sub/compose.yaml", {"HOME": "/home/u"})
    refs = {r.raw: r for r in project.env_files}
    assert refs["a.env"].path == tmp_path / "sub/a.env" and refs["a.env"].line == 3
    assert refs["./b.env"].required is False and refs["./b.env"].line == 6
    assert refs["${HOME}/c.env"].interpolated and refs["${HOME}/c.env"].path == Path("/home/u/c.env")
    assert project.builds[0].dockerfile == tmp_path / "sub/ctx/Dockerfile"


def test_paths_are_normalised(tmp_path: Path):
    write(tmp_path, {"sub/compose.yaml": "services:\n  a:\n    env_file: ../config/./app.env\n    build: ../ctx/\n"})
    project = project_of(tmp_path, "sub/compose.yaml")
    (ref,) = project.env_files
    assert ref.path == tmp_path / "config/app.env" and ".." not in ref.path.parts
    assert project.builds[0].context == tmp_path / "ctx"


# Issue 9: `env_file: ["${CFG}/.env", 'C:\proj\app\.env']`. project/compose_files resolved `<dir>/${CFG}/.env`
# (no interpolation) and a RELATIVE Windows path; levels/compose resolved `/cfg/.env` and kept the drive.
# Right: interpolate like compose (the environment over the project's .env), keep the drive (a Windows path
# names a file on Windows only).
def test_issue9_env_file_interpolation_and_windows_drive(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: x\n    env_file: [\"${CFG}/.env\", 'C:\\proj\\app\\.env']\n"})
    env_ref, win_ref = project_of(tmp_path, env={"CFG": "/cfg"}).env_files
    assert env_ref.path == Path("/cfg/.env") and env_ref.checkable
    assert win_ref.resolved.kind == "windows" and win_ref.resolved.text == "C:\\proj\\app\\.env"
    assert not win_ref.checkable  # not a relative path under the project on Linux
    (_, win_on_windows) = project_of(tmp_path, env={"CFG": "/cfg"}, platform="win32").env_files
    assert win_on_windows.resolved.kind == "local"
    (tmp_path / ".env").write_text("CFG=/from-dotenv\n")
    assert project_of(tmp_path).env_files[0].path == Path("/from-dotenv/.env")  # the project's .env
    assert project_of(tmp_path, env={"CFG": "/shell"}).env_files[0].path == Path("/shell/.env")  # shell wins


def test_env_file_required_variable_error(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: x\n    env_file: ${CFG:?set CFG first}/.env\n"})
    (ref,) = project_of(tmp_path).env_files
    assert ref.resolved.error == "required variable CFG is missing a value: set CFG first" and not ref.checkable


# Issue 9: a git URL as `build:` became a local Dockerfile path in levels/compose. Right: remote, no Dockerfile.
@pytest.mark.parametrize("build", [
    "https://github.com/docker/rootfs.git#main", "git@github.com:user/repo.git",
    "{context: 'https://github.com/user/repo.git#v1:sub', dockerfile: Dockerfile.prod}",
])
def test_issue9_git_url_build_is_remote(tmp_path: Path, build: str):
    write(tmp_path, {"compose.yaml": f"services:\n  m:\n    build: {build}\n"})
    (ref,) = project_of(tmp_path).builds
    assert ref.remote and ref.context is None and ref.dockerfile is None and ref.line == 3
    assert project_of(tmp_path).services["m"].dockerfile is None


def test_dockerfile_inline_has_no_dockerfile_path(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    build:\n      context: .\n      dockerfile_inline: FROM x\n"})
    (ref,) = project_of(tmp_path).builds
    assert ref.context == tmp_path and ref.dockerfile is None and not ref.remote


# -- mounts -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("item, kind, source, target, passed_in", [
    ("./app:/home/app", "bind", "/p/app", "/home/app", False),
    ("${HOST_PROJECT_DIR}/app:/home/app:ro", "bind", "/host/x/app", "/home/app", True),
    ("${HOST_PROJECT_DIR:?say it}/app:/home/app", "bind", "/host/x/app", "/home/app", True),
    ("code:/home/app", "volume", "code", "/home/app", False),
    ("/home/app", "anonymous", "", "/home/app", False),
    ({"type": "bind", "source": "../up", "target": "/u"}, "bind", "/up", "/u", False),
    ("C:\\Users\\me\\app:/home/app", "bind", "C:\\Users\\me\\app", "/home/app", False),
    ("C:/Users/me/app:/home/app", "bind", "C:\\Users\\me\\app", "/home/app", False),
    ("${VOL}:/data", "volume", "named", "/data", True),  # interpolated first, then read: a volume name
    ({"type": "tmpfs", "target": "/run"}, "tmpfs", "", "/run", False),
])
def test_service_mounts(item, kind, source, target, passed_in):
    layer = Layer("s", {"volumes": [item]}, Path("/p/compose.yaml"), None,
                  PathResolver(Path("/p"), {"HOST_PROJECT_DIR": "/host/x", "VOL": "named"}, "linux"))
    (mount,) = mounts(layer)
    assert (mount.kind, mount.source, mount.target, mount.passed_in) == (kind, source, target, passed_in)


def test_tmpfs_key_and_volume_override_by_target(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  base:\n    image: x\n    volumes: [code:/app, ./a:/a]\n"
                                     "  m:\n    extends: base\n    volumes: [./src:/app]\n    tmpfs: /run\n"})
    m = project_of(tmp_path).services["m"]
    assert {(x.kind, x.target, x.source) for x in m.mounts} == {
        ("bind", "/app", str(tmp_path / "src")), ("bind", "/a", str(tmp_path / "a")), ("tmpfs", "/run", "")}


def test_merge_resolved_keeps_raw_sources_and_takes_real_names(tmp_path):
    write(tmp_path, {"docker-compose.yml": "services:\n  m:\n    image: i\n    volumes: [\"${HOST_DIR}/app:/home/app\", "
                                           "\"vol:/data\"]\n    env_file: app/.env\nvolumes:\n  vol:\n"})
    model = project_of(tmp_path, "docker-compose.yml", {"HOST_DIR": "/h"})
    resolved = {"name": "proj", "volumes": {"vol": {"name": "proj_vol"}}, "services": {"m": {"image": "i", "volumes": [
        {"type": "bind", "source": "/h/app", "target": "/home/app"},
        {"type": "volume", "source": "vol", "target": "/data", "volume": {"nocopy": True}}]}}}
    merged = merge_resolved(model, resolved)
    assert merged.volumes == {"vol": "proj_vol"} and merged.resolved_by == "docker compose config"
    bind, vol = merged.services["m"].mounts
    assert bind.passed_in and bind.source == "/h/app" and bind.origin.line == 4
    assert vol.kind == "volume"
    assert [r.path for r in merged.services["m"].env_files] == [tmp_path / "app" / ".env"]


# -- bad input --------------------------------------------------------------------------------------------
def test_bad_yaml_is_a_problem_not_an_exception(tmp_path: Path):
    write(tmp_path, {"compose.yml": "services:\n  a: [\n"})
    bad = project_of(tmp_path, "compose.yml")
    assert bad.error and bad.error.message.startswith("not valid YAML") and bad.error.origin.line
    assert bad.env_files == []
    (tmp_path / "compose.yml").write_text("- 1\n- 2\n")
    assert "not a mapping" in project_of(tmp_path, "compose.yml").error.message
    (tmp_path / "compose.yml").write_text("")
    empty = project_of(tmp_path, "compose.yml")
    assert empty.error is None and empty.services == {}
    (tmp_path / "compose.yml").write_bytes(b"\x00\x01\x02binary")
    (only,) = load_projects(ProjectFiles(tmp_path), {})
    assert only.error.message.startswith("binary")


# -- include and extends ------------------------------------------------------------------------------------
def test_include_keeps_the_included_files_own_lines_and_folder(tmp_path: Path):
    write(tmp_path, {
        "compose.yaml": "include:\n  - sub/compose.yaml\n  - path: [other/more.yaml]\nservices:\n  web:\n    image: w\n",
        "sub/compose.yaml": "services:\n  db:\n    image: d\n    env_file: db.env\nvolumes:\n  data: {}\n",
        "other/more.yaml": "services:\n  extra:\n    image: e\n    env_file:\n      - path: ./x.env\n        required: false\n"})
    projects = load_projects(ProjectFiles(tmp_path), {})
    assert [p.rel for p in projects] == ["compose.yaml"]  # sub/compose.yaml is part of it, not its own
    (project,) = projects
    assert set(project.services) == {"web", "db", "extra"}
    db, extra = project.env_files
    assert (db.compose, db.line, db.path) == (tmp_path / "sub/compose.yaml", 4, tmp_path / "sub/db.env")
    assert (extra.compose, extra.line, extra.required) == (tmp_path / "other/more.yaml", 5, False)
    assert project.volumes == {"data": f"{normalize_project_name(tmp_path.name)}_data"}
    assert set(project.files) == {tmp_path / "compose.yaml", tmp_path / "sub/compose.yaml", tmp_path / "other/more.yaml"}


def test_include_problems(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "include:\n  - missing.yaml\n  - ../outside.yaml\n  - loop.yaml\nservices: {}\n",
                     "loop.yaml": "include: [compose.yaml]\nservices: {}\n"})
    kinds = [(p.kind, p.origin.line) for p in project_of(tmp_path).problems]
    assert kinds == [("include", 2), ("include", 3), ("include", 1)]


def test_extends_same_file_and_other_file(tmp_path: Path):
    write(tmp_path, {
        "compose.yaml": "services:\n  base:\n    image: b\n    env_file: base.env\n"
                        "  web:\n    extends: base\n    env_file: web.env\n"
                        "  api:\n    extends:\n      file: common/services.yml\n      service: common\n",
        "common/services.yml": "services:\n  common:\n    build: .\n    env_file: common.env\n    working_dir: /srv\n"})
    project = project_of(tmp_path)
    web = project.services["web"]
    assert [(r.raw, r.line) for r in web.env_files] == [("base.env", 4), ("web.env", 7)]  # appended, base first
    assert web.image == "b" and web.extends[0].line is not None
    api = project.services["api"]
    (ref,) = api.env_files
    assert (ref.compose, ref.line, ref.path) == (tmp_path / "common/services.yml", 4, tmp_path / "common/common.env")
    assert api.build.context == tmp_path / "common" and api.working_dir == "/srv"
    assert tmp_path / "common/services.yml" in project.files


def test_extends_problems(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  a:\n    extends: nope\n  b:\n    extends: {file: gone.yml, service: x}\n"
                                     "  c:\n    extends: d\n  d:\n    extends: c\n"})
    problems = project_of(tmp_path).problems
    assert {p.kind for p in problems} == {"extends"}
    assert {p.origin.line for p in problems} == {3, 5, 7, 9}  # the loop c -> d -> c is named from both ends


def test_passed_env_keeps_hashes_only_and_undoes_compose_dollar_escape(tmp_path):
    from dind_doctor.compose_cli import _passed_env
    from dind_doctor.project.dotenv_lint import digest

    # `docker compose config` prints `$` as `$$`; a key it leaves unset is absent; null is unset too.
    passed = _passed_env({"A": "pa$$word", "B": "", "C": "x\r", "D": None, "E": 5})
    assert passed == {"A": (digest("pa$word"), False), "B": (digest(""), False), "C": (digest("x\r"), True),
                      "E": (digest("5"), False)}
    assert "pa$word" not in repr(passed)
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: i\n    env_file: .env\n"})
    merged = merge_resolved(project_of(tmp_path), {"services": {"m": {"env": passed}}})
    assert merged.passed_env == {"m": passed}


@pytest.mark.parametrize("files,env,platform,settles", [
    ({"compose.yaml": "services:\n  m:\n    image: i\n    volumes: [data:/d, ./src:/s]\nvolumes:\n  data:\n"}, {},
     "linux", True),
    ({"compose.yaml": "services:\n  m:\n    image: ${IMG:-i}\n"}, {}, "linux", False),  # interpolation
    ({"compose.yaml": "services:\n  m:\n    image: i\n    profiles: [debug]\n"}, {}, "linux", False),
    ({"compose.yaml": "include: [other.yaml]\nservices:\n  m:\n    image: i\n",
      "other.yaml": "services:\n  o:\n    image: i\n"}, {}, "linux", False),
    ({"compose.yaml": "services:\n  m:\n    image: i\n  n:\n    extends: m\n"}, {}, "linux", False),
    ({"compose.yaml": "services:\n  m:\n    image: i\n"}, {"COMPOSE_PROJECT_NAME": "other"}, "linux", False),
    ({"compose.yaml": "services:\n  m:\n    image: i\n", ".env": "COMPOSE_PROJECT_NAME=other\n"}, {}, "linux", False),
    ({"compose.yaml": "services:\n  m:\n    image: i\n", ".env": "A=1\n"}, {}, "linux", True),
    ({"compose.yaml": "services:\n  m:\n    image: i\n"}, {}, "win32", False),  # compose converts paths
    ({"compose.yaml": "services: [\n"}, {}, "linux", False),  # a problem: compose's words are wanted
])
def test_the_raw_model_settles_what_compose_would_say(tmp_path, monkeypatch, files, env, platform, settles):
    from dind_doctor import subprocesses
    from dind_doctor.compose_cli import RAW_SETTLES, raw_settles, resolved_project
    from dind_doctor.context import Context

    write(tmp_path, files)
    ctx = Context(project=tmp_path, shell="bash", env=env, platform=platform)
    (project,) = ctx.project_model.compose
    assert raw_settles(ctx, project) is settles
    if settles:  # no `docker compose config` child, and the evidence says why
        monkeypatch.setattr(subprocesses, "run", lambda *a, **k: pytest.fail("a compose child was started"))
        assert resolved_project(ctx, project).resolved_by == RAW_SETTLES


@pytest.mark.parametrize("copies", [2, 12])
def test_every_compose_file_is_read_and_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copies: int):
    # included_by_others and project() both ask for each file, and an included or extended file is asked
    # for by each project that names it: the loader's cache makes each a single read and a single parse.
    from dind_doctor.project import compose_loader

    parsed: list[str] = []
    monkeypatch.setattr(compose_loader, "load_bounded", lambda text: parsed.append(text) or load_bounded(text))
    write(tmp_path, {"common/base.yaml": "services:\n  base:\n    image: b\n",
                     "common/shared.yaml": "services:\n  shared:\n    image: s\n"})
    for i in range(copies):
        write(tmp_path, {f"app{i}/compose.yaml": "include:\n  - ../common/shared.yaml\nservices:\n  web:\n"
                                                 "    extends:\n      file: ../common/base.yaml\n      service: base\n"})
    files = ProjectFiles(tmp_path)
    projects = load_projects(files, {})
    assert sorted(p.rel for p in projects) == sorted(f"app{i}/compose.yaml" for i in range(copies))
    assert all(set(p.services) == {"web", "shared"} and p.services["web"].image == "b" for p in projects)
    assert len(parsed) == copies + 2 and files.reads == copies + 2


@pytest.mark.parametrize("text, expected", [
    ("plain/path}", ("plain/path}", (), None)),  # a `}` outside a default is text
    ("a$$b$", ("a$b$", (), None)),  # `$$` is one `$`; a `$` ending the text stays
    ("${A:-x}y}${B-${C:-c}}/$A/$1", ("vay}c/va/$1", (), None)),
    ("${U:-${V}}-${U}-$U", ("--", ("V", "U"), None)),
    ("${A:+on}${E:+on}${A:?x}${U:?gone}", ("onva", (), "required variable U is missing a value: gone")),
    ("${1x} ${A", ("${1x} va", (), "invalid interpolation `${1x}`")),
])
def test_interpolation_copies_the_text_between_variables(text, expected):
    from dind_doctor.project.path_resolver import interpolate

    done = interpolate(text, {"A": "va", "E": ""})
    assert (done.text, done.missing, done.error) == expected
