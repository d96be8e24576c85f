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
from vaultbot.diagnostics import Diagnostic, Edit
from vaultbot.vault import NOTE_SUFFIX, scan_files

FILE_NAME = "sync-state.json"
FORMAT = 1
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
    digest.update(repr([(str(p), _stamp(p)) for p in code]).encode())  # an edited checkout too
    return digest.hexdigest()


def _extra_rules(root: Path, config: Config) -> list[Path]:
    extra = config.get("resolve", "tag_rules")
    return [root / extra] if extra else []


def cache_digest(root: Path, config: Config) -> str:
    """Return a digest of the metadata cache files' sizes and modification times."""
    from vaultbot.cache import default_cache_path

    cache = default_cache_path(root, config.get("resolve", "cache_path"))
    return repr([_stamp(Path(f"{cache}{suffix}")) for suffix in ("", "-wal")])


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


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


@dataclass
class State:
    """What a finished real run left: its inputs and its findings on the final notes."""

    inputs: Inputs
    complete: set[str] = field(default_factory=set)  # notes resolve left needing nothing
    findings: dict[str, list[Diagnostic]] = field(default_factory=dict)  # note rules, per note
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

    def settled(self, settings: str, cache: str, digests: Mapping[str, str]) -> set[str]:
        """Return the notes resolve may skip: left complete, bytes, rules and cache unchanged since.

        The metadata cache must be the same file: a record added or replaced since can
        give a complete note new tags.
        """
        if (settings, cache) != (self.inputs.settings, self.inputs.cache):
            return set()
        return {rel for rel in self.complete if digests.get(rel) == self.inputs.notes.get(rel)}

    def linted(self, settings: str, files: str, digests: Mapping[str, str]) -> set[str]:
        """Return the notes whose stored findings and references still hold."""
        if settings != self.inputs.settings or files != self.inputs.files:
            return set()
        return {rel for rel, d in digests.items() if rel in self.findings and self.inputs.notes.get(rel) == d}


def load(root: Path) -> State | None:
    """Return the stored state, or None (a corrupt file warns: the run is a full one)."""
    path = root / STATE_DIR / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        warnings.warn(f"{path}: unreadable sync state ({exc}); doing a full run", stacklevel=2)
        return None
    if isinstance(data, dict) and (data.get("format"), data.get("version")) != (FORMAT, __version__):
        return None  # written by another vaultbot: not a fault, just not usable
    try:
        return _from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        warnings.warn(f"{path}: corrupt sync state ({type(exc).__name__}: {exc}); doing a full run", stacklevel=2)
        return None


def save(root: Path, state: State) -> None:
    """Write the state atomically; a failure only costs the next run its shortcut."""
    from vaultbot.state import state_dir

    payload = _to_json(state)
    try:
        folder = state_dir(root)
        tmp = folder / f".{FILE_NAME}.tmp"
        tmp.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, folder / FILE_NAME)
    except OSError as exc:
        warnings.warn(f"{root / STATE_DIR / FILE_NAME}: cannot write the sync state ({exc})", stacklevel=2)


# -- JSON shape ---------------------------------------------------------------------------


def _to_json(state: State) -> dict[str, Any]:
    i = state.inputs
    return {
        "format": FORMAT,
        "version": __version__,
        "inputs": {"settings": i.settings, "cache": i.cache, "files": i.files, "notes": dict(sorted(i.notes.items()))},
        "complete": sorted(state.complete),
        "findings": {rel: [diag_to_json(d) for d in found] for rel, found in sorted(state.findings.items())},
        "references": dict(sorted(state.references.items())),
        "replay": state.replay,
        "offline_only": state.offline_only,
        "expires": state.expires,
    }


def _from_json(data: dict[str, Any]) -> State:
    i = data["inputs"]
    notes = {str(k): str(v) for k, v in i["notes"].items()}
    inputs = Inputs(str(i["settings"]), str(i["cache"]), str(i["files"]), notes)
    replay = data["replay"]
    if replay is not None:
        replay = {
            "resolve": {str(k): int(v) for k, v in replay["resolve"].items()} if replay["resolve"] else None,
            "unresolved": [diag_from_json(d) for d in replay["unresolved"]],
            "diagnostics": [diag_from_json(d) for d in replay["diagnostics"]],
        }
    expires = data["expires"]
    return State(
        inputs,
        {str(rel) for rel in data["complete"]},
        {str(rel): [diag_from_json(d) for d in found] for rel, found in data["findings"].items()},
        {str(rel): [str(f) for f in files] for rel, files in data["references"].items()},
        replay,
        bool(data["offline_only"]),
        None if expires is None else float(expires),
    )


def diag_to_json(d: Diagnostic) -> list[Any]:
    """Return a Diagnostic (and its fix Edits) as plain JSON lists."""
    fix = [[e.path, e.start, e.end, e.old, e.new] for e in d.fix]
    return [d.path, d.line, d.column, d.rule, d.severity, d.message, fix]


def diag_from_json(row: list[Any]) -> Diagnostic:
    """Return the Diagnostic ``diag_to_json`` wrote (a wrong shape raises)."""
    path, line, column, rule, severity, message, fix = row
    if severity not in ("error", "warning", "info"):
        raise ValueError(f"unknown severity {severity!r}")
    edits = tuple(Edit(str(p), int(s), int(e), str(o), str(n)) for p, s, e, o, n in fix)
    return Diagnostic(str(path), int(line), int(column), str(rule), severity, str(message), edits)
