"""The two things features return: findings (Diagnostic) and text changes (Edit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` (which must equal ``old``) of note ``path`` by ``new``.

    ``path`` is vault-relative POSIX.  Offsets index the decoded note text.  ``new`` uses
    ``\\n`` line endings; the writer converts them to the note's own.
    """

    path: str
    start: int
    end: int
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: where, which rule, how bad, what to do, and maybe a certain fix."""

    path: str
    line: int
    column: int
    rule: str
    severity: Severity
    message: str
    fix: tuple[Edit, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        """Return the key output is sorted by (path, line, column, rule)."""
        return (self.path, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, object]:
        """Return the JSON shape of ``--format json``."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "fixable": bool(self.fix),
        }
