"""Cleanup's verdict on the daemon's answers when two runs remove the same thing (pure logic: the answers
are docker-py's own exception objects, as the daemon's 404 and 409 produce them)."""
from __future__ import annotations

import requests
from docker.errors import APIError

from dind_doctor.engine.cleanup import CleanupReport, _remove


def _answer(status: int, text: str) -> APIError:
    response = requests.Response()
    response.status_code = status
    return APIError(text, response=response, explanation=text)


class _Item:
    def __init__(self, error: Exception | None) -> None:
        self.error = error


def _remove_with(kind: str, error: Exception | None) -> CleanupReport:
    report = CleanupReport()

    def remove(item: _Item) -> None:
        if item.error is not None:
            raise item.error

    _remove(kind, _Item(error), lambda item: "x", remove, report)
    return report


def test_a_container_another_cleanup_is_removing_is_not_a_problem():
    # Seen in CI: two runs swept the same dead run; the second got "removal of container ... is already in
    # progress" (409) and reported it as a failure.
    report = _remove_with("container", _answer(409, "removal of container abc is already in progress"))
    assert report.problems == []


def test_gone_is_fine_and_other_refusals_are_reported():
    assert _remove_with("volume", _answer(404, "no such volume")).problems == []
    assert _remove_with("volume", _answer(409, "volume is in use")).problems == ["volume x: volume is in use"]
    assert _remove_with("network", _answer(500, "boom")).problems == ["network x: the daemon failed (500): boom"]
    assert _remove_with("container", None).removed == ["container x"]


def test_a_container_being_removed_is_waited_for_until_gone():
    answers = [_answer(409, "removal of container abc is already in progress")] * 2 + [_answer(404, "no such container")]
    asked = []

    def remove(item: _Item) -> None:
        asked.append(1)
        raise answers[len(asked) - 1]

    report = CleanupReport()
    _remove("container", _Item(None), lambda item: "x", remove, report)
    assert len(asked) == 3 and report.problems == [] and report.removed == []
