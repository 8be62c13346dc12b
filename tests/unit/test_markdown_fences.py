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
