"""Patterns compiled on first use behave as compiled ones; PyYAML imported so reads YAML exactly as before."""
import json
import re
import subprocess
import sys
from pathlib import Path

from dind_doctor.lazy_regex import LazyPattern, deferred_compiles


def test_a_lazy_pattern_answers_as_the_compiled_one():
    lazy, real = LazyPattern(r"(?P<key>\w+)=(\d+)", re.I), re.compile(r"(?P<key>\w+)=(\d+)", re.I)
    text = "a=1 B=22 c=x"
    assert lazy.search(text).group("key") == real.search(text).group("key")
    assert lazy.findall(text) == real.findall(text) and lazy.sub("-", text) == real.sub("-", text)
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == (real.pattern, real.flags, real.groups,
                                                                         real.groupindex)
    assert "match" in vars(lazy)  # compiled once: later calls are the real pattern's bound methods


def test_only_the_named_package_gets_lazy_patterns_and_re_compile_comes_back(tmp_path, monkeypatch):
    pkg = tmp_path / "lazypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import re\nWORD = re.compile(r'\\w+')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with deferred_compiles("lazypkg"):
        import lazypkg
        mine = re.compile(r"\d+")  # this module is not lazypkg: a real pattern
    assert isinstance(lazypkg.WORD, LazyPattern) and lazypkg.WORD.match("ab").group() == "ab"
    assert isinstance(mine, re.Pattern) and isinstance(re.compile("x"), re.Pattern)
    del sys.modules["lazypkg"]


YAML_TEXT = """
anchors: &base {on: yes, off: No, n: ~, empty: , t: 2001-12-14t21:59:43.10-05:00, d: 2002-12-14}
numbers: [0o14, 0x1F, 1_000, -3.5e+2, .inf, -.INF, .NaN, 190:20:30, 0b1010, +12]
merged: {<<: *base, extra: '='}
strings: ["yes", 'null', nginx:1.27, "${PWD}/data:/data", é, "\\u00e9"]
"""


def read_yaml(prelude: str) -> str:
    code = (f"{prelude}\nimport json, sys\n"
            "text = sys.stdin.read()\ndocs = [yaml.load(text, Loader=L) for L in (yaml.SafeLoader, yaml.CSafeLoader)]\n"
            "print(json.dumps([repr(d) for d in docs]))\n")
    out = subprocess.run([sys.executable, "-c", code], input=YAML_TEXT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_yaml_reads_the_same_through_pyyaml_module():
    lazy = read_yaml("from dind_doctor.pyyaml import yaml")
    assert lazy == read_yaml("import yaml")
    python_loader, c_loader = json.loads(lazy)
    assert python_loader == c_loader and "{True: True, False: False" in python_loader and "1000" in python_loader


def test_deferrals_nest_and_re_compile_is_itself_after_the_last():
    real = re.compile
    with deferred_compiles("yaml"):
        with deferred_compiles("dind_doctor"):
            assert re.compile is not real
        assert re.compile is not real and isinstance(re.compile("x"), re.Pattern)  # this module: real patterns
    assert re.compile is real


SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_project"


def static_json(prelude: str) -> str:
    code = (f"{prelude}\nimport sys\nfrom dind_doctor.cli import cli\n"
            "cli(['check', '--static', '--format', 'json', '--shell', 'bash', '--project', sys.argv[1]])\n")
    out = subprocess.run([sys.executable, "-c", code, str(SEED)], capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1) and out.stdout, out.stderr
    return out.stdout


def test_a_static_run_reports_the_same_with_the_package_patterns_compiled_lazily_or_not():
    eager = ("import contextlib\nfrom dind_doctor import lazy_regex\n"
             "lazy_regex.deferred_compiles = lambda package: contextlib.nullcontext()")
    lazy = static_json("")
    assert lazy == static_json(eager) and '"check": "backtick-continuation"' in lazy
