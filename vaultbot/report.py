"""Formatters, chosen by name: Diagnostics -> text for a terminal, JSON, or GitHub Actions.

Every formatter gets the findings already sorted by (path, line, column, rule) plus a
``display`` function that turns a vault path into what the user should see (``text`` and
``github`` show paths relative to the working directory, so they are clickable and match
the repository paths Actions annotates; ``json`` keeps vault-relative POSIX paths).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from vaultbot.diagnostics import ORDER, Diagnostic

Display = Callable[[Diagnostic], str]

COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
BOLD, RESET = "\x1b[1m", "\x1b[0m"
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}
_PATH, _SEVERITY, _FIX = itemgetter(0), itemgetter(4), itemgetter(6)  # Diagnostic fields


@dataclass(frozen=True)
class Summary:
    """Counts for the closing line: findings per severity, notes touched, fixes."""

    errors: int
    warnings: int
    infos: int
    notes: int
    fixable: int
    fixed: int = 0

    @classmethod
    def of(cls, diags: Sequence[Diagnostic], fixed: int = 0) -> Summary:
        """Count ``diags`` by severity and by file."""
        count = Counter(map(_SEVERITY, diags))  # C loops: a large vault has ~160k findings
        files = len(set(map(_PATH, diags)))
        fixable = sum(map(bool, map(_FIX, diags)))
        return cls(count["error"], count["warning"], count["info"], files, fixable, fixed)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(summary: Summary) -> str:
    """Return e.g. ``Found 3 errors, 12 warnings in 5 notes (1 fixable with --fix).``"""
    fixed = f"Fixed {_plural(summary.fixed, 'problem')}. " if summary.fixed else ""
    if not (summary.errors or summary.warnings or summary.infos):
        return f"{fixed}All checks passed."
    parts = [_plural(summary.errors, "error"), _plural(summary.warnings, "warning")]
    if summary.infos:
        parts.append(_plural(summary.infos, "info"))
    tail = f" ({summary.fixable} fixable with --fix)" if summary.fixable else ""
    return f"{fixed}Found {', '.join(parts)} in {_plural(summary.notes, 'file')}{tail}."


def format_text(
    diags: Sequence[Diagnostic], display: Display, *, colour: bool = False, fixed: int = 0
) -> str:
    """Return ruff-style ``path:line:col: RULE message`` lines and a summary line."""
    if colour:
        lines = [
            f"{BOLD}{display(d)}:{d.line}:{d.column}:{RESET} {COLOURS[d.severity]}{d.rule}{RESET}"
            f"{' [*]' if d.fix else ''} {d.message}"
            for d in diags
        ]
    else:
        lines = [
            f"{display(d)}:{d.line}:{d.column}: {d.rule}{' [*]' if d.fix else ''} {d.message}"
            for d in diags
        ]
    lines.append(summary_line(Summary.of(diags, fixed)))
    return "\n".join(lines) + "\n"


def format_json(
    diags: Sequence[Diagnostic], display: Display, *, colour: bool = False, fixed: int = 0
) -> str:
    """Return a JSON list of findings (vault-relative POSIX paths, 1-based positions)."""
    return json.dumps([d.to_dict() for d in diags], ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(
    diags: Sequence[Diagnostic], display: Display, *, colour: bool = False, fixed: int = 0
) -> str:
    """Return GitHub Actions workflow commands (``::error file=…,line=…,col=…::msg``)."""
    lines = []
    for d in diags:
        props = f"file={_escape_property(display(d))},line={d.line},col={d.column},title={_escape_property(d.rule)}"
        lines.append(f"::{GITHUB_LEVELS[d.severity]} {props}::{_escape_data(d.message)}")
    return "".join(line + "\n" for line in lines)


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}


def render(
    name: str,
    diags: Sequence[Diagnostic],
    display: Display | None = None,
    *,
    colour: bool = False,
    fixed: int = 0,
    presorted: bool = False,
) -> str:
    """Return ``diags`` sorted and formatted by the formatter called ``name``.

    ``presorted`` says they are in order already (``vaultbot lint``: sorting ~160k
    findings of a large vault again costs a tenth of a second).
    """
    ordered = diags if presorted else sorted(diags, key=ORDER)
    return FORMATTERS[name](ordered, display or (lambda d: d.path), colour=colour, fixed=fixed)
