import hashlib
import json

import pytest

from dind_doctor.endpoint import Endpoint, EndpointError, resolve


def write_context(cfg, name, host, tls=False):
    meta = cfg / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": {"Host": host}}}))
    if tls:
        tdir = cfg / "contexts" / "tls" / hashlib.sha256(name.encode()).hexdigest() / "docker"
        tdir.mkdir(parents=True)
        for f in ("ca.pem", "cert.pem", "key.pem"):
            (tdir / f).write_text("x")


def test_default_unix_and_windows(tmp_path):
    env = {"DOCKER_CONFIG": str(tmp_path)}
    assert resolve(env, "linux") == Endpoint("unix:///var/run/docker.sock", "default")
    assert resolve(env, "win32").url == "npipe:////./pipe/docker_engine"


def test_docker_host_wins_over_context(tmp_path):
    write_context(tmp_path, "remote", "tcp://10.0.0.5:2376")
    env = {"DOCKER_CONFIG": str(tmp_path), "DOCKER_HOST": "tcp://localhost:2375", "DOCKER_CONTEXT": "remote"}
    ep = resolve(env, "linux")
    assert (ep.url, ep.source) == ("tcp://localhost:2375", "DOCKER_HOST")


def test_empty_docker_host_is_ignored(tmp_path):
    write_context(tmp_path, "remote", "ssh://me@build-box")
    ep = resolve({"DOCKER_CONFIG": str(tmp_path), "DOCKER_HOST": "", "DOCKER_CONTEXT": "remote"}, "linux")
    assert (ep.url, ep.source, ep.context) == ("ssh://me@build-box", "DOCKER_CONTEXT", "remote")
    assert not ep.is_local


def test_current_context_from_config_with_tls(tmp_path):
    write_context(tmp_path, "desk", "tcp://127.0.0.1:2376", tls=True)
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "desk"}))
    ep = resolve({"DOCKER_CONFIG": str(tmp_path)}, "linux")
    assert ep.context == "desk" and ep.source.startswith("currentContext")
    assert ep.tls is not None and ep.tls.ca.endswith("ca.pem") and ep.tls.verify
    assert ep.is_local


def test_default_context_name_means_platform_default(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "default"}))
    assert resolve({"DOCKER_CONFIG": str(tmp_path)}, "win32").url == "npipe:////./pipe/docker_engine"


def test_unknown_context_is_a_clear_error(tmp_path):
    with pytest.raises(EndpointError, match='context "ghost"'):
        resolve({"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "ghost"}, "linux")


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe{\x00", b"[1, 2]"])
def test_malformed_config_is_a_clear_error(tmp_path, content):
    (tmp_path / "config.json").write_bytes(content)
    with pytest.raises(EndpointError, match="cannot read"):
        resolve({"DOCKER_CONFIG": str(tmp_path)}, "linux")


def test_config_with_bom_is_read(tmp_path):
    (tmp_path / "config.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"currentContext": "default"}).encode())
    assert resolve({"DOCKER_CONFIG": str(tmp_path)}, "linux").context == "default"


def test_endpoint_parts():
    assert Endpoint("unix:///var/run/docker.sock", "x").socket_path == "/var/run/docker.sock"
    assert Endpoint("npipe:////./pipe/docker_engine", "x").pipe_path == r"\\.\pipe\docker_engine"
    assert Endpoint("tcp://host.docker.internal:2375", "x").host_port == ("host.docker.internal", 2375)
    assert Endpoint("tcp://host.docker.internal:2375", "x").is_local
    assert not Endpoint("tcp://192.0.2.10:2376", "x").is_local


def test_display_masks_the_userinfo_of_docker_host():
    from dind_doctor.endpoint import resolve

    ep = resolve({"DOCKER_HOST": "tcp://user:S3cr3t-pw@host:2375"}, "linux")
    assert ep.display == "tcp://***(14)@host:2375" and ep.url.endswith("@host:2375")
    assert resolve({"DOCKER_HOST": "ssh://deploy@host"}, "linux").display == "ssh://deploy@host"
