"""Markdown code blocks as CommonMark reads them (spec 0.31, "Fenced code blocks", "List items", "Block
quotes", "Tabs"/"Line endings": a line ends at LF, CRLF or CR only), checked through backtick-continuation
so that the line numbers a user sees are the file's."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_project_support import run_check

from dind_doctor.checks.backtick_continuation import BacktickContinuation
from dind_doctor.project.markdown_fences import markdown_blocks

TRAP = "docker run ` \n{p}  -v x:/y img\n"

# (id citing the rule, Markdown, the line of the trailing-space backtick reported, or None)
ROWS = [
    ("CommonMark-fence-in-list-item-4-spaces",
     "1. Run:\n\n    ```powershell\n    docker run ` \n      -v x:/y img\n    ```\n", 4),
    ("CommonMark-fence-in-block-quote", "> Note:\n>\n> ```powershell\n> docker run ` \n>   -v x:/y img\n> ```\n", 4),
    ("CommonMark-nested-fences-in-markdown-example",
     "````markdown\n```powershell\ndocker run ` \n  -v x:/y img\n```\n````\n", 3),
    ("CommonMark-longer-closing-fence-only", "````powershell\n```\ndocker run ` \n  -v x:/y img\n````\n", 3),
    ("CommonMark-line-endings-form-feed-NEL-U+2028",
     "text\x0c more\u2028 text\x85 end\n```powershell\n# a\x0cb\u2028c\x85d\ndocker run ` \n  -v x:/y img\n```\n", 4),
    ("CommonMark-4-spaces-outside-a-list-is-indented-code",
     "Para:\n\n    ```powershell\n    docker run ` \n      -v x:/y img\n    ```\n", None),
]


@pytest.mark.parametrize("rule, text, line", ROWS, ids=[r[0] for r in ROWS])
def test_block_found_on_the_files_line(tmp_path: Path, rule: str, text: str, line: int | None):
    (tmp_path / "README.md").write_text(text, encoding="utf-8", newline="")
    found = [f for f in run_check(BacktickContinuation, tmp_path) if f.status.value == "warn"]
    assert [f.location.line for f in found] == ([line] if line else []), rule


def test_quoted_block_is_fixed_in_place(tmp_path: Path):
    text = "> ```powershell\n> docker run ` \n>   -v x:/y img\n> ```\n"
    (tmp_path / "README.md").write_text(text)
    run_check(BacktickContinuation, tmp_path, fix=True)
    assert (tmp_path / "README.md").read_text() == text.replace("` \n", "`\n")
    assert [f.status.value for f in run_check(BacktickContinuation, tmp_path)] == ["ok"]


def test_block_columns_are_the_files():
    (block,) = markdown_blocks("> ```ps1\n> docker run ` \n> ```\n")
    assert block.quoted and block.text == "  docker run ` \n" and block.first_line == 2


def _blocks(text: str) -> list[tuple[str, int, str, int]]:
    return [(b.language, b.first_line, b.text, b.offset) for b in markdown_blocks(text)]


def test_fence_lines_found_by_search_keep_their_numbers():
    """Fences found with str.find, one search per line that holds one: several marks on a line, ``` and ~~~
    on one line, CR and CRLF endings, a closing fence on the last line with no line end."""
    text = "a ``` b ``` c\r\nx ~~~ ```\r```sh\recho 1\r\n~~~~ not closing\n```\n\n~~~ps1\nx ```\n~~~"
    assert _blocks(text) == [("sh", 4, "echo 1\r\n~~~~ not closing\n", 31), ("ps1", 9, "x ```\n", 68)]


def test_other_line_breaks_shift_no_line_number():
    """A form feed, NEL or U+2028 makes str.splitlines break where CommonMark does not: the same blocks
    with and without them (the slow path is taken only when one is in the text)."""
    plain = "intro\n```bash\nx=1\ny=2\n```\nend\n"
    for brk in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        text = plain.replace("intro", f"in{brk}tro").replace("x=1", f"x{brk}=1")
        assert _blocks(text) == [("bash", 3, f"x{brk}=1\ny=2\n", 15)], repr(brk)
