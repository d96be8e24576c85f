"""Scan a vault once: which files exist (Obsidian's index) and every note parsed once.

A vault is a folder.  Like Obsidian, vaultbot does not see dot-files and dot-folders
(``.obsidian/``, ``.trash/``, ``.git/``, ``.vaultbot/``), and it also skips the globs listed
in ``[vault] ignore`` of ``.vaultbot.toml``.  Notes that cannot be read as text are
collected in ``Vault.unreadable`` (lint reports them) and never parsed or rewritten.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from vaultbot.config import Config, load_config
from vaultbot.errors import NoteReadError
from vaultbot.model import Note
from vaultbot.writer import Source, decode, detect_newline

NOTE_SUFFIX = ".md"
BINARY_PROBE = 8192


@dataclass(frozen=True, slots=True)
class AppSettings:
    """The parts of ``.obsidian/app.json`` that change how vaultbot reads and writes."""

    attachment_folder: str = "/"
    use_markdown_links: bool = False
    new_link_format: str = "shortest"


@dataclass(frozen=True)
class Vault:
    """An indexed vault: every visible file, and every note parsed once.

    ``files`` is Obsidian's view of the vault (vault-relative POSIX paths, sorted), used
    to resolve links and embeds.  ``notes``/``sources`` hold the parsed notes and the
    bytes they came from (the writer compares against those before writing).
    """

    root: Path
    config: Config
    app: AppSettings
    files: tuple[str, ...]
    notes: dict[str, Note] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    unreadable: dict[str, NoteReadError] = field(default_factory=dict)

    @functools.cached_property
    def note_paths(self) -> tuple[str, ...]:
        """Return the vault-relative paths of every visible Markdown file, sorted."""
        return tuple(p for p in self.files if p.lower().endswith(NOTE_SUFFIX))

    def with_note(self, rel: str) -> Vault:
        """Return a copy with note ``rel`` re-read (or dropped when it is gone).

        Lets the daemon update one note without rescanning the vault.
        """
        notes, sources, unreadable = dict(self.notes), dict(self.sources), dict(self.unreadable)
        for table in (notes, sources, unreadable):
            table.pop(rel, None)
        files = set(self.files)
        if (self.root / rel).is_file():
            files.add(rel)
            _load_one(self.root, rel, self.config, notes, sources, unreadable)
        else:
            files.discard(rel)
        return replace(self, files=tuple(sorted(files)), notes=notes, sources=sources, unreadable=unreadable)

    def parsed(self, paths: Iterable[str]) -> Vault:
        """Return a copy holding exactly the notes ``paths``, parsed (the index is kept).

        Lets ``vaultbot.lint.split`` index the vault once and parse halves of it.
        """
        notes: dict[str, Note] = {}
        sources: dict[str, Source] = {}
        unreadable: dict[str, NoteReadError] = {}
        for rel in paths:
            _load_one(self.root, rel, self.config, notes, sources, unreadable)
        return replace(self, notes=notes, sources=sources, unreadable=unreadable)

    def with_files(self) -> Vault:
        """Return a copy whose file index is rescanned (an attachment was added or removed)."""
        return replace(self, files=tuple(sorted(scan_files(self.root, self.config))))


def load_vault(
    root: str | Path,
    config: Config | None = None,
    *,
    only: Iterable[str] | None = None,
) -> Vault:
    """Index the vault at ``root`` and parse its notes (or just the notes in ``only``).

    ``only`` takes vault-relative paths; pre-commit passes the changed notes, and the
    whole vault is still indexed so references resolve as Obsidian resolves them.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise NoteReadError(str(root), "not a folder (a vault is a folder)")
    config = config or load_config(root)
    files = tuple(sorted(scan_files(root, config)))
    app = read_app_settings(root)
    if config.get("vault", "attachment_folder"):
        app = replace(app, attachment_folder=config.get("vault", "attachment_folder"))
    vault = Vault(root=root, config=config, app=app, files=files)
    wanted = vault.note_paths if only is None else sorted(set(only))
    for rel in wanted:
        _load_one(root, rel, config, vault.notes, vault.sources, vault.unreadable)
    return vault


def _load_one(
    root: Path,
    rel: str,
    config: Config,
    notes: dict[str, Note],
    sources: dict[str, Source],
    unreadable: dict[str, NoteReadError],
) -> None:
    from vaultbot.parser import parse

    try:
        raw = read_note_bytes(os.path.join(root, rel), rel, config.get("vault", "max_note_bytes"))
        text, bom = decode_note(raw, rel)
    except NoteReadError as exc:
        unreadable[rel] = exc
        return
    note = parse(rel, text, bom=bom)
    notes[rel] = note
    sources[rel] = Source(raw=raw, bom=bom, newline=note.newline)


