"""The level walk's pure parts: run-script parsing, path mapping, observation protocol, matrix rendering."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dind_doctor.levels import matrix
from dind_doctor.levels.matrix import Cell, Row
from dind_doctor.levels.observe import observe_script, parse_observations
from dind_doctor.project.docker_commands import Bind, DockerCommand
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.file_text import FileText
from dind_doctor.project.host_run import HostRun, find_host_run, host_runs
from dind_doctor.project.scripts import SUFFIXES, ProjectScripts, ScriptSource

SEED_PS1 = """# run_host.ps1

docker run -it --rm --privileged `
    -v //var/run/docker.sock:/var/run/docker.sock `
    -v ${pwd}/hosted:/home/hosted `
    python-dind:3.12-slim
"""


def parse(text: str, script: Path, run_from: Path) -> HostRun | None:
    """The first `docker run` of a script's text, read from `run_from` (the script's dialect by suffix)."""
    dialect = next(d for d, suffixes in SUFFIXES.items() if script.suffix in suffixes)
    runs = host_runs(ScriptSource(FileText(script, script.name), dialect, text), run_from)
    return runs[0] if runs else None


def binds(run: HostRun) -> list[tuple[str, str, str]]:
    return [(b.source, b.target, "ro" if b.read_only else "") for b in run.binds]


def test_seed_run_script():
    spec = parse(SEED_PS1, Path("/p/run_host.ps1"), Path("/p"))
    assert spec.image == "python-dind:3.12-slim" and spec.privileged and spec.socket
    assert binds(spec) == [("/var/run/docker.sock", "/var/run/docker.sock", ""), ("/p/hosted", "/home/hosted", "")]


@pytest.mark.parametrize("script, line, bind", [
    ("run.sh", 'docker run -v "$PWD/hosted:/home/hosted:ro" img', ("/p/hosted", "/home/hosted", "ro")),
    ("run.cmd", "docker run -v %cd%\\hosted:/home/hosted img", ("/p\\hosted", "/home/hosted", "")),
    ("run.ps1", 'docker run -v "C:\\Users\\me\\hosted:/home/hosted" img', ("C:\\Users\\me\\hosted", "/home/hosted", "")),
    ("run.sh", "docker run --mount type=bind,source=./hosted,target=/h img", ("/p/hosted", "/h", "")),
    ("run.sh", "docker run --volume=$(pwd)/x:/x img", ("/p/x", "/x", "")),
])
def test_run_script_dialects(script, line, bind):
    spec = parse(line, Path("/p") / script, Path("/p"))
    assert binds(spec) == [bind] and spec.image == "img"


def test_run_script_env_workdir_and_continuations():
    text = "docker run -d \\\n  -e A=1 --env B -w /w --name x \\\n  -p 1:2 image:tag sh -c 'x'\n"
    spec = parse(text, Path("/p/run.sh"), Path("/p"))
    assert spec.env == {"A": "1", "B": None} and spec.workdir == "/w" and spec.image == "image:tag"
    assert parse("echo no docker here", Path("/p/x.sh"), Path("/p")) is None


def test_find_runs_the_seed_script_from_above_hosted():
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "seed_project"
    spec = find_host_run(ProjectScripts(ProjectFiles(seed)), seed)
    assert spec.run_from == seed and ("%s/hosted" % seed, "/home/hosted", "") in binds(spec)


def test_outer_path_uses_the_longest_bind():
    command = DockerCommand("bash", (), "run")
    spec = HostRun(Path("/p/r.sh"), Path("/p"), command, tuple(
        Bind(source, target, False, None) for source, target in (("/p/hosted", "/home/hosted"),
                                                                 ("/p/hosted/app", "/code"))))
    assert spec.outer_path(Path("/p/hosted/app/x.py")) == "/code/x.py"
    assert spec.outer_path(Path("/p/hosted/docker-compose.yml")) == "/home/hosted/docker-compose.yml"
    assert spec.outer_path(Path("/elsewhere")) is None


def test_observation_script_runs_in_sh_and_never_prints_values(tmp_path):
    (tmp_path / "f.txt").write_text("abc")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x").write_text("1")
    script = observe_script({"file": str(tmp_path / "f.txt"), "dir": str(tmp_path / "d"),
                                  "gone": str(tmp_path / "nope")}, ["SECRET_KEY", "EMPTY_ONE", "ABSENT"])
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "hunter2", "EMPTY_ONE": ""}).stdout
    assert "hunter2" not in out
    obs = parse_observations("== outer\n" + out + "compose chatter\n== exit 0\n")
    seen = obs["outer"]
    assert seen["file"][:3] == ("F", "file", "3")
    assert seen["file"][3] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert seen["dir"] == ("D", "dir", "1") and seen["gone"] == ("M", "gone")
    assert seen["SECRET_KEY"][2] == "set" and seen["EMPTY_ONE"][2] == "empty" and seen["ABSENT"][2] == "unset"
    assert "exit 0" in obs and obs["other"]["0"] == ("compose chatter",)


def _row(**states):
    return Row("r", "a row", {lv: Cell(st, f"why {lv}") for lv, st in states.items()})


def test_first_loss_is_the_first_missing_stale_or_empty_level():
    assert _row(host="seen", outer="seen", module="stale").first_loss()[0] == "module"
    assert _row(host="seen", outer="missing", module="missing").first_loss()[0] == "outer"
    assert _row(host="n/a", outer="n/a", module="seen").first_loss() is None
    assert _row(host="seen", outer="seen", module="unknown").first_loss() is None


def test_render_table_and_json():
    rows = [_row(host="seen", outer="seen", module="stale"), _row(host="seen", outer="n/a", module="seen")]
    text = matrix.render(rows, {"project": "hosted"}, unicode=False)
    assert "STALE" in text and "module container: why module" in text and "project: hosted" in text
    assert "✔" in matrix.render(rows, {}, unicode=True)
    data = matrix.to_json(rows, {})
    assert data["rows"][0]["lost_at"] == "module" and data["rows"][1]["lost_at"] is None
    assert data["rows"][0]["cells"]["outer"] == {"state": "seen", "note": "why outer"}
