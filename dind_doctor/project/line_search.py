"""Which lines of a text hold one of a few words, found with str.find: one search per line that holds one,
where a regex alternation (or a search per line) tests every character or every line. Used where only
those lines need a closer look: Markdown fences (markdown_fences.py), the lines that name Airflow
(airflow/provider_version.py)."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable


def lines_holding(text: str, words: Iterable[str], starts: list[int]) -> list[int]:
    """The indexes, in order, of the lines of `text` that hold one of `words`. `starts[i]` is where line i
    begins and `starts[-1]` where the text ends (itertools.accumulate of the lines' lengths, initial=0)."""
    found: set[int] = set()
    last = len(starts) - 2  # starts holds one more entry than there are lines
    for word in words:
        at = text.find(word)
        while at >= 0:
            line = bisect_right(starts, at) - 1
            found.add(line)
            at = text.find(word, starts[line + 1]) if line < last else -1  # from the next line on
    return sorted(found)
