"""The only module that writes notes: apply Edits atomically, or render them as a diff.

Rules it enforces (DEVELOPERS.md, "Rules for touching a user's notes"):
- edits are textual splices applied in reverse offset order; overlapping edits or an
  edit whose ``old`` text does not match are refused (a vaultbot bug, never a guess);
- the file is re-read right before writing and skipped when its bytes differ from the
  bytes the note was parsed from (the user or Obsidian changed it meanwhile);
- BOM, line endings and file mode are preserved; new text is written with the note's
  own line ending;
- the write is atomic: a temp file in the same folder, fsync, ``os.replace``;
- symlinks and paths outside the vault are refused.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vaultbot.diagnostics import Edit

BOM = "\ufeff"


class EditConflict(ValueError):
    """Edits overlap or do not match the text they claim to replace (a vaultbot bug)."""


@dataclass(frozen=True, slots=True)
class Source:
    """What a note was parsed from: its raw bytes, and how to encode text back."""

    raw: bytes
    bom: bool
    newline: str


@dataclass
class WriteResult:
    """What ``apply`` did: files written, files skipped (with why), and the diff text."""

    written: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    diff: list[str] = field(default_factory=list)


def splice(text: str, edits: Iterable[Edit], newline: str = "\n") -> str:
    """Return ``text`` with ``edits`` applied; refuse overlaps and mismatched ``old``."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end or (after.start == before.end == after.end == before.start):
            raise EditConflict(f"{before.path}: overlapping edits at offsets {before.start} and {after.start}")
    pieces: list[str] = []
    cursor = len(text)
    for edit in reversed(ordered):
        if text[edit.start : edit.end] != edit.old:
            raise EditConflict(f"{edit.path}: edit at offset {edit.start} does not match the note text")
        new = edit.new.replace("\r\n", "\n").replace("\n", newline) if newline != "\n" else edit.new
        pieces.append(text[edit.end : cursor])
        pieces.append(new)
        cursor = edit.start
    pieces.append(text[:cursor])
    return "".join(reversed(pieces))


def encode(text: str, bom: bool) -> bytes:
    """Encode note text as UTF-8, restoring the BOM the file had."""
    return ((BOM if bom else "") + text).encode("utf-8")


def decode(raw: bytes) -> tuple[str, bool]:
    """Decode note bytes as UTF-8 (strict) and report whether a BOM was present."""
    text = raw.decode("utf-8")
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def detect_newline(text: str) -> str:
    """Return the note's line ending: the first one found, ``\\n`` when there is none."""
    at = text.find("\n")
    return "\r\n" if at > 0 and text[at - 1] == "\r" else "\n"


def apply(
    vault_root: Path,
    edits: Iterable[Edit],
    sources: dict[str, Source],
    *,
    dry_run: bool = False,
) -> WriteResult:
    """Apply ``edits`` grouped by note; return what was written, skipped, or diffed."""
    result = WriteResult()
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    for rel in sorted(by_path):
        _apply_one(vault_root, rel, by_path[rel], sources[rel], dry_run, result)
    return result


def _apply_one(
    root: Path, rel: str, edits: list[Edit], source: Source, dry_run: bool, result: WriteResult
) -> None:
    old_text, _ = decode(source.raw)
    new_text = splice(old_text, edits, source.newline)
    if new_text == old_text:
        return
    if dry_run:
        result.diff.append(unified_diff(rel, old_text, new_text))
        return
    reason = write_if_unchanged(root, rel, source.raw, encode(new_text, source.bom))
    if reason:
        result.skipped.append((rel, reason))
    else:
        result.written.append(rel)


def unified_diff(rel: str, old: str, new: str) -> str:
    """Return a unified diff of one note, as ``git diff`` would label it."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def safe_path(root: Path, rel: str) -> Path:
    """Return the absolute path of ``rel`` inside the vault; refuse escapes and symlinks."""
    root = root.resolve()
    path = root / rel
    if path.is_symlink():
        raise PermissionError(f"{rel}: is a symlink; vaultbot does not write through links")
    if root not in path.resolve().parents:
        raise PermissionError(f"{rel}: outside the vault; vaultbot never writes there")
    return path


def write_if_unchanged(root: Path, rel: str, expected: bytes, data: bytes) -> str | None:
    """Atomically replace ``rel`` with ``data`` unless its bytes are no longer ``expected``.

    Return ``None`` on success, else the reason it was skipped.
    """
    try:
        path = safe_path(root, rel)
        current = path.read_bytes()
    except (OSError, PermissionError) as exc:
        return str(exc)
    if current != expected:
        return "changed since it was read; left alone, it will be processed again"
    atomic_write(path, data)
    return None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder, fsync and replace.

    The original file mode is kept; a crash leaves either the old or the new file.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".vaultbot-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

