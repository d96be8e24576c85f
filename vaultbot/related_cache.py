"""Remember the related-paper edges between runs, so an unchanged vault skips the graph.

Scoring every paper is the expensive part of ``vaultbot sync``; when nothing it reads has
changed, its result cannot change either.  What it reads: each mention's paper ID,
stated title and commentary (never vaultbot's own lines, which the parser leaves out),
the metadata cache file, the tag rules and the ``[link]`` settings.  A fingerprint of
those is stored with the edges in ``.vaultbot/related-edges.json`` (JSON, never pickle:
a vault may come from elsewhere and nothing in it is executed); a different fingerprint
means a full rebuild.  The file is transient (``.vaultbot/.gitignore`` ignores it).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from vaultbot import __version__
from vaultbot.config import STATE_DIR
from vaultbot.state import file_stamp
from vaultbot.vault import Vault

FILE_NAME = "related-edges.json"
FORMAT = 1

Edges = dict[tuple[str, str], float]
_LINK_OWN = re.compile(
    r"(?m)^[ \t]*- related: .* %%vaultbot%%[ \t]*\r?\n?|[ \t]\^arxiv-[A-Za-z0-9-]+(?=[ \t]*\r?$)"
    r"|^vaultbot-block-ids:.*\r?\n?"
)


def fingerprint(vault: Vault) -> str:
    """Return a digest of everything the related-paper edges are computed from.

    The notes enter as their text minus what link itself writes (related lines, its
    ``^arxiv-`` block IDs, its frontmatter key), so linking does not invalidate the
    edges it was computed from; any other change does.  Text, not the mentions'
    commentary, is hashed because the parser computes commentary only on demand.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps(_settings(vault), sort_keys=True, default=str).encode())
    for rel in sorted(vault.notes):
        text = vault.notes[rel].text
        if "%%vaultbot%%" in text or " ^arxiv-" in text or "vaultbot-block-ids" in text:
            text = _LINK_OWN.sub("", text)
        digest.update(rel.encode())
        digest.update(b"\0")
        digest.update(text.encode())
        digest.update(b"\1")
    return digest.hexdigest()


def _settings(vault: Vault) -> list[Any]:
    section = vault.config["resolve"]
    from vaultbot.cache import default_cache_path

    cache = default_cache_path(vault.root, section["cache_path"])
    stamps = [file_stamp(Path(f"{cache}{suffix}")) for suffix in ("", "-wal")]
    rules = file_stamp(vault.root / section["tag_rules"]) if section["tag_rules"] else None
    return [FORMAT, __version__, dict(vault.config["link"]), stamps, rules]



def load(vault: Vault, digest: str) -> tuple[Edges, dict[str, str]] | None:
    """Return the stored edges and titles when they were computed from ``digest``."""
    try:
        data = json.loads((vault.root / STATE_DIR / FILE_NAME).read_text(encoding="utf-8"))
        if data.get("fingerprint") != digest:
            return None
        edges = {(str(a), str(b)): float(s) for a, b, s in data["edges"]}
        return edges, {str(k): str(v) for k, v in data["titles"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(vault: Vault, digest: str, edges: Edges, titles: dict[str, str]) -> None:
    """Write the edges atomically; a failure only costs the next run a rebuild."""
    from vaultbot.state import state_dir

    payload = {
        "fingerprint": digest,
        "edges": [[a, b, s] for (a, b), s in sorted(edges.items())],
        "titles": dict(sorted(titles.items())),
    }
    with contextlib.suppress(OSError):
        folder = state_dir(vault.root)
        tmp = folder / f".{FILE_NAME}.tmp"
        tmp.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, folder / FILE_NAME)
