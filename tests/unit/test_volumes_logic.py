"""Pure logic behind named-volume-visibility and sync-volume: naming, manifests, Dockerfile sources, staleness."""
from __future__ import annotations

import io
import tarfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dind_doctor.engine import manifest, staleness
from dind_doctor.engine.sync import tar_folder
from dind_doctor.engine.volumes import parse_time
from dind_doctor.project.build_context import source_folder
from dind_doctor.project.dockerfile_reader import parse_dockerfile

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_project" / "hosted"


# -- naming: see test_compose_model.py (the one compose model) ---------------------------------------------


# -- Dockerfile sources ------------------------------------------------------------------------------
SEED_DOCKERFILE = """FROM python:3.12-slim
WORKDIR /home/app
COPY docker/requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app/ .
"""


def test_seed_dockerfile_copies_app_to_home_app():
    assert parse_dockerfile(SEED_DOCKERFILE).copies_to( "/home/app") == ["docker/requirements.txt", "app/"]
    assert parse_dockerfile(SEED_DOCKERFILE).copies_to( "/elsewhere") == []


def test_dockerfile_last_stage_and_from_copies():
    text = "FROM a AS b\nWORKDIR /x\nCOPY src/ .\nFROM c\nWORKDIR /srv\nCOPY --from=b /x /srv/\n" \
           "COPY --chown=1:1 [\"code/\", \"/srv/app/\"]\nWORKDIR app\nCOPY \\\n  more/ ./\n"
    assert parse_dockerfile(text).copies_to( "/srv/app") == ["code/", "more/"]


def test_source_folder_is_the_copied_directory():
    assert source_folder(parse_dockerfile((SEED / "docker" / "Dockerfile").read_text()), SEED, "/home/app") == SEED / "app"


# -- manifests ---------------------------------------------------------------------------------------
def _tree(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text("print(1)\n")
    (tmp_path / ".env").write_text("K=v\n")
    (tmp_path / "sub" / "b.txt").write_text("b")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.pyc").write_bytes(b"\0")
    return tmp_path


def _tar_stream(files: dict[str, bytes], top: str = "app", chunk: int = 7):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        top_info = tarfile.TarInfo(top)
        top_info.type = tarfile.DIRTYPE
        tar.addfile(top_info)
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    return [data[i:i + chunk] for i in range(0, len(data), chunk)]


def test_folder_manifest_includes_dotfiles_and_skips_caches(tmp_path):
    m = manifest.from_folder(_tree(tmp_path))
    assert sorted(m.entries) == [".env", "a.py", "sub/b.txt"]
    assert m.entries["sub/b.txt"].size == 1


def test_tar_manifest_matches_folder_manifest(tmp_path):
    folder = _tree(tmp_path)
    stream = _tar_stream({".env": b"K=v\n", "a.py": b"print(1)\n", "sub/b.txt": b"b"})
    assert manifest.compare(manifest.from_folder(folder), manifest.from_tar(stream)).clean


def test_compare_reports_missing_dotfiles_changed_and_extra():
    exp = manifest.from_tar(_tar_stream({".env": b"1", "a.py": b"new", "b.py": b"b"}))
    act = manifest.from_tar(_tar_stream({"a.py": b"old", "b.py": b"b", "junk": b"j"}))
    diff = manifest.compare(exp, act)
    assert diff.missing == (".env",) and diff.changed == ("a.py",) and diff.extra == ("junk",)
    assert diff.missing_dotfiles == (".env",) and diff.same == 1 and not diff.clean
    assert "1 changed (a.py)" in diff.summary()


def test_sync_tar_holds_dotfiles_owned_by_root(tmp_path):
    data, expected = tar_folder(_tree(tmp_path))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert set(members) == {".env", "a.py", "sub/b.txt"} == set(expected.entries)
    assert all(m.uid == 0 for m in members.values())


# -- staleness ---------------------------------------------------------------------------------------
def _m(**files: str) -> manifest.Manifest:
    return manifest.from_tar(_tar_stream({k.replace("_dot_", "."): v.encode() for k, v in files.items()}))


T1, T2 = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2024, 2, 1, tzinfo=timezone.utc)


def test_volume_hiding_a_newer_image_is_stale():
    result = staleness.assess(_m(x="old"), _m(x="new"), _m(x="new"), T1, T2)
    assert result.stale and result.volume_older_than_image


def test_volume_matching_image_and_source_is_fresh():
    assert staleness.assess(_m(x="1"), _m(x="1"), _m(x="1"), T2, T1).verdict == "fresh"


def test_image_and_volume_older_than_source():
    assert staleness.assess(_m(x="1"), _m(x="1"), _m(x="2")).verdict == "differs-from-source"


def test_without_image_a_volume_behind_its_source_is_stale():
    assert staleness.assess(_m(x="1"), None, _m(x="2")).stale


def test_missing_dotfiles_are_reported_apart():
    result = staleness.assess(_m(x="1"), _m(x="1"), _m(x="1", _dot_env="k"))
    assert result.verdict == "fresh" and result.missing_dotfiles == (".env",)


def test_empty_and_unknown():
    assert staleness.assess(manifest.Manifest(), _m(x="1"), None).verdict == "empty"
    assert staleness.assess(_m(x="1"), None, None).verdict == "unknown"


def test_same_second_is_not_older():
    created = datetime(2024, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
    built = datetime(2024, 1, 1, 0, 0, 0, 600000, tzinfo=timezone.utc)
    assert staleness.assess(_m(x="1"), _m(x="1"), None, created, built).volume_older_than_image is False


@pytest.mark.parametrize("text, expected", [
    ("2024-05-01T10:11:12Z", datetime(2024, 5, 1, 10, 11, 12, tzinfo=timezone.utc)),
    ("2024-05-01T10:11:12.123456789Z", datetime(2024, 5, 1, 10, 11, 12, 123456, tzinfo=timezone.utc)),
    ("2024-05-01T12:11:12+02:00", datetime(2024, 5, 1, 10, 11, 12, tzinfo=timezone.utc)),
    ("garbage", None), (None, None),
])
def test_parse_time(text, expected):
    assert parse_time(text) == expected
