"""Day headings of dated notes (``## 1.14``): real dates, no repeats, one direction.

Users keep one note per month and add a ``## M.D`` heading per day, usually in ascending
order (some write newest first).  The note's direction is what most steps do; a heading
that steps the other way is out of order.  A year boundary (``## 12.31`` then ``## 1.1``)
is a step forward, not back.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from itertools import pairwise

from vaultbot.model import Heading, Note

YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
LEAP_YEAR = 2000  # without a year in the note's name, 2.29 is a real date


def day_heading_problems(note: Note) -> Iterator[tuple[Heading, str]]:
    """Yield (heading, message) for every bad day heading of ``note``."""
    if _plainly_fine(note.days):
        return  # most notes (~12 day headings each): no sections built, no per-heading work
    year = _year_of(note.path)
    days: list[tuple[Heading, int, int]] = []
    for section in note.sections:
        if section.kind != "day" or section.month is None or section.day is None:
            continue
        if not _is_date(year, section.month, section.day):
            where = f" in {year}" if year and (section.month, section.day) == (2, 29) else ""
            yield section.heading, f"day heading '{section.heading.text}' is not a real date{where}"
            continue
        days.append((section.heading, section.month, section.day))
    yield from _order_problems(days)


def _plainly_fine(days: Sequence[tuple[int, int]]) -> bool:
    """Return True when ``days`` have nothing to report, judged without a step-by-step walk.

    That is: each day is 1-28 of a month 1-12 (a date in every year), and the days go
    strictly up, or strictly down, within one year.  Anything else takes the full check.
    """
    if len(days) < 2:
        return not days or (1 <= days[0][0] <= 12 and 1 <= days[0][1] <= 28)
    months, numbers = [m for m, _ in days], [d for _, d in days]
    if not (min(months) >= 1 and max(months) <= 12 and min(numbers) >= 1 and max(numbers) <= 28):
        return False
    ordered = sorted(days)
    if len(set(ordered)) != len(ordered):
        return False  # a repeated day
    if ordered[0][0] <= 2 and ordered[-1][0] >= 11:
        return False  # December and January in one note: a year boundary, judged step by step
    return list(days) == ordered or list(days) == ordered[::-1]


def _year_of(path: str) -> int | None:
    found = YEAR_IN_NAME.search(path.rsplit("/", 1)[-1])
    return int(found.group(1)) if found else None


def _is_date(year: int | None, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return False
    if day <= 28:
        return True  # every month has it: no date object for most headings (~12 a note)
    return _is_real_date(year or LEAP_YEAR, month, day)


def _is_real_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _step(before: tuple[int, int], after: tuple[int, int]) -> int:
    """Return +1 for a step forward in time, -1 backward, 0 for the same day."""
    if before == after:
        return 0
    if before[0] >= 11 and after[0] <= 2:
        return 1  # December -> January: a new year
    if before[0] <= 2 and after[0] >= 11:
        return -1
    return 1 if after > before else -1


def _order_problems(days: list[tuple[Heading, int, int]]) -> Iterator[tuple[Heading, str]]:
    steps = [_step((a[1], a[2]), (b[1], b[2])) for a, b in pairwise(days)]
    direction = -1 if steps.count(-1) > steps.count(1) else 1
    seen: dict[tuple[int, int], Heading] = {}
    for (heading, month, day), step in zip(days, [direction, *steps]):
        earlier = seen.setdefault((month, day), heading)
        if earlier is not heading:
            yield heading, f"day {month}.{day} already has a heading on line {earlier.span.line}"
        elif step == -direction:
            order = "ascending" if direction == 1 else "descending"
            yield (
                heading,
                f"day heading '{heading.text}' is out of order (days in this note are {order})",
            )
