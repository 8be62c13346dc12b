"""Contract table of the ONE reader of docker commands in scripts (project/shell_words + docker_commands,
project/current_folder, project/host_run), per dialect, including every input on which the readers it
replaces (levels/runscript.py and project/volume_args.py) disagreed (issue 9)."""
from __future__ import annotations

from pathlib import Path

import pytest

from dind_doctor.project.current_folder import expand, folder_refs
from dind_doctor.project.docker_commands import docker_commands, resolved_binds
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.file_text import FileText
from dind_doctor.project.host_run import find_host_run, host_runs
from dind_doctor.project.scripts import ProjectScripts, ScriptSource
from dind_doctor.project.shell_words import commands

RUN_FROM, SCRIPT_DIR = Path("/p"), Path("/p/scripts")


def one(text: str, dialect: str):
    (cmd,) = docker_commands(text, dialect)
    return cmd


def binds(cmd) -> list[tuple[str, str, bool]]:
    return [(b.source, b.target, b.read_only) for b in resolved_binds(cmd, RUN_FROM, SCRIPT_DIR)]


# (dialect, script text, image, [(host source, target, read-only)])
RUNS = [
    ("powershell", "docker run -it --rm `\n  -v \"${PWD}/hosted:/home/hosted\" `\n  img:1\n",
     "img:1", [("/p/hosted", "/home/hosted", False)]),
    ("powershell", "docker run -v \"$(Get-Location)/a:/a\" -v \"$PSScriptRoot/c:/c\" img\n",
     "img", [("/p/a", "/a", False), ("/p/scripts/c", "/c", False)]),
    ("powershell", "& docker.exe run -v 'C:\\Users\\Zoé\\my app:/app:ro' img # comment\n",
     "img", [("C:\\Users\\Zoé\\my app", "/app", True)]),
    ("bash", "sudo docker run \\\n  -v \"$(pwd)/my dir:/x\" \\\n  --mount type=bind,src=./café,dst=/c,readonly img\n",
     "img", [("/p/my dir", "/x", False), ("/p/café", "/c", True)]),
    ("bash", "docker run -v `pwd`/a:/a -v ${PWD}/b:/b -v \"$(dirname \"$0\")/s:/s\" -v $pwd/no:/no img\n",
     "img", [("/p/a", "/a", False), ("/p/b", "/b", False), ("/p/scripts/s", "/s", False),
             ("$pwd/no", "/no", False)]),  # bash is case-sensitive: $pwd is another (unset) variable
    ("bash", "MSYS_NO_PATHCONV=1 docker run -v //var/run/docker.sock:/var/run/docker.sock -v /c/Users/x:/x img",
     "img", [("/var/run/docker.sock", "/var/run/docker.sock", False), ("/c/Users/x", "/x", False)]),
    ("cmd", "@docker run -v \"%cd%\\my dir:/x\" ^\n  -v %~dp0app:/a ^\n  img\n",
     "img", [("/p\\my dir", "/x", False), ("/p/scripts/app", "/a", False)]),
    ("cmd", "docker run -v D:/data:/data --mount \"type=bind,source=C:\\a,b,target=/t\" img\n",
     "img", [("D:/data", "/data", False), ("C:\\a", "/t", False)]),
]


@pytest.mark.parametrize("dialect, text, image, expected", RUNS)
def test_run_contract(dialect: str, text: str, image: str, expected: list) -> None:
    cmd = one(text, dialect)
    assert (cmd.subcommand, cmd.image) == ("run", image)
    assert binds(cmd) == expected


def test_broken_backtick_is_read_as_powershell_runs_it() -> None:
    """issue 9: runscript joined the lines anyway (two binds and an image); PowerShell ends the command at
    the backtick followed by a space and passes the escaped space as the image: `invalid reference format`.
    The `-v` lines after it are commands of their own that never reach docker."""
    text = "docker run -it --rm ` \n  -v /var/run/docker.sock:/var/run/docker.sock `\n  -v \"${PWD}/h:/h\" `\n  img\n"
    (cmd,) = docker_commands(text, "powershell")
    assert cmd.mounts == [] and cmd.image == " " and cmd.line == 1
    assert [c.words[0].value for c in commands(text, "powershell")] == ["docker", "-v"]
    source = ScriptSource(FileText(Path("/p/run_host.ps1"), "run_host.ps1"), "powershell", text)
    assert host_runs(source, RUN_FROM) == []  # levels does not walk a set-up PowerShell never starts


@pytest.mark.parametrize("dialect, text", [
    ("bash", "docker run -v /a:/a \\ \n  -v /b:/b img\n"),  # `\` then a space: the line ends there too
    ("cmd", "docker run -v C:\\a:/a ^ \n  -v C:\\b:/b img\n"),
])
def test_escape_followed_by_a_space_does_not_continue(dialect: str, text: str) -> None:
    (cmd,) = docker_commands(text, dialect)
    assert [m.mount.target for m in cmd.mounts] == ["/a"]


def test_env_workdir_ports_privileged_and_socket() -> None:
    cmd = one("docker -H tcp://h:2375 container run -d --privileged -e A=1 --env B --env-file ./.env "
              "-w /w -p 8080:80 --publish=9000:9000 -v /var/run/docker.sock:/var/run/docker.sock img sh -c 'x'",
              "bash")
    assert cmd.env == {"A": "1", "B": None} and cmd.env_files == ["./.env"] and cmd.workdir == "/w"
    assert cmd.ports == ["8080:80", "9000:9000"] and cmd.privileged and cmd.socket and cmd.image == "img"
    assert not one("docker run --privileged=false -v //./pipe/docker_engine://./pipe/docker_engine i",
                   "powershell").privileged
    assert one("docker run -v //./pipe/docker_engine://./pipe/docker_engine i", "powershell").socket


def test_compose_invocations() -> None:
    up = one("docker compose -f a.yml --file b.yml -p proj --env-file cfg.env up -d --build", "bash")
    assert (up.subcommand, up.compose_files, up.compose_env_files) == ("compose up", ["a.yml", "b.yml"], ["cfg.env"])
    run = one("docker-compose run --rm -v ./x:/y -e K=v -p 1:2 svc python x.py", "bash")
    assert (run.subcommand, run.image, run.env, run.ports) == ("compose run", "svc", {"K": "v"}, ["1:2"])
    down = one("docker compose down -v", "bash")  # `-v` removes volumes here: no mount
    assert down.subcommand == "compose down" and down.mounts == []


@pytest.mark.parametrize("dialect, text", [
    ("bash", "echo docker run -v /a:/a img"), ("bash", "# docker run -v /a:/a img"),
    ("cmd", "rem docker run -v C:\\a:/a img"), ("cmd", ":: docker run -v C:\\a:/a img"),
    ("powershell", "Write-Host docker run -v /a:/a img"), ("powershell", "<# docker run -v /a:/a img #>"),
    ("powershell", "'docker run -v /a:/a img'"),
])
def test_not_docker_commands(dialect: str, text: str) -> None:
    assert docker_commands(text, dialect) == []


def test_separators_and_redirections() -> None:
    found = docker_commands("cd x && docker run -v /a:/a i > log.txt 2>&1; docker compose up | tee o", "bash")
    assert [(c.subcommand, c.image) for c in found] == [("run", "i"), ("compose up", None)]
    assert [w.value for w in found[0].words] == ["docker", "run", "-v", "/a:/a", "i"]
    cmd = docker_commands("if exist x (\n  docker run -v %cd%:/x img\n)\n", "cmd")
    assert [c.image for c in cmd] == ["img"]


def test_words_keep_positions_and_quoting() -> None:
    (mount,) = one("docker run \\\n    -v \"$PWD/a\":/a img", "bash").mounts
    assert (mount.line, mount.column, mount.text, mount.spec) == (2, 8, '"$PWD/a":/a', "$PWD/a:/a")
    assert not mount.fully_quoted and mount.unquoted == ":/a"
    (split,) = one("docker run -v $(pwd):/code img", "powershell").mounts
    assert split.ps_split and not split.fully_quoted
    (drive,) = one('docker run -v "$PWD:/code" img', "powershell").mounts
    assert drive.ps_bad_drive


@pytest.mark.parametrize("dialect, text, expanded", [
    ("powershell", "${PWD}/a|$pwd.Path/b|$(Get-Location)/c|(Get-Location).Path/d|$PSScriptRoot/e",
     "/p/a|/p/b|/p/c|/p/d|/s/e"),
    ("bash", "${PWD}/a|$PWD/b|$(pwd)/c|`pwd`/d|$(dirname \"$0\")/e|$pwd/f", "/p/a|/p/b|/p/c|/p/d|/s/e|$pwd/f"),
    ("cmd", "%cd%\\a|%CD%\\b|%~dp0c|%~dp0\\d", "/p\\a|/p\\b|/s/c|/s/d"),
])
def test_current_folder_forms(dialect: str, text: str, expanded: str) -> None:
    assert expand(text, dialect, "/p", "/s") == expanded
    assert folder_refs(dialect).search(text)


def test_find_host_run_prefers_a_working_script(tmp_path: Path) -> None:
    (tmp_path / "hosted").mkdir()
    # a broken PowerShell continuation: PowerShell never starts this container, so levels takes run.sh
    (tmp_path / "run_host.ps1").write_text("docker run -it ` \n  -v \"${PWD}/hosted:/home/hosted\" `\n  img\n")
    (tmp_path / "run_host.sh").write_text("docker run -v \"$PWD/hosted:/home/hosted\" img\n")
    run = find_host_run(ProjectScripts(ProjectFiles(tmp_path)), tmp_path)
    assert run is not None and run.script.name == "run_host.sh" and run.run_from == tmp_path
    assert run.outer_path(tmp_path / "hosted" / "x.py") == "/home/hosted/x.py"


def test_never_raises_on_broken_input() -> None:
    for dialect in ("powershell", "bash", "cmd"):
        for text in ("", "docker", "docker run", "docker run -v", 'docker run -v "unterminated', "docker run $(",
                     "docker run ${", "docker run `", "docker run ^", "docker run \\", "((((", "))))", "docker compose"):
            docker_commands(text, dialect)


# -- run_host: described once, by the shipped script ------------------------------------------------------
def test_run_reference_reads_run_host_from_the_shipped_script() -> None:
    from dind_doctor.reference.project import shipped_module
    from dind_doctor.reference.run_host import run_host

    dood, dind = run_host("dood"), run_host("dind")
    assert (dood.module_target, dood.sockets, dood.privileged) == (
        "/home/hosted", (("/var/run/docker.sock", "/var/run/docker.sock"),), False)
    assert (dind.module_target, dind.sockets, dind.privileged) == ("/home/hosted", (), True)
    # the PowerShell script the user runs starts the same dood container
    module = shipped_module()
    source = ScriptSource(FileText(module / "run_host.ps1", "run_host.ps1"), "powershell",
                          (module / "run_host.ps1").read_text(encoding="utf-8"))
    (ps,) = host_runs(source, module.parent)
    assert {(b.source, b.target) for b in ps.binds} == {(str(module), "/home/hosted"), *dood.sockets}


@pytest.mark.parametrize("text, problem", [
    ("docker run -v \"$PWD/hosted:/x\" img\n", "no `docker run` for dood"),
    ("docker run -v /var/run/docker.sock:/var/run/docker.sock -v \"$PWD/other:/x\" img\n", "does not map"),
])
def test_a_run_host_without_what_run_reference_needs_is_a_clear_error(tmp_path: Path, text: str,
                                                                       problem: str) -> None:
    from dind_doctor.reference.run_host import read_run_host
    from dind_doctor.reference.timeline import StageFailed

    with pytest.raises(StageFailed, match=problem):
        read_run_host(text, tmp_path / "hosted", "dood")


def test_powershell_commands_inside_script_blocks() -> None:
    text = ("function Start-Outer {\n    param($Tag)\n    docker run -it --rm `\n        -v \"${PWD}/h:/h\" `\n"
            "        $Tag\n}\nif ($true) { docker run -v $(pwd)/a:/a img }\n")
    found = docker_commands(text, "powershell")
    assert [(c.line, c.image, [m.spec for m in c.mounts]) for c in found] == [
        (3, "$Tag", ["${PWD}/h:/h"]), (7, "img", ["$(pwd)/a:/a"])]
    assert found[1].mounts[0].ps_split  # `$(pwd)/a:/a`: two arguments in PowerShell


