"""Copy this checkout's tracked files (as they are on disk) somewhere else.

Packaging tests build from the copy, so they exercise the code under test (not the last
commit) and never leave build artefacts in the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".*_cache"
)


def copy_checkout(dest: Path) -> Path:
    """Copy the tracked files of the checkout into ``dest`` (everything, in an sdist)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=False)
    if listed.returncode != 0 or not listed.stdout:  # an unpacked sdist: no git metadata
        shutil.copytree(REPO, dest, ignore=IGNORED, dirs_exist_ok=True)
        return dest
    for rel in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest
