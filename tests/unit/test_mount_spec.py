"""Contract table of the ONE mount-spec parser (-v, compose short syntax, --mount, compose long syntax,
--tmpfs), with the inputs on which the three old splitters (levels/runscript, levels/compose._split_short,
pwd_path_forms.split_spec) disagreed, and the right answer asserted."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dind_doctor.context import Context
from dind_doctor.project import host_paths
from dind_doctor.project.mount_spec import parse_any, parse_flag, parse_mount_option, parse_short, parse_tmpfs

SHORT = [
    # spec, kind, source, target, read_only, no_copy
    ("./app:/home/app", "bind", "./app", "/home/app", False, False),
    ("/abs:/x:ro", "bind", "/abs", "/x", True, False),
    ("~/code:/code", "bind", "~/code", "/code", False, False),
    ("code:/home/app", "volume", "code", "/home/app", False, False),
    ("code:/home/app:nocopy", "volume", "code", "/home/app", False, True),
    ("code:/data:ro,nocopy", "volume", "code", "/data", True, True),
    ("/home/app", "anonymous", "", "/home/app", False, False),
    # Windows drives: the drive's colon separates nothing (runscript and split_spec agreed, but
    # runscript dropped `C:/x` sources written with a forward slash only when the part was relative).
    ("C:\\Users\\me:/x:ro", "bind", "C:\\Users\\me", "/x", True, False),
    ("C:/Users/me/app:/home/app", "bind", "C:/Users/me/app", "/home/app", False, False),
    ("c:/y:/z", "bind", "c:/y", "/z", False, False),
    # compose-go reads a single letter before `:` as a drive: `v:/data` is ONE field (an anonymous volume
    # at `v:/data`), not the volume `v`; a one-letter volume name does not work in compose either.
    ("v:/data", "anonymous", "", "v:/data", False, False),
    ("D:\\data:C:\\data", "bind", "D:\\data", "C:\\data", False, False),  # a Windows container's target
    ("//c/Users/me:/x", "bind", "//c/Users/me", "/x", False, False),  # Git Bash's conversion-proof form
    ("//var/run/docker.sock:/var/run/docker.sock", "bind", "//var/run/docker.sock", "/var/run/docker.sock",
     False, False),
    ("\\\\server\\share:/mnt", "bind", "\\\\server\\share", "/mnt", False, False),
    # variables: `${VAR:?message}` and `${VAR:-x}` hold colons that separate nothing
    ("${HOST_PROJECT_DIR:?say it}/app:/home/app", "bind", "${HOST_PROJECT_DIR:?say it}/app", "/home/app",
     False, False),
    ("${DATA:-./data}:/data:ro", "bind", "${DATA:-./data}", "/data", True, False),
    ("$(pwd):/code", "bind", "$(pwd)", "/code", False, False),
    ("$(Get-Location):/code", "bind", "$(Get-Location)", "/code", False, False),
    ("${PWD}/sub:/target", "bind", "${PWD}/sub", "/target", False, False),
    ("%cd%\\sub:/target", "bind", "%cd%\\sub", "/target", False, False),
    ("$env:USERPROFILE\\x:/y", "bind", "$env:USERPROFILE\\x", "/y", False, False),
    # compose-go: `app/x` does not start with . / ~ or a drive: a volume NAME (docker refuses it as
    # such); the old levels reader called it a bind because it holds a slash.
    ("app/x:/y", "volume", "app/x", "/y", False, False),
]


@pytest.mark.parametrize("spec, kind, source, target, read_only, no_copy", SHORT)
def test_short_syntax(spec, kind, source, target, read_only, no_copy):
    got = parse_short(spec)
    assert (got.kind, got.source, got.target, got.read_only, got.no_copy) == (kind, source, target, read_only,
                                                                            no_copy)
    assert parse_flag("-v", spec) == got == parse_any(spec)


MOUNT = [
    ("type=bind,source=/a,target=/b", "bind", "/a", "/b", False),
    ("type=bind,src=C:\\a,dst=/b,readonly", "bind", "C:\\a", "/b", True),
    ("type=bind,source=/a,destination=/b,ro=true", "bind", "/a", "/b", True),
    ("type=bind,source=/a,target=/b,readonly=false", "bind", "/a", "/b", False),
    ('type=bind,"source=C:\\a,b",target=/b', "bind", "C:\\a,b", "/b", False),  # CSV quoting, as docker reads
    ("source=code,target=/data", "volume", "code", "/data", False),  # type defaults to volume
    ("target=/data", "anonymous", "", "/data", False),
    ("type=tmpfs,target=/run", "tmpfs", "", "/run", False),
    ("type=bind,source=$PWD/a,dst=/a", "bind", "$PWD/a", "/a", False),
]


@pytest.mark.parametrize("value, kind, source, target, read_only", MOUNT)
def test_mount_option(value, kind, source, target, read_only):
    got = parse_mount_option(value)
    assert (got.kind, got.source, got.target, got.read_only) == (kind, source, target, read_only)
    assert parse_flag("--mount", value) == got


@pytest.mark.parametrize("item, kind, source, target, read_only, no_copy", [
    ({"type": "bind", "source": "../up", "target": "/u"}, "bind", "../up", "/u", False, False),
    ({"type": "volume", "source": "code", "target": "/c", "read_only": True, "volume": {"nocopy": True}},
     "volume", "code", "/c", True, True),
    ({"type": "volume", "target": "/anon"}, "anonymous", "", "/anon", False, False),
    ({"type": "tmpfs", "target": "/run", "tmpfs": {"size": 1000}}, "tmpfs", "", "/run", False, False),
    ({"source": "code", "target": "/c"}, "volume", "code", "/c", False, False),
])
def test_long_syntax(item, kind, source, target, read_only, no_copy):
    got = parse_any(item)
    assert got is not None
    assert (got.kind, got.source, got.target, got.read_only, got.no_copy) == (kind, source, target, read_only,
                                                                            no_copy)


def test_tmpfs_and_non_specs():
    assert (parse_tmpfs("/run:size=64m,mode=1777").target, parse_tmpfs("/run:size=64m").options) == \
        ("/run", ("size=64m",))
    assert parse_flag("--tmpfs", "/run").kind == "tmpfs"
    assert parse_any(42) is None and parse_any(None) is None


@pytest.mark.parametrize("text, drive, windows_abs, url", [
    ("C:\\x", True, True, False), ("C:/x", True, True, False), ("C:", True, True, False),
    ("c:name", False, False, False), ("\\\\srv\\share", False, True, False), ("/x", False, False, False),
    ("https://github.com/a/b.git", False, False, True), ("git@github.com:a/b.git", False, False, True),
    ("github.com/a/b", False, False, True), ("./app", False, False, False),
])
def test_host_path_shapes(text, drive, windows_abs, url):
    assert (host_paths.has_drive(text), host_paths.is_windows_absolute(text), host_paths.is_url(text)) == \
        (drive, windows_abs, url)


def test_windows_normalized():
    assert host_paths.windows_normalized("C:/Users/me/../x/./y") == "C:\\Users\\x\\y"


def test_project_model_is_one_per_context_and_parts_build_once(tmp_path: Path):
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: x\n")
    ctx = Context(project=tmp_path, shell="bash", env={})
    models, composes = [], []

    def use() -> None:
        models.append(ctx.project_model)
        composes.append(ctx.project_model.compose)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(m is models[0] for m in models)
    assert all(c is composes[0] for c in composes) and [c.rel for c in composes[0]] == ["compose.yaml"]
