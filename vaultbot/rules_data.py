"""Find the default rule files (``rules/``) wherever vaultbot is installed.

The wheel maps the repository's top-level ``rules/`` into ``vaultbot/rules`` (pyproject
``force-include``), so an installed vaultbot reads them through importlib.resources; an
editable install has no ``vaultbot/rules`` and falls back to ``<repo>/rules``.  Lint and
resolve both call this one helper, so the two layouts are handled in one place.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from vaultbot.errors import RuleError


def rules_dir() -> Path:
    """Return the folder holding the default rule files."""
    packaged = resources.files("vaultbot") / "rules"
    if packaged.is_dir():
        return Path(str(packaged))
    repo = Path(__file__).resolve().parent.parent / "rules"
    if repo.is_dir():
        return repo
    raise RuleError(f"default rules not found (looked in {packaged} and {repo}); reinstall vaultbot")


def rule_file(name: str) -> Path:
    """Return the path of one default rule file, e.g. ``tags.toml``."""
    path = rules_dir() / name
    if not path.is_file():
        raise RuleError(f"{path}: default rule file missing; reinstall vaultbot")
    return path
