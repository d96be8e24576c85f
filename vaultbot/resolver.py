"""Resolve link and embed targets to vault files the way Obsidian does.

Obsidian sends markdown images and wikilink embeds through one resolver: it strips
``#subpath`` and ``|size``, percent-decodes markdown destinations and matches
case-insensitively against its index of the vault's visible files, in this order:

1. a bare name (no ``/``): that file anywhere in the vault, preferring the note's folder,
   then the shortest path;
2. ``./`` or ``../``: relative to the note's folder;
3. otherwise the exact path from the vault root (a leading ``/`` means the root, exact only);
4. otherwise any file whose vault path ends with the written path, preferring the note's
   folder, then shorter paths (so ``asset/x.png`` from ``2026/n.md`` finds
   ``2026/asset/x.png``).

There is no fall-back from ``old/x.png`` to ``new/x.png``.  Resolution is pure: it
consults the index only and never touches the file system, so a target that escapes the
vault (``../../etc/passwd``) is reported and never opened.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Literal, NamedTuple
from urllib.parse import unquote

ResolveRule = Literal["name", "relative", "root", "suffix", "missing", "outside", "empty"]

NOTE_SUFFIX = ".md"
_new = tuple.__new__  # builds a Resolution without its Python-level __new__ (one per link)


class Resolution(NamedTuple):
    """Where a written target leads (a tuple: one is built per link of the vault).

    ``target`` is the vault path found (``None`` when nothing matches or the target
    escapes the vault), ``rule`` the step that decided (``missing``/``outside``/``empty``
    when none did), ``case_mismatch`` True when the match holds only if letter case is
    ignored, and ``looked_for`` the normalised path that was searched (for messages).
    """

    target: str | None
    rule: ResolveRule
    case_mismatch: bool
    looked_for: str

    @property
    def found(self) -> bool:
        """Return True when the target resolved to a file of the vault."""
        return self.target is not None


class FileIndex:
    """Obsidian's view of the vault's files, indexed once for case-insensitive lookups.

    ``by_path`` maps a casefolded vault path to the files spelled that way (several only
    when two files differ just in case); ``by_name`` maps a casefolded basename to
    ``(casefolded path, path)`` pairs, which serves both the bare-name rule and the suffix
    rule without casefolding anything again per lookup.
    """

    __slots__ = ("by_name", "by_path", "files")

    def __init__(self, files: Iterable[str]) -> None:
        self.files: frozenset[str] = frozenset(files)
        self.by_path: dict[str, list[str]] = {}
        self.by_name: dict[str, list[tuple[str, str]]] = {}
        for path in self.files:  # ties are broken by path in every ranking: no sort needed
            folded = path.casefold()
            self.by_path.setdefault(folded, []).append(path)
            self.by_name.setdefault(folded.rpartition("/")[2], []).append((folded, path))

    def named(self, name: str) -> list[str]:
        """Return every file whose basename equals ``name`` ignoring case."""
        return [path for _, path in self.by_name.get(name.casefold(), ())]


def split_target(written: str, *, markdown: bool) -> str:
    """Return the file part of a written target: no ``#subpath``/``|size``, decoded.

    Markdown destinations are percent-decoded (``Pasted%20image.png``); wikilinks are not.
    """
    path = written.split("|", 1)[0] if not markdown else written
    path = path.split("#", 1)[0]
    if markdown:
        path = unquote(path)
    return path.strip()


def resolve_target(written: str, note_path: str, index: FileIndex, *, markdown: bool) -> Resolution:
    """Resolve ``written`` (as it appears in the note) from note ``note_path``."""
    return resolve_path(split_target(written, markdown=markdown), note_path, index)


def resolve_path(
    path: str, note_path: str, index: FileIndex, *, folder: str | None = None
) -> Resolution:
    """Resolve an already stripped and decoded ``path`` from note ``note_path``.

    An extensionless target also tries the ``.md`` note of that name, as ``[[Note]]``
    means ``Note.md`` in Obsidian.  ``folder`` (the note's folder) may be passed by
    callers resolving many links of one note.
    """
    if "\\" in path:
        path = path.replace("\\", "/")
    if not path:
        return Resolution(None, "empty", False, "")
    if folder is None:
        folder = note_path.rpartition("/")[0]
    if path.startswith(("./", "../")) or path in {".", ".."}:
        return _relative(path, folder, index)
    if path.startswith("/"):
        return _exact(
            posixpath.normpath(path.lstrip("/")) if path.strip("/") else "", index, "root"
        )
    normal = posixpath.normpath(path) if _needs_normalising(path) else path
    if normal == ".." or normal.startswith("../"):
        return Resolution(None, "outside", False, normal)
    if "/" not in normal:
        return _by_name(normal, folder, index)
    return _from_root_or_by_suffix(normal, folder, index)


def _needs_normalising(path: str) -> bool:
    """Return True when ``path`` holds ``.``/``..`` segments, ``//`` or a trailing ``/``."""
    return "//" in path or "./" in path or path.endswith(("/", "/.", "/.."))


def _variants(path: str) -> tuple[tuple[str, str], ...]:
    """Return ``path`` and, when it has no extension, ``path.md`` (a note), each with its
    casefolded form: the index's key, computed once for every rule that looks it up."""
    folded = path.casefold()
    if "." in path.rpartition("/")[2].lstrip("."):
        return ((path, folded),)
    return ((path, folded), (path + NOTE_SUFFIX, folded + NOTE_SUFFIX))


def _relative(path: str, folder: str, index: FileIndex) -> Resolution:
    joined = (
        posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)
    )
    if joined == ".." or joined.startswith("../") or joined == ".":
        return Resolution(None, "outside", False, joined)
    return _exact(joined, index, "relative")


