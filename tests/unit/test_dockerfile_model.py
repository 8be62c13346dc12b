"""Contract table of the ONE Dockerfile reader (project/dockerfile_reader, into project/dockerfile_model),
including every input on which the two readers it replaces (project/dockerfiles.py and levels/dockerfile.py)
disagreed (issue 9), and issue 8's `COPY --chown` JSON form and heredoc inputs through the env-file check."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_project_support import run_check, summary

from dind_doctor.checks.env_file import EnvFile
from dind_doctor.project.build_context import Dockerfiles, source_folder
from dind_doctor.project.dockerfile_reader import parse_dockerfile
from dind_doctor.project.files import ProjectFiles


# (Dockerfile text, [(line, keyword, copy_sources, destination)] of its context copies)
COPIES = [
    # issue 9: the old project reader read the source as '[app/,'; the JSON form after flags is decoded
    ('FROM x\nCOPY --chown=1:1 ["app/","."]\n', [(2, "COPY", ("app/",), "/")]),
    ('FROM x\nCOPY --chown=1:1 ["app/", "."]\n', [(2, "COPY", ("app/",), "/")]),
    # issue 9: a comment line inside a continued COPY (the old levels reader found nothing)
    ("FROM x\nCOPY \\\n# the code\n  app/ \\\n  /srv/\n", [(2, "COPY", ("app/",), "/srv")]),
    # a blank line inside a continuation is skipped too (BuildKit warns, but builds)
    ("FROM x\nCOPY a \\\n\n  /b/\n", [(2, "COPY", ("a",), "/b")]),
    # issue 8: a line inside a heredoc is no instruction
    ("FROM x\nRUN <<EOF\nset -e\nCOPY . /x\nEOF\nCOPY app/ /y/\n", [(6, "COPY", ("app/",), "/y")]),
    ("FROM x\nRUN <<-EOT bash\n\tCOPY . /x\n\tEOT\nADD conf /etc/\n", [(5, "ADD", ("conf",), "/etc")]),
    # COPY <<EOF creates a file: nothing comes from the context
    ("FROM x\nCOPY <<EOF /app/conf.ini\n[a]\nEOF\n", []),
    ("FROM x\nCOPY <<EOF . /app/\nx\nEOF\n", [(2, "COPY", (".",), "/app")]),
    # --from, URLs and git remotes read no context file
    ("FROM x AS b\nFROM y\nCOPY --from=b /a /b\nADD https://e.org/f.tgz /f\nADD git@github.com:o/r.git /r\n", []),
    ("FROM x\nCOPY --link --chmod=644 a b /dst/\n", [(2, "COPY", ("a", "b"), "/dst")]),
    # quoted paths with spaces and accents (shell form)
    ('FROM x\nWORKDIR /w\nCOPY "my app/" "café/"\n', [(3, "COPY", ("my app/",), "/w/café")]),
    # lower-case keywords, a `#` inside an argument is no comment
    ("from x\ncopy a#b ./\n", [(2, "COPY", ("a#b",), "/")]),
    # the escape directive: a backtick continues, a backslash is a path separator
    ("# escape=`\nFROM mcr.microsoft.com/windows\nCOPY app\\ `\n   C:\\app\\\n", [(3, "COPY", ("app\\",), "C:\\app\\")]),
    # a directive after a comment is a comment: `\` still continues
    ("# hello\n# escape=`\nFROM x\nCOPY a \\\n  /b/\n", [(4, "COPY", ("a",), "/b")]),
    # a BOM does not hide the directive
    ("\ufeff# escape=`\nFROM x\nCOPY a `\n  /b/\n", [(3, "COPY", ("a",), "/b")]),
]


@pytest.mark.parametrize("text, expected", COPIES)
def test_copy_sources_contract(text: str, expected: list) -> None:
    got = [(i.line, i.keyword, i.copy_sources, i.destination) for i in parse_dockerfile(text).copies]
    assert got == expected


def test_instruction_fields() -> None:
    text = ("# syntax=docker/dockerfile:1\nARG BASE=python\nFROM ${BASE} AS build\nWORKDIR /src\n"
            "RUN --mount=type=cache,target=/root/.cache pip install x\nFROM build\nWORKDIR app\n"
            'CMD ["python", "-m", "app"]\n')
    df = parse_dockerfile(text)
    assert df.directives == {"syntax": "docker/dockerfile:1"}
    arg, frm, wd, run, frm2, wd2, cmd = df.instructions
    assert (arg.keyword, arg.stage) == ("ARG", -1)
    assert frm.args == ("${BASE}", "AS", "build") and df.stages[0].name == "build"
    assert run.flag("mount") == "type=cache,target=/root/.cache" and run.args[:2] == ("pip", "install")
    assert run.workdir == "/src" and run.stage == 0
    # a stage built on an earlier one starts in its WORKDIR
    assert df.stages[1].parent == 0 and wd2.workdir == "/src/app"
    assert cmd.json_form and cmd.args == ("python", "-m", "app") and cmd.line == 8


def test_heredoc_bodies_and_lines() -> None:
    df = parse_dockerfile("FROM x\nRUN <<A cat && <<'B' cat\none\nA\ntwo $X\nB\nRUN echo done\n")
    run, last = df.instructions[1:]
    assert [(h.name, h.body) for h in run.heredocs] == [("A", "one\n"), ("B", "two $X\n")]
    assert (run.line, run.end_line, last.line) == (2, 6, 7)


def test_multi_stage_copies_to() -> None:
    text = ("FROM a AS deps\nWORKDIR /srv/app\nCOPY requirements/ ./\n"
            "FROM deps AS final\nCOPY code/ .\n"
            "FROM scratch AS unused\nCOPY other/ /srv/app/\n"
            "FROM final\nCOPY --from=unused /srv/app /srv/app\n")
    df = parse_dockerfile(text)
    # the last stage builds on final, which builds on deps: their copies are in the image, `unused` is not
    assert df.copies_to("/srv/app") == ["requirements/", "code/"]
    assert df.copies_to("/srv/app/") == ["requirements/", "code/"]
    # a single file copied onto the path is not the folder's content
    assert parse_dockerfile("FROM x\nCOPY app.py /srv/app\n").copies_to("/srv/app") == []
    assert parse_dockerfile("FROM x\nCOPY app/ /srv/app\n").copies_to("/srv/app") == ["app/"]


def test_never_raises_on_broken_input() -> None:
    for text in ("", "\\", "COPY", 'COPY ["a", ', "FROM\nWORKDIR\nCOPY 'a /b\n", "RUN <<EOF\n",
                 "COPY --chown\n", "FROM x\nCOPY a \\"):
        parse_dockerfile(text)
    assert parse_dockerfile('FROM x\nCOPY ["a", 1]\n').instructions[1].json_form is False


def test_dockerfiles_part_reads_through_project_files(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM x\nWORKDIR /home/app\nCOPY app/ .\n")
    files = ProjectFiles(tmp_path)
    part = Dockerfiles(files)
    assert part.get(tmp_path / "Dockerfile") is part.get(tmp_path / "Dockerfile")
    assert part.get(tmp_path / "missing") is None
    assert part.source_folder(tmp_path / "Dockerfile", tmp_path, "/home/app") == (tmp_path / "app").resolve()
    outside = parse_dockerfile("FROM x\nCOPY ../ /home/app/\n")
    assert source_folder(outside, tmp_path / "app", "/home/app") is None  # never a folder outside the context


@pytest.mark.parametrize("dockerfile, baked_line", [
    ('FROM x\nCOPY --chown=1:1 ["app/", "."]\n', 2),  # issue 8: was not reported
    ("FROM x\nRUN <<EOF\nCOPY . /x\nEOF\n", None),  # issue 8: was reported as a COPY
    ("FROM x\nCOPY \\\n  # comment\n  app/ /srv/\n", 2),
])
def test_env_file_check_reads_the_model(tmp_path: Path, dockerfile: str, baked_line: int | None) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_text("A=1\n")
    (tmp_path / "Dockerfile").write_text(dockerfile)
    found = summary(run_check(EnvFile, tmp_path))
    baked = {(s, loc, line) for s, loc, line in found if loc == "Dockerfile"}
    assert baked == ({("fail", "Dockerfile", baked_line)} if baked_line else set())


def test_env_and_arg_defaults_feed_the_masker_through_the_model() -> None:
    from dind_doctor.secret_sources import dockerfile_values

    fed: list[tuple[str, str]] = []

    class Recorder:
        def add_value(self, name: str, value: str) -> None:
            fed.append((name, value))

    text = ("# escape=`\nFROM x\nENV A=1 B=\"two words\" `\n  # a comment inside the continuation\n  C=3\n"
            "ENV LEGACY some value\nARG TOKEN=abc\nRUN <<EOF\nENV NOT_AN_INSTRUCTION=x\nEOF\n")
    dockerfile_values(Recorder(), parse_dockerfile(text))  # type: ignore[arg-type]
    assert fed == [("A", "1"), ("B", "two words"), ("C", "3"), ("LEGACY", "some value"), ("TOKEN", "abc")]


@pytest.mark.parametrize("text, escape, words", [
    ("src\t /app/  ", "\\", ["src", "/app/"]),  # no quote, no escape: split at spaces and tabs only
    ("a\u00a0b\x0bc d", "\\", ["a\u00a0b\x0bc", "d"]),  # other blanks are characters of the word
    ('"a b" c\\ d', "\\", ["a b", "c d"]),
    ("'x\\y' \"q\\\"\"", "\\", ["x\\y", 'q"']),
    ("C:\\app `\"x", "`", ["C:\\app", '"x']),
    ("", "\\", []),
])
def test_copy_words_split_as_buildkit_splits_them(text, escape, words):
    from dind_doctor.project.dockerfile_reader import _split_words

    assert _split_words(text, escape) == words
