"""Work proportional to change: skip notes a previous resolve run left complete (issue 5).

A note is *done* when a run left it with every paper titled (or invalid) and nothing to
write.  The cache remembers a digest of its bytes together with the rules that shaped
it (tag rules, vaultbot version); a later run re-reads and re-parses only notes whose
digest differs, so a fully cached 10,000-note vault costs a scan and a hash per note.
A note with a paper still unresolved (failed, offline, not found) is never marked done,
so it is retried on every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from vaultbot import __version__
from vaultbot.cache import Cache
from vaultbot.config import Config
from vaultbot.errors import NoteReadError
from vaultbot.rules_data import rule_file
from vaultbot.vault import read_note_bytes, scan_files


def rules_fingerprint(root: Path, config: Config) -> str:
    """Return a digest of everything besides a note's bytes that decides its edits."""
    digest = hashlib.sha1(f"vaultbot {__version__}\n".encode())
    digest.update(rule_file("tags.toml").read_bytes())
    extra = config.get("resolve", "tag_rules")
    if extra:
        try:
            digest.update((root / extra).read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def note_digest(raw: bytes, fingerprint: str) -> str:
    """Return the digest a done note is remembered by."""
    return hashlib.sha1(fingerprint.encode() + b"\0" + raw).hexdigest()


def changed_notes(root: Path, config: Config, cache: Cache | None, fingerprint: str) -> list[str]:
    """Return the vault's notes that are not known to be done (all of them without a cache)."""
    notes = sorted(rel for rel in scan_files(root, config) if rel.lower().endswith(".md"))
    done = cache.done_digests() if cache is not None else {}
    if not done:
        return notes
    limit = config.get("vault", "max_note_bytes")
    changed = []
    for rel in notes:
        try:
            raw = read_note_bytes(root / rel, rel, limit)
        except NoteReadError:
            changed.append(rel)  # load_vault reports it
            continue
        if done.get(rel) != note_digest(raw, fingerprint):
            changed.append(rel)
    return changed


def mark_done(root: Path, cache: Cache, rels: Iterable[str], fingerprint: str) -> None:
    """Remember ``rels`` (as they are on disk now) as done."""
    digests = {}
    for rel in rels:
        try:
            digests[rel] = note_digest((root / rel).read_bytes(), fingerprint)
        except OSError:
            continue
    cache.set_done(digests)
