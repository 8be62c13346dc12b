"""pytest imports test files by basename (no __init__.py under tests/): two test files of one name in
tests/unit and tests/integration stop the whole run at collection ("import file mismatch")."""
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def test_every_test_file_name_is_unique_across_the_suite():
    names = Counter(p.name for p in TESTS.rglob("test_*.py") if "__pycache__" not in p.parts)
    assert [name for name, n in names.items() if n > 1] == []
    assert names["test_test_names.py"] == 1  # the glob sees this very file
