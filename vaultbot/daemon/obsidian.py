"""Which note the user is editing: the file of the active pane in ``.obsidian/workspace.json``.

Obsidian writes the workspace layout whenever the user switches tabs; the leaf whose
``id`` equals ``active`` is the focused pane, and its ``state.state.file`` is the note
shown there.  The editor may hold unsaved text for that note, so the daemon waits
longer before touching it (issue 8: ``active_idle``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class ActiveNote:
    """Read the active note lazily, re-parsing workspace.json only when it changed."""

    def __init__(self, root: Path) -> None:
        self.path = root / ".obsidian" / "workspace.json"
        self._seen: tuple[int, int] | None = None
        self._file: str | None = None

    def current(self) -> str | None:
        """Return the vault-relative path open in the active pane, or None."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size)
        if key != self._seen:
            self._seen = key
            self._file = active_file(self.path)
        return self._file


def active_file(path: Path) -> str | None:
    """Return the file of the active leaf of a workspace.json, None when unknown."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    active = data.get("active")
    for leaf in _leaves(data):
        if leaf.get("id") == active:
            state = leaf.get("state") or {}
            inner = state.get("state") if isinstance(state, dict) else None
            file = inner.get("file") if isinstance(inner, dict) else None
            return file if isinstance(file, str) else None
    return None


def _leaves(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every ``leaf`` node of the layout tree (main, left, right, floating)."""
    if isinstance(node, dict):
        if node.get("type") == "leaf":
            yield node
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _leaves(value)
    elif isinstance(node, list):
        for item in node:
            yield from _leaves(item)
