"""An interrupt that Python's machinery wraps is still an interrupt: exit 130, never a traceback."""
from __future__ import annotations

from click.testing import CliRunner

from dind_doctor.cli import LazyGroup
from dind_doctor.interrupts import EXIT_INTERRUPTED, interrupted_by


def _wrapped_by_set_name() -> BaseException:
    # What CI saw: SIGTERM landed while a lazy import built a dataclass, whose Field.__set_name__ then
    # raised `RuntimeError: Error calling __set_name__ ...` from the KeyboardInterrupt.
    class Interrupting:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    try:
        type("Built", (), {"field": Interrupting()})
    except BaseException as exc:  # the wrapped interrupt is what is under test
        return exc
    raise AssertionError("no exception")


def test_the_wrapped_interrupt_is_recognised():
    exc = _wrapped_by_set_name()
    assert isinstance(exc, RuntimeError) and interrupted_by(exc)
    assert interrupted_by(KeyboardInterrupt())
    assert not interrupted_by(RuntimeError("boom"))
    assert not interrupted_by(ValueError("x"))


def test_a_command_interrupted_inside_python_machinery_exits_130():
    group = LazyGroup()

    @group.command()
    def work() -> None:
        raise _wrapped_by_set_name()

    @group.command()
    def crash() -> None:
        raise RuntimeError("a real bug")

    result = CliRunner().invoke(group, ["work"])
    assert result.exit_code == EXIT_INTERRUPTED and "interrupted" in result.output
    crashed = CliRunner().invoke(group, ["crash"])
    assert crashed.exit_code == 1 and isinstance(crashed.exception, RuntimeError)
