"""The default per-note pipeline: the features that exist, chained (lint -> resolve -> link).

Each step adapts one feature's library API to ``(vault, rel) -> Outcome``.  A feature
that is not installed (or not built yet) is left out with a debug message, so the
daemon machinery works with whatever the checkout provides.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from pathlib import Path
from typing import Callable, Sequence

from vaultbot.config import Config
from vaultbot.daemon.pipeline import Outcome, Pipeline, Step, chain
from vaultbot.daemon.worker import Fetcher
from vaultbot.vault import Vault

log = logging.getLogger("vaultbot.watch")


def only(vault: Vault, rels: Sequence[str]) -> Vault:
    """Return a view of ``vault`` whose parsed notes are just ``rels`` (file index kept)."""
    notes = {rel: vault.notes[rel] for rel in rels if rel in vault.notes}
    return dataclasses.replace(vault, notes=notes, unreadable={})


def lint_step(vault: Vault, rels: Sequence[str]) -> Outcome:
    """Lint the notes (findings go to the daemon's log); never edits."""
    from vaultbot.lint import lint

    view = only(vault, rels)
    return Outcome(diagnostics=lint(view, whole_vault=False)) if view.notes else Outcome()


StepFactory = Callable[[Path, Config, bool], "Step | None"]


def _lint_factory(root: Path, config: Config, offline: bool) -> Step | None:
    return lint_step if _available("vaultbot.lint", "lint") else None


FACTORIES: tuple[tuple[str, StepFactory], ...] = (("lint", _lint_factory),)


def default_pipeline(root: Path, config: Config, *, offline: bool) -> tuple[Pipeline, Fetcher | None]:
    """Return the chained steps of every available feature, and the papers fetcher."""
    steps: list[Step] = []
    for name, factory in FACTORIES:
        step = factory(root, config, offline)
        if step is None:
            log.debug("pipeline: %s is not available; skipped", name)
        else:
            steps.append(step)
    log.debug("pipeline: %s", ", ".join(n for n, _ in FACTORIES) or "nothing")
    return chain(steps), None


def _available(module: str, attr: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), attr)
    except ImportError:
        return False
