"""``vaultbot lint``'s core, usable as a library: ``lint(vault) -> list[Diagnostic]``.

Example::

    from vaultbot.vault import load_vault
    from vaultbot.lint import lint

    for diag in lint(load_vault("sample_vault"), select=["missing-asset"]):
        print(diag.path, diag.line, diag.message)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from vaultbot.diagnostics import Diagnostic
from vaultbot.lint.context import LintContext
from vaultbot.lint.engine import Rule, Selection, load_catalogue, run
from vaultbot.vault import Vault

__all__ = ["Rule", "lint", "load_rules", "selection_for"]

CATALOGUE = "lint.toml"


def load_rules(path: Path | None = None) -> dict[str, Rule]:
    """Return the validated rule catalogue (the packaged ``rules/lint.toml`` by default).

    Cached per file and modification time: the daemon lints one note at a time.
    """
    from vaultbot.rules_data import rule_file

    path = path or rule_file(CATALOGUE)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1  # load_catalogue reports the unreadable file
    return dict(_catalogue(path, stamp))


@functools.lru_cache(maxsize=8)
def _catalogue(path: Path, mtime_ns: int) -> dict[str, Rule]:
    from vaultbot.lint.checks import REGISTRY

    return load_catalogue(path, REGISTRY)


def selection_for(
    vault: Vault, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> tuple[Selection, list[str]]:
    """Return the vault config's selection overridden by ``select``/``ignore``, and sources."""
    where = str(vault.config.source or "configuration")
    lint_cfg = vault.config["lint"]
    layers = [(frozenset(lint_cfg["select"]), frozenset(lint_cfg["ignore"]))]
    sources = [f"{where}: [lint]"]
    if select is not None or ignore is not None:
        layers.append((frozenset(select or ()), frozenset(ignore or ())))
        sources.append("--select/--ignore")
    return Selection(tuple(layers), dict(lint_cfg["severity"])), sources


def lint(
    vault: Vault,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    whole_vault: bool | None = None,
    rules_path: Path | None = None,
    context: LintContext | None = None,
) -> list[Diagnostic]:
    """Lint ``vault``'s parsed notes and return the findings sorted by (path, line, col, rule).

    ``select``/``ignore`` take rule ids (or ``ALL``) and override the vault's
    ``[lint]`` config.  ``whole_vault`` defaults to "every note of the vault was
    parsed"; vault-wide rules (orphan-asset) run only then.  ``context`` (over ``vault``)
    replaces the one built here, so a caller can read its resolved references afterwards.
    """
    from vaultbot.lint.checks import REGISTRY

    rules = load_rules(rules_path)
    selection, sources = selection_for(vault, select, ignore)
    selection.validate(rules, sources)
    if context is None:
        if whole_vault is None:
            whole_vault = set(vault.note_paths) <= set(vault.notes) | set(vault.unreadable)
        context = LintContext(vault, whole_vault)
    return run(context, selection.effective(rules), REGISTRY)
