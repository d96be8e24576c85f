"""Textual edits of a note's YAML frontmatter: vaultbot's own keys and appended tags.

The user's block is never re-dumped (a YAML dump re-sorts keys, drops comments and
re-quotes): vaultbot splices lines.  It owns whole top-level keys whose names start with
``vaultbot-`` (written as one line, a JSON-style flow list of double-quoted strings, so
``"2301.10000"`` stays a string) and, in ``tags``, only the items it appended.  A
``tags`` written as a string or flow list is rewritten as a block list that starts with
the user's items; a block list only gains (or loses) vaultbot's own item lines.

Used by resolve (``vaultbot-papers``, ``vaultbot-tags``) and link (its own keys).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vaultbot.diagnostics import Edit
from vaultbot.model import Note

OWN_PREFIX = "vaultbot-"
_KEY_RE = re.compile(r"""(?P<key>"[^"]*"|'[^']*'|[^\s#\-'"][^:#]*?)[ \t]*:(?:[ \t]|$)""")
_ITEM_RE = re.compile(r"(?P<prefix>[ \t]*-[ \t]+)(?P<value>.*?)[ \t]*$")
_PLAIN_RE = re.compile(r"[^\W\d][\w\-/]*")
_YAML_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}


@dataclass
class FrontmatterPatch:
    """What to change: own keys (``None`` or empty removes the key) and tag items."""

    own: dict[str, list[str] | None] = field(default_factory=dict)
    add_tags: list[str] = field(default_factory=list)
    remove_tags: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.own or self.add_tags or self.remove_tags)


@dataclass(frozen=True, slots=True)
class _Block:
    """One top-level key: its line range ``[first, end)`` in the frontmatter's lines."""

    key: str
    first: int
    end: int


def yaml_scalar(value: Any) -> str:
    """Render one list item: plain when YAML reads it back as the same string, else quoted."""
    if isinstance(value, str):
        if _PLAIN_RE.fullmatch(value) and value.lower() not in _YAML_WORDS:
            return value
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


def own_line(key: str, values: Sequence[str]) -> str:
    """Render an own key: ``vaultbot-papers: ["2301.10000", "hep-th/9901001"]``."""
    return f"{key}: [{', '.join(json.dumps(v, ensure_ascii=False) for v in values)}]\n"


def read_own(note: Note, key: str) -> list[str]:
    """Return the string items of own key ``key`` as python-frontmatter parsed them."""
    data = note.frontmatter.data if note.frontmatter else None
    value = data.get(key) if isinstance(data, dict) else None
    return [str(v) for v in value] if isinstance(value, list) else []


def read_tags(note: Note) -> list[str]:
    """Return the note's frontmatter tags as Obsidian reads them (``#`` stripped)."""
    data = note.frontmatter.data if note.frontmatter else None
    value = data.get("tags") if isinstance(data, dict) else None
    return [t.lstrip("#") for t in _tag_items(value)]


def can_edit(note: Note) -> bool:
    """Return False when the frontmatter is broken YAML or not a mapping (then hands off)."""
    fm = note.frontmatter
    return fm is None or isinstance(fm.data, dict)


def frontmatter_edits(note: Note, patch: FrontmatterPatch) -> list[Edit]:
    """Return the edits that apply ``patch`` to ``note`` (none when nothing changes)."""
    if patch.is_empty() or not can_edit(note) or _already_applied(note, patch):
        return []
    fm = note.frontmatter
    if fm is None:
        return _new_frontmatter(note, patch)
    start, end = fm.body_span.start, fm.body_span.end
    old = note.text[start:end]
    new = _patched_body(old, patch, note)
    if new == old:
        return []
    return [_minimal_edit(note.path, old, new, start)]


def _already_applied(note: Note, patch: FrontmatterPatch) -> bool:
    """Return True when the parsed frontmatter already says what ``patch`` would write.

    The common case of a re-run: skip the textual work (10,000 notes must stay fast).
    """
    if patch.add_tags or patch.remove_tags or note.frontmatter is None:
        return False
    data = note.frontmatter.data or {}
    for key, values in patch.own.items():
        if values and read_own(note, key) != list(values):
            return False
        if not values and key in data:
            return False
    return True


def _new_frontmatter(note: Note, patch: FrontmatterPatch) -> list[Edit]:
    lines = _tag_block([], patch.add_tags) if patch.add_tags else []
    lines += [own_line(k, v) for k, v in patch.own.items() if v]
    if not lines:
        return []
    return [Edit(note.path, 0, 0, "", "---\n" + "".join(lines) + "---\n")]


def _patched_body(body: str, patch: FrontmatterPatch, note: Note) -> str:
    lines = body.splitlines(keepends=True)
    open_end = bool(lines) and not lines[-1].endswith(("\n", "\r"))
    if open_end:
        lines[-1] += "\n"
    lines = _patched_tags(lines, patch, note)
    for key, values in patch.own.items():
        lines = _set_key(lines, key, values)
    text = "".join(lines)
    return text[:-1] if open_end and text.endswith("\n") else text


