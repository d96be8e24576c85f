"""Attachments nobody references: files in the attachment folder no note points at.

The attachment folder is Obsidian's ``attachmentFolderPath`` (``.obsidian/app.json``) or
``[vault] attachment_folder``: ``/`` is the vault root (only files directly in it),
``./`` is next to each note (every non-note file counts), ``./sub`` a ``sub`` folder
next to each note, anything else one folder of the vault (and its subfolders).
References come from links and embeds of every note, and from frontmatter values that
name a file (``cover: "[[x.png]]"``, ``banner: asset/x.png``), and from the file nodes
of Obsidian canvases (``*.canvas``, JSON Canvas: ``{"type": "file", "file": "asset/x.png"}``).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from vaultbot.lint.context import LintContext

WIKILINK = re.compile(r"!?\[\[([^\]|#]+)")
FILE_LIKE = re.compile(r"\[\[|^[^\n]{0,250}\.\w{1,6}$")  # a wikilink, or a value ending in .ext
CANVAS_SUFFIX = ".canvas"


def orphan_assets(ctx: LintContext) -> Iterator[str]:
    """Yield the vault paths of attachment-folder files that no note references."""
    candidates = set(_in_attachment_folder(ctx.vault.files, ctx.vault.app.attachment_folder))
    candidates.difference_update(ctx.vault.note_paths)
    if not candidates:
        return
    candidates -= referenced_files(ctx)
    candidates -= canvas_files(ctx.vault.root, ctx.vault.files)
    candidates -= ctx.referenced_elsewhere()
    yield from sorted(candidates)


def _in_attachment_folder(files: tuple[str, ...], folder: str) -> Sequence[str]:
    """Return the vault paths (``files``, sorted) that lie in the attachment folder.

    ``/`` is the vault root (files directly in it), ``./`` next to each note (any file),
    ``./sub`` a ``sub`` folder next to each note, anything else one folder of the vault
    (and its subfolders): a contiguous run of the sorted paths, found by bisection.  A
    large vault's attachment folder holds most of its ~100k files, so each case is one
    comprehension or slice, not a function call per file.
    """
    folder = folder.strip().replace("\\", "/")
    if folder in ("", "/"):
        return [path for path in files if "/" not in path]
    if folder in (".", "./"):
        return files
    if folder.startswith("./"):
        tail = "/" + folder[2:].strip("/")  # the path's own folder is or ends with it
        return [path for path in files if ("/" + path).rpartition("/")[0].endswith(tail)]
    prefix = folder.strip("/") + "/"
    start = bisect_left(files, prefix)
    return files[start : bisect_left(files, prefix[:-1] + "0", start)]  # "0" follows "/"


def referenced_files(ctx: LintContext) -> set[str]:
    """Return every vault file some note links to, embeds, or names in its frontmatter."""
    used: set[str] = set()
    for note in ctx.vault.notes.values():
        used.update(ref.resolution.target for ref in ctx.references(note) if ref.resolution.target)
        data = note.frontmatter.data if note.frontmatter else None
        for text in _strings(data):
            for written in WIKILINK.findall(text) or [text]:
                target = ctx.resolve(written.strip(), note.path).target
                if target:
                    used.add(target)
    return used


def _strings(value: Any) -> Iterator[str]:
    """Yield the string leaves of parsed frontmatter (short ones: file names are short)."""
    if isinstance(value, str):
        if FILE_LIKE.search(value) and "://" not in value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def canvas_files(root: Path, files: tuple[str, ...]) -> set[str]:
    """Return the vault paths that canvases show as file nodes (a broken canvas adds none)."""
    used: set[str] = set()
    for rel in files:
        if rel.endswith(CANVAS_SUFFIX):
            try:
                nodes = json.loads((root / rel).read_text(encoding="utf-8")).get("nodes", [])
            except (OSError, ValueError, AttributeError):
                continue
            used.update(
                n["file"] for n in nodes if isinstance(n, dict) and isinstance(n.get("file"), str)
            )
    return used
