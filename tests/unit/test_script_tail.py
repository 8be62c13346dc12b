"""A PowerShell script larger than the read cap is streamed for its continuations: a broken backtick near
its end is found, in bounded memory, with work that grows with the size and the candidates, not their
product (operation counts, never timings)."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_project_support import run_check

from dind_doctor.checks.backtick_continuation import BacktickContinuation
from dind_doctor.model import Status
from dind_doctor.project import script_tail
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.file_text import MAX_BYTES

LINE = "Write-Host 'a line of a generated script, long enough to be typical'\r\n"


def big_script(path: Path, mib: float, tail: str = "", head: str = "", encoding: str = "utf-8") -> int:
    """Writes head + filler lines (about `mib` MiB) + tail; returns the line number tail starts on."""
    filler = int(mib * 1048576 // len(LINE))
    path.write_bytes((head + LINE * filler + tail).encode(encoding))
    return head.count("\n") + filler + 1


def failures(project: Path) -> list[tuple[int, str]]:
    found = run_check(BacktickContinuation, project)
    assert all("NOT read whole" not in f.summary for f in found)
    return sorted((f.location.line, f.summary) for f in found if f.status is not Status.OK)


def test_a_broken_backtick_near_the_end_of_a_large_script_is_found(tmp_path: Path):
    at = big_script(tmp_path / "run.ps1", 3, "docker run --rm `\r\n  -e A=1 `  \r\n  -v x:/y img\r\nWrite-Host done\r\n")
    ((line, summary),) = failures(tmp_path)
    assert line == at + 1 and "2 spaces" in summary


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-8-sig"])
def test_line_numbers_hold_in_utf16_and_with_a_bom(tmp_path: Path, encoding: str):
    at = big_script(tmp_path / "run.ps1", 2, "docker run `\t\r\n  img\r\n", encoding=encoding)
    assert [line for line, _ in failures(tmp_path)] == [at]


def test_here_strings_and_block_comments_are_not_code(tmp_path: Path):
    tail = ("$doc = @\"\r\ndocker run `  \r\n\"@\r\n"  # inside a here-string: text, not a continuation
            "<#\r\n  docker run `  \r\n#>\r\n"  # inside a block comment
            "docker run `  \r\n  img\r\n")  # code again
    at = big_script(tmp_path / "run.ps1", 2, tail)
    assert [line for line, _ in failures(tmp_path)] == [at + 6]


def test_a_here_string_opened_in_the_head_closes_in_the_tail(tmp_path: Path):
    """The head (first MiB) ends inside a here-string: the tail starts in it, not in code."""
    head = "$doc = @'\r\n"
    at = big_script(tmp_path / "run.ps1", 1.5, "docker run `  \r\n'@\r\ndocker ps `  \r\n  -a\r\n", head=head)
    assert [line for line, _ in failures(tmp_path)] == [at + 2]


def test_the_line_cut_at_the_read_cap_is_read_once(tmp_path: Path):
    broken = "docker run --rm `   \r\n"
    filler = (MAX_BYTES - 10) // len(LINE)
    prefix = LINE * filler
    pad = "x" * (MAX_BYTES - 10 - len(prefix))  # the broken line straddles the 1 MiB boundary
    (tmp_path / "run.ps1").write_text("Write-Host " + pad + "\r\n" + prefix[: -len(LINE)] + broken + "  img\r\n"
                                      + LINE * 20000, newline="")
    lines = [line for line, _ in failures(tmp_path)]
    assert lines == [filler + 1]


def test_a_dangling_backtick_only_at_the_very_end(tmp_path: Path):
    at = big_script(tmp_path / "run.ps1", 2, "docker run `\r\n\r\n\r\n\r\nWrite-Host 'x' `")
    found = failures(tmp_path)
    assert [line for line, _ in found] == [at, at + 4]
    assert "blank line" in found[0][1] and "continues into nothing" in found[1][1]


def test_streaming_is_bounded_and_linear(tmp_path: Path, monkeypatch):
    """Twice the size, the same two candidates: each byte streamed once, the same windows; no block read
    is larger than a chunk, no window longer than its context; a thousand candidates, at most a thousand
    windows, each line tokenized at most once."""
    blocks: list[int] = []
    real = ProjectFiles.stream

    def counting(self, path, start, chunk):
        for block in real(self, path, start, chunk):
            blocks.append(len(block))
            yield block

    monkeypatch.setattr(ProjectFiles, "stream", counting)

    def run(project: Path) -> tuple[script_tail.Tail, int, int]:
        files = ProjectFiles(project)
        content = files.read(project / "run.ps1")
        tail, windows = script_tail.stream_tail(files, content)
        sizes = [len(w.text.splitlines()) for w, _, _ in windows]
        assert tail.streamed == content.size - script_tail.tail_start(content)[0]  # each byte once
        return tail, max(sizes), sum(sizes)

    cases = []
    for mib in (4, 8):
        project = tmp_path / f"p{mib}"
        project.mkdir()
        big_script(project / "run.ps1", mib / 2, "docker run `  \r\n img\r\n" + LINE * int(mib / 2 * 1048576 // len(LINE))
                   + "docker run `  \r\n img\r\n")
        cases.append(run(project))
    (small, small_max, _), (large, large_max, _) = cases
    assert small.windows == large.windows == 2 and small.candidates == large.candidates == 2
    assert max(blocks) <= script_tail.CHUNK
    assert max(small_max, large_max) <= script_tail.CONTEXT + script_tail.AFTER + 1

    many = tmp_path / "many"
    many.mkdir()
    big_script(many / "run.ps1", 1.2, ("docker run `  \r\n img\r\n" + LINE * 300) * 1000)
    tail, longest, tokenized = run(many)
    assert tail.candidates == 1000 and tail.windows <= 1000
    assert tokenized <= tail.candidates * (script_tail.CONTEXT + script_tail.AFTER + 1)
