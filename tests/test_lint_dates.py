"""vaultbot.lint.dates: the quick judgement of plainly fine day headings agrees with the full walk."""

from __future__ import annotations

import random

import pytest

from vaultbot.lint import dates
from vaultbot.parser import parse


def dated_note(days: list[tuple[int, int]]) -> str:
    return "".join(f"## {month}.{day}\n- note\n\n" for month, day in days)


def problems(text: str, path: str = "2025-12.md") -> list[tuple[int, str]]:
    return [(h.span.line, msg) for h, msg in dates.day_heading_problems(parse(path, text))]


def test_fast_path_agrees_with_the_full_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(4)
    cases = []
    for _ in range(600):
        count = rng.randint(0, 8)
        days = [(rng.choice([1, 2, 3, 6, 11, 12, 13]), rng.choice([1, 5, 9, 28, 29, 30, 31, 0])) for _ in range(count)]
        if rng.random() < 0.5:
            days.sort(reverse=rng.random() < 0.3)
        cases.append(dated_note(days))
    fast = [problems(text) for text in cases]
    monkeypatch.setattr(dates, "_plainly_fine", lambda days: False)
    assert fast == [problems(text) for text in cases]
    assert sum(1 for found in fast if found) > 100  # the cases do exercise the findings
    assert sum(1 for found in fast if not found) > 100


@pytest.mark.parametrize(
    ("days", "fine"),
    [
        ([(1, 2), (1, 3), (2, 28)], True),
        ([(3, 9), (3, 2)], True),  # newest first
        ([(12, 30), (1, 2)], False),  # a year boundary: the full walk judges it
        ([(1, 2), (1, 2)], False),  # a repeat
        ([(2, 29)], False),  # real only in leap years
        ([(1, 2), (3, 1), (2, 5)], False),
        ([], True),
    ],
)
def test_plainly_fine(days: list[tuple[int, int]], fine: bool) -> None:
    assert dates._plainly_fine(days) is fine