def _patched_tags(lines: list[str], patch: FrontmatterPatch, note: Note) -> list[str]:
    if not patch.add_tags and not patch.remove_tags:
        return lines
    present = read_tags(note)
    adding = [t for t in patch.add_tags if t not in present]
    removing = {t for t in patch.remove_tags if t in present}
    block = _find(lines, "tags")
    if block is None:
        return _insert_before_own(lines, _tag_block([], adding)) if adding else lines
    data = note.frontmatter.data if note.frontmatter else {}
    if _is_block_list(lines, block) or (data or {}).get("tags") is None:
        return _patch_block_list(lines, block, adding, removing)
    value = (data or {}).get("tags")
    items = value if isinstance(value, list) else _tag_items(value)  # keep 2024 an int
    keep = [t for t in items if t is not None and str(t).lstrip("#") not in removing]
    suffix = _trailing_comment(lines[block.first])
    new_block = [f"tags:{suffix}\n"] + [f"  - {yaml_scalar(t)}\n" for t in [*keep, *adding]]
    return lines[: block.first] + new_block + lines[block.end :]


def _trailing_comment(line: str) -> str:
    """Return `` # comment`` at the end of a key line (after any quoted text), or ``""``."""
    value = line.rstrip("\r\n").split(":", 1)[1]
    last_quote = max(value.rfind('"'), value.rfind("'"))
    comment = re.search(r"[ \t](#.*)$", value[last_quote + 1 :])
    return f" {comment.group(1)}" if comment else ""


def _patch_block_list(lines: list[str], block: _Block, adding: list[str], removing: set[str]) -> list[str]:
    """Drop vaultbot's removed item lines, append new ones after the last item."""
    kept = [lines[block.first]]
    prefix = "  - "
    for line in lines[block.first + 1 : block.end]:
        item = _ITEM_RE.fullmatch(line.rstrip("\r\n"))
        if item:
            prefix = item.group("prefix")
            if _unquote(item.group("value")).lstrip("#") in removing:
                continue
        kept.append(line)
    kept += [f"{prefix}{yaml_scalar(t)}\n" for t in adding]
    return lines[: block.first] + kept + lines[block.end :]


def _tag_block(existing: list[str], adding: list[str]) -> list[str]:
    return ["tags:\n"] + [f"  - {yaml_scalar(t)}\n" for t in existing + adding]


def _set_key(lines: list[str], key: str, values: list[str] | None) -> list[str]:
    block = _find(lines, key)
    new = [own_line(key, values)] if values else []
    if block is None:
        return lines + new
    if lines[block.first : block.end] == new or (
        len(new) == 1 and block.end - block.first == 1 and lines[block.first].rstrip("\r\n") == new[0].rstrip("\n")
    ):
        return lines
    return lines[: block.first] + new + lines[block.end :]


def _insert_before_own(lines: list[str], new: list[str]) -> list[str]:
    """Insert ``new`` after the user's keys, before vaultbot's own keys at the end."""
    at = len(lines)
    while at > 0 and _key_of(lines[at - 1]).startswith(OWN_PREFIX):
        at -= 1
    return lines[:at] + new + lines[at:]


def _find(lines: list[str], key: str) -> _Block | None:
    for index, line in enumerate(lines):
        if _key_of(line) == key:
            end = index + 1
            while end < len(lines) and _continues(lines[end]):
                end += 1
            return _Block(key, index, end)
    return None


def _key_of(line: str) -> str:
    match = _KEY_RE.match(line.rstrip("\r\n"))
    return _unquote(match.group("key")) if match else ""


def _continues(line: str) -> bool:
    """Return True for a line that belongs to the key above (indented, or a ``-`` item)."""
    return bool(line.strip()) and (line[0] in " \t" or line.startswith("-"))


def _is_block_list(lines: list[str], block: _Block) -> bool:
    head = lines[block.first].split(":", 1)[1].strip()
    return (not head or head.startswith("#")) and block.end > block.first + 1


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _tag_items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t for t in re.split(r"[,\s]+", value) if t]
    if isinstance(value, list):
        return [str(t) for t in value if t is not None]
    return []


def _minimal_edit(path: str, old: str, new: str, offset: int) -> Edit:
    """Return one edit covering only the lines that differ between ``old`` and ``new``."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_lines), len(new_lines)) - head
        and old_lines[-1 - tail] == new_lines[-1 - tail]
    ):
        tail += 1
    start = sum(len(x) for x in old_lines[:head])
    end = len(old) - sum(len(x) for x in old_lines[len(old_lines) - tail :])
    new_mid = "".join(new_lines[head : len(new_lines) - tail])
    return Edit(path, offset + start, offset + end, old[start:end], new_mid)


def patch_from_mapping(own: Mapping[str, list[str] | None]) -> FrontmatterPatch:
    """Return a patch that only sets (or removes) own keys, as link uses it."""
    return FrontmatterPatch(own=dict(own))
