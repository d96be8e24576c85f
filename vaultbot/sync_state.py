"""Remember a finished ``vaultbot sync`` so the next one does work proportional to change.

A sync's output is a function of its inputs: each note's bytes, which files exist (lint
resolves embeds against them), the canvases (orphan-asset reads them), the config,
``.obsidian/app.json``, the rule files, the metadata cache and vaultbot's own code.
After every successful real run, ``.vaultbot/sync-state.json`` records a digest of
each input (notes one by one) with what the run found on the final state.  The next
run compares (``State.plan``):

* every input equal, and the stored run changed and fetched nothing: that run's output
  *is* the output of a run with nothing to do, so it is replayed and no note is parsed;
* the settings equal but some notes differ: the vault is parsed and linked as usual,
  resolve skips the notes it left complete with the same bytes, and lint checks only
  notes whose bytes differ (when the file index is the same), reusing stored findings;
* anything else: a full run.  A missing file, another format or vaultbot version, or
  any doubt, means a full run; an unreadable or corrupt file also warns.

A replay expires with the metadata cache's oldest remembered "not found" answer in the
output (those are retried after 30 days), and a run that left papers to fetch because
it was offline is replayed only offline.  JSON, never pickle: a vault may come from
elsewhere.  The file is transient (``.vaultbot/.gitignore`` ignores it).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultbot import __version__
from vaultbot.config import STATE_DIR, Config
from vaultbot.diagnostics import ORDER, Diagnostic, Edit
from vaultbot.state import file_stamp
from vaultbot.vault import NOTE_SUFFIX, scan_files

FILE_NAME = "sync-state.json"
FORMAT = 3
_PACKAGE = Path(__file__).resolve().parent


def note_digest(raw: bytes) -> str:
    """Return the digest a note's bytes are remembered by."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """Digests of what a sync reads: settings, metadata cache, file index, each note."""

    settings: str
    cache: str
    files: str
    notes: Mapping[str, str]


def read_inputs(root: Path, config: Config) -> Inputs:
    """Scan the vault and digest every input (reads each note's bytes, parses nothing)."""
    files = sorted(scan_files(root, config))
    limit = config.get("vault", "max_note_bytes")
    notes = {rel: _file_digest(root / rel, limit) for rel in files if rel.lower().endswith(NOTE_SUFFIX)}
    return Inputs(settings_digest(root, config), cache_digest(root, config), files_digest(root, files), notes)


def _file_digest(path: Path, limit: int) -> str:
    """Return the digest of a note's bytes (of its size and time when over the size limit)."""
    try:
        info = path.stat()
        if info.st_size > limit:
            return f"big:{info.st_size}:{info.st_mtime_ns}"
        return note_digest(path.read_bytes())
    except OSError as exc:
        return f"error:{exc.errno}"


def settings_digest(root: Path, config: Config) -> str:
    """Return a digest of the config, app settings, rule files and vaultbot's code."""
    from vaultbot.rules_data import rules_dir
    from vaultbot.similarity import SCORING_VERSION

    digest = hashlib.blake2b(digest_size=16)
    head = [FORMAT, __version__, SCORING_VERSION, {s: dict(v) for s, v in config.sections.items()}]
    digest.update(json.dumps(head, sort_keys=True, default=str).encode())
    for path in [root / ".obsidian" / "app.json", *_extra_rules(root, config)]:
        digest.update(f"\0{path.name}\0".encode() + _bytes(path))
    code = sorted(_PACKAGE.rglob("*.py")) + sorted(p for p in rules_dir().rglob("*") if p.is_file())
    digest.update(repr([(str(p), file_stamp(p)) for p in code]).encode())  # an edited checkout too
    return digest.hexdigest()


def _extra_rules(root: Path, config: Config) -> list[Path]:
    extra = config.get("resolve", "tag_rules")
    return [root / extra] if extra else []


def cache_digest(root: Path, config: Config) -> str:
    """Return a digest of the metadata cache files' sizes and modification times."""
    from vaultbot.cache import default_cache_path

    cache = default_cache_path(root, config.get("resolve", "cache_path"))
    return repr([file_stamp(Path(f"{cache}{suffix}")) for suffix in ("", "-wal")])


def files_digest(root: Path, files: Iterable[str]) -> str:
    """Return a digest of the file index and of the canvases' bytes (orphan-asset reads them)."""
    digest = hashlib.blake2b(digest_size=16)
    for rel in files:
        digest.update(rel.encode() + b"\0")
        if rel.endswith(".canvas"):
            digest.update(_bytes(root / rel) + b"\1")
    return digest.hexdigest()


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"\0missing"



Rows = list[list[Any]]  # findings of one path: [line, column, rule, severity, message, fix]


