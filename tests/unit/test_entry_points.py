"""The entry-point reader answers exactly what importlib.metadata answers, without importing it."""
import importlib.metadata
import subprocess
import sys
import zipfile

import pytest

from dind_doctor import entry_points as reader


def pairs(eps):
    return [(ep.name, ep.value) for ep in eps]


@pytest.mark.parametrize("group", ["dind_doctor.checks", "console_scripts", "pytest11"])
def test_same_entry_points_as_importlib_metadata_on_this_machine(group):
    assert pairs(reader.entry_points(group)) == pairs(importlib.metadata.entry_points(group=group))


def dist_info(site, name, version, text):
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nName: not this\n")
    (info / "entry_points.txt").write_text(text)
    return info


def test_first_distribution_on_sys_path_wins_and_legacy_editable_egg_info_counts(tmp_path, monkeypatch):
    venv, system, checkout = tmp_path / "venv", tmp_path / "system", tmp_path / "checkout"
    dist_info(venv, "My.Plugin", "2.0", "[g]\nnew = mine.v2:C\n")
    dist_info(system, "my-plugin", "1.0", "[g]\nold = mine.v1:C\n")  # same normalised name: shadowed
    egg = checkout / "other_plugin.egg-info"  # `setup.py develop` / pip install -e of an old setuptools
    egg.mkdir(parents=True)
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: other-plugin\n")
    (egg / "entry_points.txt").write_text("# a comment\n[other]\nx = y:z\n\n[g]\n  spaced  =  pkg.mod : Attr [extra]\n")
    for folder in (checkout, system, venv):
        monkeypatch.syspath_prepend(str(folder))
    expected = pairs(importlib.metadata.entry_points(group="g"))
    got = reader.entry_points("g")
    assert pairs(got) == expected == [("new", "mine.v2:C"), ("spaced", "pkg.mod : Attr [extra]")]
    assert [ep.package for ep in got] == ["My.Plugin", "other-plugin"]


def test_load_follows_the_entry_point_grammar(tmp_path, monkeypatch):
    (tmp_path / "plug_mod.py").write_text("class Outer:\n    class Inner:\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "plug_mod", raising=False)
    loaded = reader.EntryPoint("x", "plug_mod : Outer.Inner [extra]").load()
    assert loaded.__qualname__ == "Outer.Inner"
    with pytest.raises(ValueError):
        reader.EntryPoint("x", "not a module path").load()


def test_a_zip_on_sys_path_is_read_by_importlib_metadata(tmp_path, monkeypatch):
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_plugin-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped-plugin\n")
        z.writestr("zipped_plugin-1.0.dist-info/entry_points.txt", "[g]\nzipped = zipped_plugin:C\n")
    monkeypatch.syspath_prepend(str(archive))
    [ep] = reader.entry_points("g")
    assert (ep.name, ep.value, ep.package) == ("zipped", "zipped_plugin:C", "zipped-plugin")


def test_listing_the_checks_does_not_import_importlib_metadata():
    code = ("import sys; from dind_doctor.registry import checks_by_id; ids = checks_by_id(); "
            "assert 'docker-socket' in ids, ids; print('importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
