"""setup-design and volume-design on the user's own project (the seed), a true-DinD project, a compose-only
outer container and wrong-host binds: each finding with its file and line."""
from __future__ import annotations

from pathlib import Path

from test_project_support import SEED, run_check, write_tree as _write

from dind_doctor.checks.setup_design import SetupDesign
from dind_doctor.checks.volume_design import VolumeDesign


def _where(findings) -> dict[tuple[str, int | None], str]:
    return {(f.location.path, f.location.line): f.summary for f in findings if f.location}


def test_seed_is_docker_out_of_docker_with_privileged_and_a_whole_engine():
    findings = run_check(SetupDesign, SEED)
    where = _where(findings)
    assert all(f.status.value == "warn" for f in findings)
    assert "Docker-out-of-Docker, not Docker-in-Docker" in where[("run_host.ps1", 4)]
    assert "privileged AND mounts the socket" in where[("run_host.ps1", 3)]
    assert "docker-ce" in where[("Dockerfile", 7)] and "containerd.io" in where[("Dockerfile", 7)]
    assert "EXPOSE 2375" in where[("Dockerfile", 27)]
    assert len(findings) == 4  # the seed has no bind in its compose file and no tcp DOCKER_HOST
    privileged = next(f for f in findings if f.location.line == 3)
    powershell = [fix.text for fix in privileged.fixes_for("powershell") if fix.shell == "powershell"][0]
    assert "--privileged" not in powershell and "//var/run/docker.sock" in powershell
    dood = next(f for f in findings if f.location.line == 4)
    assert "run-reference --mode dind" in dood.fixes[0].text


def test_seed_volume_over_image_and_the_idle_service():
    findings = run_check(VolumeDesign, SEED)
    where = _where(findings)
    over = where[("hosted/docker-compose.yml", 14)]
    assert "extractor_sql_dag_shared_app" in over and "/home/app" in over and "OLD code" in over
    assert "first_container plays no part" in where[("hosted/docker-compose.yml", 24)]
    volume = next(f for f in findings if f.location.line == 14)
    assert volume.evidence["volume on the daemon"] == "hosted_extractor_sql_dag_shared_app"
    assert "hosted/docker/Dockerfile:" in volume.evidence["image fills it"]
    assert "named-volume-visibility" in volume.detail
    assert any("down -v" in f.text for f in volume.fixes_for("bash"))
    assert any("nocopy" in f.text for f in volume.fixes_for("bash"))


def test_nocopy_volume_is_not_flagged(tmp_path: Path):
    project = _write(tmp_path, {
        "docker-compose.yml": "services:\n  a:\n    build: .\n    volumes:\n      - data:/home/app:nocopy\n"
                              "volumes:\n  data:\n",
        "Dockerfile": "FROM python:3.12-slim\nWORKDIR /home/app\nCOPY app/ .\n"})
    (project / "app").mkdir()
    assert [f.status.value for f in run_check(VolumeDesign, project)] == ["ok"]


def test_true_dind_project_gets_no_dood_finding(tmp_path: Path):
    project = _write(tmp_path, {
        "run.sh": "docker run -d --privileged --name inner docker:dind\n"
                  "docker run --rm -e DOCKER_HOST=tcp://inner:2376 -e DOCKER_TLS_VERIFY=1 docker:cli docker ps\n",
        "docker-compose.yml": "services:\n  dind:\n    image: docker:dind\n    privileged: true\n"
                              "  client:\n    image: docker:cli\n    environment:\n"
                              "      DOCKER_HOST: tcp://dind:2376\n"})
    findings = run_check(SetupDesign, project, shell="bash")
    assert [f.status.value for f in findings] == ["ok"], [f.summary for f in findings]
    # the script's dind, its client (tcp with TLS) and compose's dind
    assert findings[0].evidence["containers that drive Docker"] == 3


def test_compose_only_outer_container_gets_no_dood_finding_but_its_tcp_2375(tmp_path: Path):
    project = _write(tmp_path, {
        "docker-compose.yml": "services:\n  dind:\n    image: docker:dind\n    privileged: true\n"
                              "  outer:\n    build: .\n    environment:\n"
                              "      - DOCKER_HOST=tcp://dind:2375\n",
        "Dockerfile": "FROM python:3.12-slim\nRUN apt-get install -y docker-ce-cli\nENV DOCKER_HOST tcp://dind\n"})
    findings = run_check(SetupDesign, project, shell="bash")
    assert not any("Docker-out-of-Docker, not" in f.summary for f in findings)
    assert not any("whole engine" in f.summary for f in findings)  # the CLI only: nothing to say
    where = _where(findings)
    assert "tcp://dind:2375" in where[("docker-compose.yml", 8)]
    assert "tcp://dind:2375" in where[("Dockerfile", 3)]  # no port: the CLI's default, 2375
    assert len(findings) == 2