def read_note_bytes(path: str | Path, rel: str, max_bytes: int) -> bytes:
    """Read a note's bytes, refusing huge and binary files with a NoteReadError.

    One ``os.open``, an ``fstat`` of it and one ``os.read`` of the whole file: a cold lint
    reads 10,000 notes, and file objects cost a third more than these calls (issue 4).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            if size > max_bytes:
                raise _too_big(rel, size, max_bytes)
            raw = os.read(fd, size + 1)
            if len(raw) > size:  # it grew since the fstat: read the rest, still bounded
                raw += _read_rest(fd, max_bytes + 1 - len(raw))
        finally:
            os.close(fd)
    except OSError as exc:
        raise NoteReadError(rel, f"cannot read: {exc.strerror or exc}") from exc
    if len(raw) > max_bytes:
        raise _too_big(rel, len(raw), max_bytes)
    if b"\x00" in raw[:BINARY_PROBE]:
        raise NoteReadError(rel, "binary file (contains NUL bytes); skipped")
    return raw


def _too_big(rel: str, size: int, max_bytes: int) -> NoteReadError:
    return NoteReadError(rel, f"over the size limit ({size:,} > {max_bytes:,} bytes); skipped")


def _read_rest(fd: int, limit: int) -> bytes:
    """Read from ``fd`` until end of file or ``limit`` bytes."""
    chunks = []
    while limit > 0:
        chunk = os.read(fd, min(limit, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


def decode_note(raw: bytes, rel: str) -> tuple[str, bool]:
    """Decode UTF-8 strictly; a bad byte becomes a NoteReadError naming its line."""
    try:
        return decode(raw)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise NoteReadError(rel, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})", line) from exc


def scan_files(root: Path, config: Config) -> list[str]:
    """Return every file Obsidian would index, as vault-relative POSIX paths.

    Dot-files and dot-folders are invisible to Obsidian, and so are symlinks that point
    out of the vault (vaultbot never follows a link out of it).  A large vault has ~100k
    files, mostly attachments: a regular file costs one ``DirEntry`` call here.
    """
    patterns = tuple(config.get("vault", "ignore"))
    found: list[str] = []
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            rel = prefix + name
            if patterns and is_ignored(rel, patterns):
                continue
            if entry.is_file(follow_symlinks=False):
                found.append(rel)  # a regular file: the usual case
            elif entry.is_symlink() and not _inside(root, Path(entry.path)):
                continue
            elif entry.is_dir():
                stack.append((Path(entry.path), rel + "/"))
            elif entry.is_file():
                found.append(rel)  # a symlink to a file inside the vault
    return found


def _inside(root: Path, path: Path) -> bool:
    try:
        return root in path.resolve().parents
    except OSError:
        return False


def is_ignored(rel: str, patterns: Iterable[str]) -> bool:
    """Return True when ``rel`` matches an ignore glob.

    A pattern without ``/`` matches any single path component (``*.excalidraw.md``,
    ``templates``); a pattern with ``/`` matches the path from the vault root
    (``archive/2019/*``); ``dir/`` matches the folder and everything below it.
    """
    parts = rel.split("/")
    for pattern in patterns:
        pat = pattern.strip().lstrip("/")
        if not pat:
            continue
        if pat.endswith("/"):
            pat = pat.rstrip("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
            if any(fnmatch.fnmatchcase(p, pat) or fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], pat) for p in prefixes):
                return True
        elif "/" in pat:
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            if any(fnmatch.fnmatchcase(p, pat) for p in prefixes):
                return True
        elif any(fnmatch.fnmatchcase(part, pat) for part in parts):
            return True
    return False


def read_app_settings(root: Path) -> AppSettings:
    """Read ``.obsidian/app.json`` when present; a broken file falls back to defaults."""
    path = root / ".obsidian" / "app.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return AppSettings()
    if not isinstance(data, dict):
        return AppSettings()
    folder = data.get("attachmentFolderPath", "/")
    return AppSettings(
        attachment_folder=folder if isinstance(folder, str) else "/",
        use_markdown_links=bool(data.get("useMarkdownLinks", False)),
        new_link_format=str(data.get("newLinkFormat", "shortest")),
    )


def newline_of(text: str) -> str:
    """Return the note's line ending (re-exported for features building new lines)."""
    return detect_newline(text)
