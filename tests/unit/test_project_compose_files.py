"""Compose files are read raw (PyYAML) with line numbers; env_file paths resolve from the compose file."""
from __future__ import annotations

from pathlib import Path

from dind_doctor.project.compose_files import find_compose_files, is_compose_name, load_compose

REPO = Path(__file__).resolve().parents[2]


def test_names():
    for name in ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.prod.yaml",
                 "Docker-Compose.YML", "compose.override.yml"):
        assert is_compose_name(name), name
    for name in ("compose.json", "my-compose.yml", "docker-compose.yml.bak"):
        assert not is_compose_name(name), name


def test_seed_env_file_and_build(tmp_path: Path):
    found = find_compose_files(REPO / "tests/fixtures/seed_project")
    assert [c.rel for c in found] == ["hosted/docker-compose.yml"]
    (ref,) = found[0].env_files
    assert (ref.service, ref.raw, ref.line, ref.required) == ("extractor_sql", "./app/.env", 12, True)
    assert ref.path == REPO / "tests/fixtures/seed_project/hosted/app/.env"
    (build,) = found[0].builds
    assert build.context == REPO / "tests/fixtures/seed_project/hosted"
    assert build.dockerfile == build.context / "docker/Dockerfile"
    assert found[0].line_of("services", "first_container", "command") == 24


def test_env_file_forms(tmp_path: Path):
    text = """services:
  a:
    env_file: a.env
  b:
    env_file:
      - path: ./b.env
        required: false
      - ${HOME}/c.env
  c:
    build: ./ctx
"""
    compose = load_compose(tmp_path / "sub" / "compose.yaml", "sub/compose.yaml", text)
    refs = {r.raw: r for r in compose.env_files}
    assert refs["a.env"].path == tmp_path / "sub/a.env" and refs["a.env"].line == 3
    assert refs["./b.env"].required is False and refs["./b.env"].line == 6
    assert refs["${HOME}/c.env"].interpolated
    assert compose.builds[0].dockerfile == tmp_path / "sub/ctx/Dockerfile"


def test_bad_yaml_is_an_error_not_an_exception(tmp_path: Path):
    bad = load_compose(tmp_path / "compose.yml", "compose.yml", "services:\n  a: [\n")
    assert bad.error.startswith("not valid YAML") and bad.error_line and bad.env_files == []
    listy = load_compose(tmp_path / "compose.yml", "compose.yml", "- 1\n- 2\n")
    assert "not a mapping" in listy.error
    empty = load_compose(tmp_path / "compose.yml", "compose.yml", "")
    assert empty.error is None and empty.services == {}
    (tmp_path / "compose.yml").write_bytes(b"\x00\x01\x02binary")
    (only,) = find_compose_files(tmp_path)
    assert only.error.startswith("binary")


def test_paths_are_normalised(tmp_path: Path):
    compose = load_compose(tmp_path / "sub" / "compose.yaml", "sub/compose.yaml",
                           "services:\n  a:\n    env_file: ../config/./app.env\n    build: ../ctx/\n")
    (ref,) = compose.env_files
    assert ref.path == tmp_path / "config/app.env" and ".." not in ref.path.parts
    assert compose.builds[0].context == tmp_path / "ctx"


def test_dockerfile_and_env_names():
    from dind_doctor.project.compose_files import is_dockerfile_name, is_env_name

    for name in ("Dockerfile", "containerfile", "Dockerfile.dev", "api.Dockerfile"):
        assert is_dockerfile_name(name), name
    for name in ("Dockerfiles", "my-dockerfile", "Containerfile.dev"):
        assert not is_dockerfile_name(name), name
    for name in (".env", ".env.local", "app.env", ".env.example", "PROD.ENV"):
        assert is_env_name(name), name
    for name in ("env", ".environment", "env.txt"):
        assert not is_env_name(name), name
