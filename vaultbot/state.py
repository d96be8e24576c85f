"""The vault's own state folder, ``.vaultbot/``: one place creates it and its ``.gitignore``.

Everything vaultbot keeps there is transient (locks, logs, status, watch state, cached
edges, sync state) except the metadata cache, which is meant to travel with the vault.
The ``.gitignore`` therefore ignores everything but itself and ``cache.sqlite``, so a vault
kept in git stays clean whichever command created the folder first, and a new transient
file never needs a new ignore line.
"""

from __future__ import annotations

from pathlib import Path

from vaultbot.config import STATE_DIR

GITIGNORE = """\
# Written by vaultbot: everything here is transient except the metadata cache.
*
!.gitignore
!cache.sqlite
"""


def state_dir(root: Path | str) -> Path:
    """Return ``<vault>/.vaultbot``, creating it (and its ``.gitignore``) when missing."""
    folder = Path(root) / STATE_DIR
    folder.mkdir(exist_ok=True)
    ensure_gitignore(folder)
    return folder


def ensure_gitignore(folder: Path) -> None:
    """Write the state folder's ``.gitignore`` unless one is already there (never clobber)."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        try:
            ignore.write_text(GITIGNORE, encoding="utf-8")
        except OSError:
            pass  # a read-only vault still works; git just shows the files


def file_stamp(path: Path) -> tuple[int, int] | None:
    """Return ``(size, mtime_ns)`` of ``path``, or None when it is missing.

    Cheap change detection for files vaultbot fingerprints without reading them
    (the metadata cache, rule files, its own code).
    """
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns
