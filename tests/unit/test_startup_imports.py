"""What a command imports is what it needs: the start-up cost of every run (issue 15). Module sets, never
timings: a heavy package that creeps back into a path that does not need it fails here."""
import ast
import os
import subprocess
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_project"
# docker-py and what it pulls (requests, urllib3): ~0.1 s; importlib.metadata (and email): 12-27 ms; psutil: ~8 ms.
ENGINE_ONLY = {"docker", "requests", "urllib3", "importlib.metadata", "email.parser", "tabulate", "socket"}


def modules_after(*args: str, env: dict[str, str] | None = None) -> set[str]:
    # printed with repr, read back with ast: the harness itself imports nothing the run might not (json)
    code = ("import contextlib, io, sys\nfrom dind_doctor.cli import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        cli(sys.argv[1:], prog_name='dind-doctor')\n    except SystemExit:\n        pass\n"
            "print(sorted(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
                         env=None if env is None else {**os.environ, **env})
    assert out.returncode == 0, out.stderr
    return set(ast.literal_eval(out.stdout.splitlines()[-1]))


def test_help_imports_neither_the_model_nor_the_checks_nor_docker():
    loaded = modules_after("--help")
    assert not loaded & (ENGINE_ONLY | {"dind_doctor.model", "dind_doctor.check", "dind_doctor.registry", "yaml",
                                        "psutil", "dind_doctor.records"})


def test_static_check_imports_no_engine_client_no_metadata_reader_no_psutil():
    loaded = modules_after("check", "--static", "--project", str(SEED), "--shell", "auto")
    assert "dind_doctor.checks.docker_socket" in loaded and "yaml" in loaded  # the run did happen
    unexpected = loaded & (ENGINE_ONLY | {"tomllib", "secrets"})
    if sys.platform.startswith("linux"):  # the shell and a local dockerd are read from /proc there
        unexpected |= loaded & {"psutil"}
    assert not unexpected


def test_json_and_csv_are_imported_only_by_what_needs_them(tmp_path):
    # json: the Docker CLI's config.json, compose's JSON, a baseline or an exec-form Dockerfile line (the
    # seed's CMD ["python", ...]); csv: a --mount option, which neither project has.
    config, project = tmp_path / "docker-config", tmp_path / "project"
    config.mkdir()
    project.mkdir()
    (project / "compose.yaml").write_text("services:\n  app:\n    build: .\n    volumes: [./app:/app]\n")
    (project / "Dockerfile").write_text("FROM busybox\nCMD echo shell form\n")
    loaded = modules_after("check", "--static", "--project", str(project), "--shell", "bash",
                           env={"DOCKER_CONFIG": str(config)})
    assert "dind_doctor.project.mount_spec" in loaded and not loaded & {"json", "csv"}
    loaded = modules_after("check", "--static", "--project", str(SEED), "--shell", "auto",
                           env={"DOCKER_CONFIG": str(config)})
    assert "json" in loaded and "csv" not in loaded


def test_a_plain_env_file_is_read_without_python_dotenv_and_fingerprints_only_where_printed():
    # The seed's hosted/app/.env (an env_file of its compose service) is all plain KEY=value lines.
    loaded = modules_after("check", "--static", "--project", str(SEED), "--shell", "auto")
    assert "dind_doctor.project.dotenv_lint" in loaded and not loaded & {"dotenv", "logging", "hashlib"}
    assert "hashlib" in modules_after("check", "--static", "--project", str(SEED), "--format", "json")


def test_an_env_file_line_outside_the_plain_subset_brings_python_dotenv(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: busybox\n    env_file: .env\n")
    (tmp_path / ".env").write_text('A="quoted"\n')
    assert "dotenv" in modules_after("check", "--static", "--project", str(tmp_path), "--shell", "bash")


def test_a_config_file_brings_its_parser(tmp_path):
    (tmp_path / ".dind-doctor.toml").write_text('skip = { "port-2375" = "no daemon here" }\n')
    loaded = modules_after("check", "--static", "--project", str(tmp_path), "--shell", "bash")
    assert ("tomllib" if sys.version_info >= (3, 11) else "tomli") in loaded


def test_explaining_a_check_reads_no_metadata_and_needs_no_engine():
    assert not modules_after("explain", "port-2375") & ENGINE_ONLY


def test_listing_checks_needs_no_engine():  # tabulate (its table) reads its own version with importlib.metadata
    assert not modules_after("list-checks") & {"docker", "requests", "urllib3", "psutil"}


def test_the_program_paces_the_collector_before_click_imports_and_importing_cli_does_not():
    # click's own import allocates enough for a dozen default-paced collections (1.5% of a static run)
    spy = ("import gc, sys\nseen = []\nclass Spy:\n    def find_spec(self, name, path=None, target=None):\n"
           "        if name == 'click':\n            seen.append(gc.get_threshold()[0])\n"
           "sys.meta_path.insert(0, Spy())\n")
    program = ("sys.argv = ['dind-doctor', '--version']\nfrom dind_doctor.console import main\n"
               "try:\n    main()\nexcept SystemExit:\n    pass\nprint(seen)")
    out = subprocess.run([sys.executable, "-c", spy + program], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert ast.literal_eval(out.stdout.strip().splitlines()[-1]) == [50_000]
    importer = "import dind_doctor.cli\nprint(seen + [gc.get_threshold()[0]])"
    out = subprocess.run([sys.executable, "-c", spy + importer], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert ast.literal_eval(out.stdout.strip()) == [700, 700]  # the interpreter's default, untouched


def test_the_program_freezes_what_it_imported_before_the_checks_run_and_importing_cli_does_not():
    # The first collection otherwise walked every object the imports had made (10 ms on the user's repository)
    spy = ("import gc, sys\nimport dind_doctor.runner as runner\nseen = []\nreal = runner.run_checks\n"
           "def run_checks(ctx, items):\n    seen.append(gc.get_freeze_count())\n    return real(ctx, items)\n"
           "runner.run_checks = run_checks\n"
           f"args = ['check', '--static', '--project', {str(SEED)!r}, '--shell', 'bash']\n")
    program = ("sys.argv = ['dind-doctor', *args]\nfrom dind_doctor.console import main\n"
               "try:\n    main()\nexcept SystemExit:\n    pass\nprint(seen)")
    importer = ("from dind_doctor.cli import cli\ntry:\n    cli(args, prog_name='dind-doctor')\n"
                "except SystemExit:\n    pass\nprint(seen)")
    frozen = []
    for code in (program, importer):
        out = subprocess.run([sys.executable, "-c", spy + code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        frozen.append(ast.literal_eval(out.stdout.strip().splitlines()[-1]))
    assert len(frozen[0]) == 1 and frozen[0][0] > 10_000  # the program: click, the checks, their models
    assert frozen[1] == [0]  # an embedder's (or a test's) collector is left alone
