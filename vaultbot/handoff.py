"""Tables one daemon link plan hands on to the next, and the view the old plan keeps.

The daemon makes one plan per change from the one before.  A plan's big tables (one
entry per note or paper) are handed on and changed in place for the few keys the
change touches, instead of being copied (copying 100k-entry tables per change cost
more than the change, and the garbage collector walked every fresh copy again).  The
old plan keeps an ``Earlier`` view, which is all ``affected_notes`` reads of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

ABSENT: Any = object()  # in ``Earlier.old``: the key was not in the table


class Earlier(Mapping[str, Any]):
    """A table as it was before the next plan took it over and changed some keys.

    ``now`` is the table itself, ``old`` the earlier value of each key changed since
    (``ABSENT``: there was none).  Valid until a later plan changes ``now`` again,
    which the daemon does only after it is done with the plan holding this view.
    """

    def __init__(self, now: Mapping[str, Any], old: Mapping[str, Any]) -> None:
        self.now, self.old = now, old

    def __getitem__(self, key: str) -> Any:
        if key in self.old:
            value = self.old[key]
            if value is ABSENT:
                raise KeyError(key)
            return value
        return self.now[key]

    def __contains__(self, key: object) -> bool:
        if key in self.old:
            return self.old[key] is not ABSENT  # type: ignore[index]
        return key in self.now

    def __iter__(self) -> Iterator[str]:
        yield from (key for key in self.now if key not in self.old)
        yield from (key for key, value in self.old.items() if value is not ABSENT)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def taken(table: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``table`` to change in place, or a copy when it is a view already."""
    return table if isinstance(table, dict) else dict(table)


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """Return the keys whose values differ between two tables.

    When ``before`` is the view of ``after`` as it was, only its changed keys are
    compared; otherwise every key is.
    """
    if isinstance(before, Earlier) and before.now is after:
        keys: Any = before.old.keys()
    else:
        keys = before.keys() | after.keys()
    return {key for key in keys if before.get(key) != after.get(key)}