def test_bash_commands_inside_functions_and_conditions() -> None:
    text = "start() {\n  docker run -v \"$PWD/a:/a\" img\n}\nif docker run --rm i2; then exit 0; fi\n"
    assert [(c.line, c.image) for c in docker_commands(text, "bash")] == [(2, "img"), (4, "i2")]


def test_build_tags() -> None:
    assert one("docker build \\\n  -f docker/Dockerfile --build-arg A=1 \\\n  -t my/img:1 -t other .", "bash").tags == [
        "my/img:1", "other"]
    assert one("docker buildx build --tag=x:2 --push .", "powershell").tags == ["x:2"]
    assert one("docker image build -t z ^\n  .", "cmd").tags == ["z"]


def test_airflow_module_image_finds_a_tag_built_over_continued_lines(tmp_path: Path) -> None:
    """The regex it replaces read one line at a time: a `-t` on the next line was never found."""
    from test_project_support import make_ctx

    from dind_doctor.checks.airflow_module_image import builders

    (tmp_path / "build.sh").write_text("docker build \\\n  -t extractor_img .\n# docker build -t commented .\n")
    (tmp_path / "README.md").write_text("Build with `docker build -t prose_only .`\n\n```powershell\n"
                                        "docker build -t from_md `\n  .\n```\n")
    found = builders(make_ctx(tmp_path))
    assert {tag: where for tag, where in found.items()} == {
        "extractor_img:latest": ["build.sh:1"], "from_md:latest": ["README.md:4"]}


def test_levels_says_which_run_script_powershell_never_starts(tmp_path: Path) -> None:
    from test_project_support import make_ctx

    from dind_doctor.levels.walk import WalkError, plan

    (tmp_path / "hosted").mkdir()
    (tmp_path / "run_host.ps1").write_text("docker run -it ` \n  -v \"${PWD}/hosted:/home/hosted\" `\n  img\n")
    with pytest.raises(WalkError, match=r"`docker run` at run_host\.ps1:1 ends before its image"):
        plan(make_ctx(tmp_path))


def test_bash_heredoc_bodies_are_text() -> None:
    text = ("cat > run.sh <<'EOF'\ndocker run -v /in/heredoc:/x img\nEOF\ncat <<-END | sh\n\tdocker run i3\n\tEND\n"
            "docker run -v /real:/x img2 <<< 'input'\n")
    assert [(c.line, c.image) for c in docker_commands(text, "bash")] == [(7, "img2")]


def test_forms_cmd_does_not_know() -> None:
    from dind_doctor.project.current_folder import NOT_CMD

    assert [m.group(0) for m in NOT_CMD.finditer("$(pwd) ${PWD} $pwd %cd% $(Get-Location) `pwd`")] == [
        "$(pwd)", "${PWD}", "$pwd", "$(Get-Location)", "`pwd`"]


def test_words_are_built_only_for_commands_that_mention_docker(monkeypatch):
    """15,000 `Write-Host` lines and one docker command: the words of one command are built, not 15,001
    (operation counts); a docker word spelled with quotes or escapes still counts."""
    from dind_doctor.project import shell_words

    built: list[int] = []
    real = shell_words._ps_words
    monkeypatch.setattr(shell_words, "_ps_words", lambda src, args: built.append(len(args)) or real(src, args))
    script = "Write-Host 'a line of a generated script'\r\n" * 15_000 + "docker run --rm -v ${PWD}:/app img\r\n"
    (cmd,) = docker_commands(script, "powershell")
    assert cmd.image == "img" and built == [6]
    assert len(commands(script, "powershell")) == 15_001  # without the filter: every command, as before
    for spelled in ('d"ocker" run img', "d`ocker run img", "& 'docker.exe' run img", "DOCKER run img"):
        assert one(spelled, "powershell").image == "img", spelled
    assert one("d^ocker run img", "cmd").image == "img" and one("d\\ocker run img", "bash").image == "img"
    assert docker_commands("echo hello\nls -la\n", "bash") == []
