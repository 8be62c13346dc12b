"""lines_holding (project/line_search.py), shared by the Markdown fences and the provider-version scan: the
same lines as a test of every line, on random texts."""
import random
from itertools import accumulate

from dind_doctor.project.line_search import lines_holding


def test_the_lines_holding_a_word_are_those_a_test_of_every_line_finds():
    rng = random.Random(15)
    words = ("```", "~~~", "airflow")
    pieces = ["`", "``", "```", "~", "~~~", "air", "flow", "airflow", "x", " ", "\n", "\r\n", "\r"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        lines = text.splitlines(keepends=True)
        starts = list(accumulate(map(len, lines), initial=0))
        expected = [i for i, line in enumerate(lines) if any(word in line for word in words)]
        assert lines_holding(text, words, starts) == expected, repr(text)
