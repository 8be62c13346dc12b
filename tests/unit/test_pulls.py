"""Image pulls: progress throttling and the failure message (pure logic, no daemon)."""
from __future__ import annotations

import pytest

from dind_doctor.pulls import PullFailed, PullProgress, failure_message, follow, pull
from dind_doctor.reference.options import IMAGE_VARIABLES, images_from_env


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def layer_events(layer: str, total: int, steps: int) -> list[dict]:
    events = [{"status": "Pulling fs layer", "id": layer}]
    for i in range(1, steps + 1):
        events.append({"status": "Downloading", "id": layer,
                       "progressDetail": {"current": total * i // steps, "total": total}})
    return events + [{"status": "Download complete", "id": layer}, {"status": "Pull complete", "id": layer}]


def test_a_burst_of_events_gives_one_line_a_second_at_most():
    clock, lines = Clock(), []
    progress = PullProgress("minio/minio:latest", lines.append, clock)
    events = [{"status": "Pulling from minio/minio", "id": "latest"}]
    events += layer_events("aaa", 40_000_000, 500) + layer_events("bbb", 2_000_000, 500)
    for event in events:  # 1,000+ events in 0.9 s
        progress.feed(event)
        clock.now += 0.9 / len(events)
    assert progress.lines == len(lines) == 1
    assert lines[0].startswith("pulling minio/minio:latest: 0/1 layer(s) done")


def test_a_slow_pull_gives_about_one_line_per_second():
    clock, lines = Clock(), []
    progress = PullProgress("postgres:16-alpine", lines.append, clock)
    events = layer_events("aaa", 10_000_000, 100)
    for event in events:  # 10.2 s of events, one every 0.1 s
        progress.feed(event)
        clock.now += 0.1
    assert 10 <= len(lines) <= 11
    assert all(line.startswith("pulling postgres:16-alpine: ") for line in lines)
    assert progress.summary() == "pulling postgres:16-alpine: 1/1 layer(s) done, 10.0 MB of 10.0 MB"


def test_the_result_tells_fetched_from_present_layers():
    clock = Clock()
    progress = PullProgress("busybox:latest", None, clock)
    for event in layer_events("aaa", 3_000_000, 3) + [{"status": "Already exists", "id": "bbb"},
                                                      {"status": "Digest: sha256:abc"},
                                                      {"status": "Status: Downloaded newer image for busybox:latest"}]:
        progress.feed(event)
    assert progress.lines == 0  # no echo, no line
    assert progress.result(2.0) == ("pulled busybox:latest in 2.0 s: 1 layer(s) fetched (3.0 MB), 1 already present; "
                                    "Downloaded newer image for busybox:latest")


def test_an_error_event_fails_with_the_daemons_words():
    progress = PullProgress("minio/minio:latest", None, Clock())
    with pytest.raises(PullFailed, match="manifest for minio/minio:latest not found"):
        progress.feed({"errorDetail": {"message": "manifest for minio/minio:latest not found"},
                       "error": "manifest for minio/minio:latest not found"})


def test_the_failure_message_names_image_reason_and_override():
    text = failure_message("minio/minio:latest", "dial tcp: lookup registry-1.docker.io: no such host ",
                           ["DIND_DOCTOR_S3_IMAGE"])
    assert text.startswith("cannot pull minio/minio:latest: dial tcp: lookup registry-1.docker.io: no such host.")
    assert "`docker pull minio/minio:latest`" in text and "set DIND_DOCTOR_S3_IMAGE to an image" in text
    both = failure_message("docker:dind", "timeout", ["DIND_DOCTOR_DIND_IMAGE", "DIND_DOCTOR_DOCKER_CLI_IMAGE"])
    assert "set DIND_DOCTOR_DIND_IMAGE or DIND_DOCTOR_DOCKER_CLI_IMAGE to" in both


def test_a_pull_past_its_deadline_stops():
    clock = Clock()

    def endless():
        while True:
            clock.now += 5
            yield {"status": "Downloading", "id": "aaa", "progressDetail": {"current": 1, "total": 9}}

    with pytest.raises(PullFailed, match="took more than 60 s"):
        follow(endless(), PullProgress("x:1", None, clock), deadline=clock.now + 60, timeout=60)


def test_every_stage_image_has_its_override_variable():
    images = images_from_env({"DIND_DOCTOR_S3_IMAGE": "local/s3:1"})
    assert images.wanted("postgres", "s3") == {"DIND_DOCTOR_POSTGRES_IMAGE": "postgres:16-alpine",
                                                "DIND_DOCTOR_S3_IMAGE": "local/s3:1"}
    assert set(IMAGE_VARIABLES) >= {"python", "dind", "docker_cli", "postgres", "s3", "probe"}


class _Response:
    """What requests returns for the daemon's pull stream; `interrupt` raises what Ctrl-C raises mid-pull."""

    def __init__(self, lines: list[bytes], interrupt: bool = False) -> None:
        self.lines, self.interrupt, self.closed = lines, interrupt, False

    def iter_lines(self):
        yield from self.lines
        if self.interrupt:
            raise KeyboardInterrupt

    def close(self) -> None:
        self.closed = True


class _Api:
    _auth_configs = None
    credstore_env = None

    def __init__(self, response: _Response) -> None:
        self.response, self.calls = response, []

    def _url(self, path: str) -> str:
        return path

    def _post(self, url, **kwargs):
        self.calls.append((url, kwargs))
        return self.response

    def _raise_for_status(self, response) -> None:
        pass


class _Client:
    def __init__(self, response: _Response) -> None:
        self.api = _Api(response)


def test_ctrl_c_mid_pull_closes_the_stream(monkeypatch):
    """Closing the stream is what makes the daemon abandon the pull."""
    import docker.auth

    monkeypatch.setattr(docker.auth, "get_config_header", lambda api, registry: None)
    response = _Response([b'{"status": "Pulling fs layer", "id": "aaa"}'], interrupt=True)
    client = _Client(response)
    with pytest.raises(KeyboardInterrupt):
        pull(client, "minio/minio:latest", variables=["DIND_DOCTOR_S3_IMAGE"], echo=None, timeout=60,
             idle_timeout=30)
    assert response.closed
    url, kwargs = client.api.calls[0]
    assert url == "/images/create" and kwargs["params"] == {"fromImage": "minio/minio", "tag": "latest"}
    assert kwargs["timeout"] == (30, 30)  # a silent daemon ends the read: the pull cannot hang


def test_an_error_in_the_stream_names_the_override(monkeypatch):
    import docker.auth

    monkeypatch.setattr(docker.auth, "get_config_header", lambda api, registry: None)
    response = _Response([b'{"status": "Pulling from library/postgres", "id": "16-alpine"}',
                          b'{"errorDetail": {"message": "toomanyrequests: rate limit"}, "error": "toomanyrequests"}'])
    with pytest.raises(PullFailed) as caught:
        pull(_Client(response), "postgres:16-alpine", variables=["DIND_DOCTOR_POSTGRES_IMAGE"], echo=None,
             timeout=60, idle_timeout=30)
    assert str(caught.value).startswith("cannot pull postgres:16-alpine: toomanyrequests: rate limit.")
    assert "DIND_DOCTOR_POSTGRES_IMAGE" in str(caught.value) and response.closed
