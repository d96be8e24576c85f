"""vaultbot: keep an Obsidian vault of paper-reading notes resolved, linked and valid.

The package is a library first; the ``vaultbot`` command is a thin click skin over it.
The public entry points below are loaded lazily (PEP 562), so ``import vaultbot`` stays
cheap and ``vaultbot lint`` never pays for networkx, arxiv or rapidfuzz.

    from vaultbot import load_vault, lint_vault, run_sync
    vault = load_vault("~/Notes")
    for finding in lint_vault(vault):
        print(finding.path, finding.line, finding.rule, finding.message)
    report = run_sync("~/Notes", offline=True, dry_run=True)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> (module, attribute).  No public name may equal a submodule's name
# (``lint``, ``link``, ``watch``...): importing the submodule would replace it.
_EXPORTS: dict[str, tuple[str, str]] = {
    "load_config": ("vaultbot.config", "load_config"),
    "load_vault": ("vaultbot.vault", "load_vault"),
    "parse": ("vaultbot.parser", "parse"),
    "lint_vault": ("vaultbot.lint", "lint"),
    "resolve_vault": ("vaultbot.resolve", "resolve_vault"),
    "link_vault": ("vaultbot.link", "link"),
    "clean_vault": ("vaultbot.link", "clean"),
    "run_sync": ("vaultbot.sync", "run_sync"),
    "run_link": ("vaultbot.sync", "run_link"),
    "run_clean": ("vaultbot.sync", "run_clean"),
    "related": ("vaultbot.similarity", "related"),
    "build_graph": ("vaultbot.graph", "build_graph"),
    "export": ("vaultbot.exporters", "export"),
    "export_vault": ("vaultbot.topic_map", "export_vault"),
    "watch_vault": ("vaultbot.watch", "watch"),
    "apply_edits": ("vaultbot.writer", "apply"),
    "Diagnostic": ("vaultbot.diagnostics", "Diagnostic"),
    "Edit": ("vaultbot.diagnostics", "Edit"),
    "Note": ("vaultbot.model", "Note"),
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    """Import a public entry point on first use."""
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'vaultbot' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