def _exact(path: str, index: FileIndex, rule: ResolveRule) -> Resolution:
    if not path or path == ".":
        return Resolution(None, "missing", False, path)
    if path == ".." or path.startswith("../"):
        return Resolution(None, "outside", False, path)
    return _spelled(path, _variants(path), index, rule) or Resolution(None, "missing", False, path)


def _spelled(
    path: str, variants: tuple[tuple[str, str], ...], index: FileIndex, rule: ResolveRule
) -> Resolution | None:
    """Return the file at one of the exact ``variants`` of ``path`` (letter case ignored)."""
    for candidate, key in variants:
        spelled = index.by_path.get(key)
        if spelled:
            exact = candidate in spelled
            return _new(Resolution, (candidate if exact else min(spelled), rule, not exact, path))  # type: ignore[no-any-return]
    return None


def _by_name(name: str, folder: str, index: FileIndex) -> Resolution:
    for candidate, _ in _variants(name):
        matches = index.named(candidate)
        if matches:
            best = min(matches, key=lambda p: _name_rank(p, candidate, folder))
            return Resolution(best, "name", posixpath.basename(best) != candidate, name)
    return Resolution(None, "missing", False, name)


def _name_rank(path: str, written: str, folder: str) -> tuple[bool, bool, int, str]:
    """Rank: exact spelling first, then the note's own folder, then shorter paths."""
    return (posixpath.basename(path) != written, posixpath.dirname(path) != folder, len(path), path)


def _from_root_or_by_suffix(path: str, folder: str, index: FileIndex) -> Resolution:
    """Rules 3 and 4 for a path with a folder part: exact from the root, else as a suffix.

    The hot path of a lint (every ``asset/x.png`` of every note): each variant is
    casefolded once and serves both rules.
    """
    variants = _variants(path)
    found = _spelled(path, variants, index, "root")
    if found is not None:
        return found
    for candidate, key in variants:
        tail = "/" + key
        matches = [p for f, p in index.by_name.get(key.rpartition("/")[2], ()) if f.endswith(tail)]
        if matches:
            best = (
                matches[0]
                if len(matches) == 1
                else min(matches, key=lambda p: _suffix_rank(p, candidate, folder))
            )
            return _new(Resolution, (best, "suffix", not best.endswith("/" + candidate), path))
    return _new(Resolution, (None, "missing", False, path))


def _suffix_rank(path: str, written: str, folder: str) -> tuple[bool, bool, int, str]:
    """Rank: exact spelling first, then inside the note's folder, then shorter paths."""
    inside = not folder or path.startswith(folder + "/")
    return (not path.endswith("/" + written), not inside, len(path), path)