def test_compose_service_with_socket_and_privileged(tmp_path: Path):
    project = _write(tmp_path, {"compose.yaml": "services:\n  outer:\n    image: docker:cli\n    privileged: true\n"
                                                "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n"})
    where = _where(run_check(SetupDesign, project, shell="bash"))
    assert "Docker-out-of-Docker" in where[("compose.yaml", 6)]
    assert "privileged AND mounts the socket" in where[("compose.yaml", 4)]


def test_bind_sources_resolve_on_the_wrong_host(tmp_path: Path):
    project = _write(tmp_path, {
        "run.sh": "docker run --rm \\\n  -v /var/run/docker.sock:/var/run/docker.sock \\\n"
                  "  -v \"$PWD/hosted:/home/hosted\" outer:1\n",
        "hosted/docker-compose.yml": "services:\n  app:\n    image: busybox\n    volumes:\n"
                                     "      - ./app:/home/app\n      - ${HOST_PROJECT_DIR}/app:/ok\n"})
    findings = run_check(SetupDesign, project, shell="bash")
    fails = [f for f in findings if f.status.value == "fail"]
    assert len(fails) == 1  # the passed-in ${HOST_PROJECT_DIR} source is meant for the host
    assert (fails[0].location.path, fails[0].location.line) == ("hosted/docker-compose.yml", 5)
    assert fails[0].evidence["daemon looks up"] == "/home/hosted/app"
    assert any("HOST_PROJECT_DIR" in f.text for f in fails[0].fixes_for("bash"))


def test_broken_backtick_never_invents_a_mount(tmp_path: Path):
    # A space after the backtick ends the command: the socket line never reaches `docker run`.
    project = _write(tmp_path, {"run.ps1": "docker run -it --rm --privileged ` \n"
                                           "    -v //var/run/docker.sock:/var/run/docker.sock `\n    img:1\n"})
    findings = run_check(SetupDesign, project)
    assert [f.status.value for f in findings] == ["ok"], [f.summary for f in findings]


def test_an_airflow_services_docker_host_is_left_to_airflow_daemon_access(tmp_path: Path):
    project = _write(tmp_path, {"docker-compose.yml": "services:\n  airflow-worker:\n    image: apache/airflow:2.9.3\n"
                                                      "    environment:\n      DOCKER_HOST: tcp://host.docker.internal:2375\n"})
    assert [f.status.value for f in run_check(SetupDesign, project, shell="bash")] == ["ok"]


def test_a_daemon_exposed_without_tls_is_flagged_where_it_is_written(tmp_path: Path):
    # Issue 10: "a daemon exposed without TLS: flagged where it is written (file and line)".
    project = _write(tmp_path, {"docker-compose.yml": (
        "services:\n"
        "  dind:\n"                                   # 2
        "    image: docker:27-dind\n"
        "    environment:\n"
        "      DOCKER_TLS_CERTDIR: \"\"\n"            # 5: the entry point then listens on 2375, no TLS
        "    ports:\n"
        "      - \"2375:2375\"\n"                     # every interface: a fail
        "  raw:\n"
        "    image: docker:27-dind\n"
        "    command: [\"dockerd\", \"-H\", \"tcp://0.0.0.0:2375\"]\n"   # 10
        "    ports: [\"127.0.0.1:2375:2375\"]\n"
        "  tls:\n"
        "    image: docker:27-dind\n"
        "    command: dockerd --host=tcp://0.0.0.0:2376 --tlsverify\n"
        "  certs:\n"
        "    image: docker:27-dind\n"
        "    environment: [DOCKER_TLS_CERTDIR=/certs]\n")})
    found = {(f.location.path, f.location.line): (f.status.value, f.summary) for f in run_check(SetupDesign, project)
             if "without TLS" in f.summary}
    assert found == {
        ("docker-compose.yml", 5): ("fail", "service dind: docker:dind with DOCKER_TLS_CERTDIR empty "
                                            "(tcp://0.0.0.0:2375): a Docker API without TLS, published on all interfaces"),
        ("docker-compose.yml", 10): ("warn", "service raw: dockerd -H tcp://0.0.0.0:2375: a Docker API without TLS, "
                                             "published on loopback"),
    }
