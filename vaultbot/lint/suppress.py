"""Inline suppression comments, as ruff's ``noqa``: silence a rule for one line or one note.

Syntax (an Obsidian comment, which Obsidian hides in reading view, or an HTML comment):

- ``%% vaultbot-ignore: missing-asset %%`` at the end of a line silences those rules
  (comma-separated) on that line; ``%% vaultbot-ignore %%`` silences every rule there;
- ``%% vaultbot-ignore-file: bare-paper-link %%`` anywhere in the note silences those
  rules for the whole note (no list: every rule);
- a frontmatter key ``vaultbot-ignore: [bare-paper-link]`` (a list or a comma-separated
  string) does the same as ``vaultbot-ignore-file``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vaultbot.model import Note

DIRECTIVE = re.compile(r"vaultbot-ignore(?P<file>-file)?(?![\w-])\s*(?::(?P<rules>[^%>]*))?")
RULE_NAME = re.compile(r"[A-Za-z](?:[\w-]*[A-Za-z0-9])?")
FRONTMATTER_KEY = "vaultbot-ignore"
EVERY_RULE = "*"


@dataclass(frozen=True, slots=True)
class Suppressions:
    """The rules silenced in one note: per line, and for the whole note."""

    by_line: dict[int, frozenset[str]]
    whole_note: frozenset[str]

    @classmethod
    def of(cls, note: Note) -> Suppressions:
        """Collect the note's suppression comments and frontmatter key."""
        by_line: dict[int, set[str]] = {}
        whole: set[str] = set(_frontmatter_rules(note))
        for line, text in note.directives:
            for match in DIRECTIVE.finditer(text):
                rules = _rule_list(match.group("rules"))
                target = whole if match.group("file") else by_line.setdefault(line, set())
                target.update(rules)
        return cls({k: frozenset(v) for k, v in by_line.items()}, frozenset(whole))

    def covers_file(self, rule: str) -> bool:
        """Return True when ``rule`` is silenced for the whole note."""
        return rule in self.whole_note or EVERY_RULE in self.whole_note

    def covers(self, rule: str, line: int) -> bool:
        """Return True when ``rule`` is silenced at ``line`` (or for the whole note)."""
        here = self.by_line.get(line, frozenset())
        return rule in here or EVERY_RULE in here or self.covers_file(rule)


def _rule_list(raw: str | None) -> set[str]:
    names = set(RULE_NAME.findall(raw or ""))
    return names or {EVERY_RULE}


def _frontmatter_rules(note: Note) -> Iterable[str]:
    data: Any = note.frontmatter.data if note.frontmatter else None
    value = data.get(FRONTMATTER_KEY) if isinstance(data, dict) else None
    if isinstance(value, str):
        return _rule_list(value)
    if isinstance(value, list):
        return {str(v).strip() for v in value if str(v).strip()}
    if value is True:
        return {EVERY_RULE}
    return ()
