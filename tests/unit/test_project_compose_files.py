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