@dataclass
class State:
    """What a finished real run left: its inputs and its findings on the final notes.

    Findings are kept as JSON rows per path and turned into Diagnostics only when used
    (a 10,000-note vault may hold 100,000s of them).
    """

    inputs: Inputs
    complete: set[str] = field(default_factory=set)  # notes resolve left needing nothing
    offline_complete: set[str] = field(default_factory=set)  # ... but the network (offline runs)
    stated: str = ""  # digest of the titles the notes state (they title papers vault-wide)
    findings: dict[str, Rows] = field(default_factory=dict)  # note rules' findings, per note
    references: dict[str, list[str]] = field(default_factory=dict)  # files each note references
    replay: dict[str, Any] | None = None  # the output of a run that changed nothing
    offline_only: bool = False  # the replay left papers to fetch: valid for offline runs only
    expires: float | None = None  # the replay's oldest "not found" answer expires then

    def replayable(self, now: Inputs, offline: bool) -> bool:
        """Return True when a run on ``now`` would print exactly the stored output."""
        return (
            self.replay is not None
            and self.inputs == now
            and (offline or not self.offline_only)
            and (self.expires is None or time.time() < self.expires)
        )

    def settled(self, settings: str, cache: str, stated: str, digests: Mapping[str, str], offline: bool) -> set[str]:
        """Return the notes resolve may skip: left complete, nothing they depend on changed.

        A note's resolve edits depend on its bytes, the rules, the metadata cache (a
        record added or replaced can give it new tags) and the titles other notes state.
        An offline run may also skip the notes an offline run left waiting for the network.
        """
        if (settings, cache, stated) != (self.inputs.settings, self.inputs.cache, self.stated):
            return set()
        done = self.complete | self.offline_complete if offline else self.complete
        return {rel for rel in done if digests.get(rel) == self.inputs.notes.get(rel)}

    def linted(self, settings: str, files: str, digests: Mapping[str, str]) -> set[str]:
        """Return the notes whose stored findings and references still hold."""
        if settings != self.inputs.settings or files != self.inputs.files:
            return set()
        return {rel for rel, d in digests.items() if rel in self.findings and self.inputs.notes.get(rel) == d}

    def note_findings(self, rel: str) -> list[Diagnostic]:
        """Return the stored findings of note ``rel``."""
        return from_rows(rel, self.findings.get(rel, []))

    def replayed(self) -> tuple[dict[str, int] | None, list[Diagnostic], list[Diagnostic]]:
        """Return the stored run's resolve summary, unresolved IDs and lint findings."""
        replay = self.replay or {}
        unresolved = [d for path, rows in replay["unresolved"] for d in from_rows(path, rows)]
        found = [d for path, rows in replay["vault"] for d in from_rows(path, rows)]
        found += [d for rel in self.findings for d in self.note_findings(rel)]
        return replay["resolve"], unresolved, sorted(found, key=ORDER)


def load(root: Path) -> State | None:
    """Return the stored state, or None (a corrupt file warns: the run is a full one).

    The first line is a header with a digest of the rest: a file cut short or edited
    by hand is detected before anything in it is trusted.
    """
    path = root / STATE_DIR / FILE_NAME
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        if (header.get("format"), header.get("version")) != (FORMAT, __version__):
            return None  # written by another vaultbot: not a fault, just not usable
        if header.get("digest") != hashlib.blake2b(body, digest_size=16).hexdigest():
            raise ValueError("its digest does not match its content")
        return _from_json(json.loads(body))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        warnings.warn(f"{path}: corrupt sync state ({type(exc).__name__}: {exc}); doing a full run", stacklevel=2)
        return None


def save(root: Path, state: State) -> None:
    """Write the state atomically; a failure only costs the next run its shortcut."""
    from vaultbot.state import state_dir

    body = json.dumps(_to_json(state), ensure_ascii=False, separators=(",", ":")).encode()
    header = {"format": FORMAT, "version": __version__, "digest": hashlib.blake2b(body, digest_size=16).hexdigest()}
    try:
        folder = state_dir(root)
        tmp = folder / f".{FILE_NAME}.tmp"
        tmp.write_bytes(json.dumps(header).encode() + b"\n" + body)
        os.replace(tmp, folder / FILE_NAME)
    except OSError as exc:
        warnings.warn(f"{root / STATE_DIR / FILE_NAME}: cannot write the sync state ({exc})", stacklevel=2)


# -- JSON shape ---------------------------------------------------------------------------


def _to_json(state: State) -> dict[str, Any]:
    i = state.inputs
    return {
        "inputs": {"settings": i.settings, "cache": i.cache, "files": i.files, "notes": dict(sorted(i.notes.items()))},
        "complete": sorted(state.complete),
        "offline_complete": sorted(state.offline_complete - state.complete),
        "stated": state.stated,
        "findings": dict(sorted(state.findings.items())),
        "references": dict(sorted(state.references.items())),
        "replay": state.replay,
        "offline_only": state.offline_only,
        "expires": state.expires,
    }


def _from_json(data: dict[str, Any]) -> State:
    i = data["inputs"]
    inputs = Inputs(str(i["settings"]), str(i["cache"]), str(i["files"]), dict(i["notes"]))
    expires = data["expires"]
    complete = set(data["complete"])
    return State(
        inputs,
        complete,
        complete | set(data["offline_complete"]),
        str(data["stated"]),
        dict(data["findings"]),
        dict(data["references"]),
        data["replay"],
        bool(data["offline_only"]),
        None if expires is None else float(expires),
    )


def to_rows(diagnostics: Iterable[Diagnostic]) -> Rows:
    """Return findings of one path as JSON rows (the path is the key they are stored under)."""
    return [[d.line, d.column, d.rule, d.severity, d.message, [[e.start, e.end, e.old, e.new] for e in d.fix]]
            for d in diagnostics]


def grouped_rows(diagnostics: Iterable[Diagnostic]) -> list[list[Any]]:
    """Return findings as ``[path, rows]`` runs of one path each, in their order."""
    groups: list[list[Any]] = []
    for d in diagnostics:
        if not groups or groups[-1][0] != d.path:
            groups.append([d.path, []])
        groups[-1][1].extend(to_rows([d]))
    return groups


def from_rows(path: str, rows: Rows) -> list[Diagnostic]:
    """Return the Diagnostics ``to_rows`` stored for ``path``."""
    return [
        Diagnostic(path, r[0], r[1], r[2], r[3], r[4], tuple(Edit(path, *e) for e in r[5]) if r[5] else ())
        for r in rows
    ]
