"""Lint the paths a user (or pre-commit) names: group them by vault, lint, maybe fix.

Each path maps to its vault (``config.find_vault_root``).  A vault root means the whole
vault; a folder inside it or note files mean just those notes, while the whole vault is
still indexed so references resolve as Obsidian resolves them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vaultbot.config import find_vault_root, load_config
from vaultbot.diagnostics import ORDER, Diagnostic, Edit
from vaultbot.lint import lint
from vaultbot.lint.split import lint_vault
from vaultbot.locks import vault_write_lock
from vaultbot.vault import NOTE_SUFFIX, is_ignored, load_vault, scan_files
from vaultbot.writer import apply

WHOLE = None  # marker in a vault's wanted set: lint every note


@dataclass
class LintRun:
    """What one ``vaultbot lint`` run found (sorted by path, line, column, rule) and, under
    ``--fix``, changed."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    fixed: int = 0
    shown: dict[int, str] = field(default_factory=dict)  # by id(diag), when several vaults
    shown_in_vault: dict[str, str] = field(default_factory=dict)  # by path, for one vault

    def display(self, diag: Diagnostic) -> str:
        """Return the path to show for ``diag``: relative to the working folder if inside it."""
        if self.shown:
            return self.shown.get(id(diag), diag.path)
        return self.shown_in_vault.get(diag.path, diag.path)


def lint_paths(
    paths: Sequence[Path],
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    fix: bool = False,
    cwd: Path | None = None,
) -> LintRun:
    """Lint every vault the ``paths`` belong to; apply certain fixes when ``fix``."""
    run = LintRun()
    cwd = (cwd or Path.cwd()).resolve()
    groups = group_by_vault(paths)
    for root, wanted in groups.items():
        if wanted is WHOLE and not fix:
            diags = lint_vault(root, select, ignore)  # two cores for a large vault
        else:
            vault = load_vault(root, only=None if wanted is WHOLE else sorted(wanted))
            diags = lint(vault, select, ignore, whole_vault=wanted is WHOLE)
            if fix:
                diags = _fix(vault.root, diags, vault.sources, run)
        shown = _shown_prefix(root, cwd)
        in_vault = {path: shown(path) for path in {diag.path for diag in diags}}
        run.shown_in_vault.update(in_vault)
        for diag in diags if len(groups) > 1 else ():  # two vaults may share a vault path
            run.shown[id(diag)] = in_vault[diag.path]
        run.diagnostics.extend(diags)
    if len(groups) > 1 or fix:
        run.diagnostics.sort(key=ORDER)  # one vault's findings come sorted (lint, lint_vault)
    return run


def group_by_vault(paths: Sequence[Path]) -> dict[Path, set[str] | None]:
    """Map each vault root to the notes to lint (``None``: the whole vault)."""
    groups: dict[Path, set[str] | None] = {}
    for path in paths:
        path = path.resolve()
        root = find_vault_root(path)
        if groups.get(root, set()) is WHOLE:
            continue
        if path == root:
            groups[root] = WHOLE
            continue
        wanted = groups.setdefault(root, set())
        assert wanted is not None
        wanted.update(_notes_at(root, path))
    return groups


def _notes_at(root: Path, path: Path) -> list[str]:
    """Return the visible notes named by ``path`` (a note, or a folder inside the vault)."""
    config = load_config(root)
    rel = path.relative_to(root).as_posix()
    if path.is_dir():
        return [
            p
            for p in scan_files(root, config)
            if p.startswith(rel + "/") and p.lower().endswith(NOTE_SUFFIX)
        ]
    hidden = any(part.startswith(".") for part in rel.split("/"))
    patterns = config.get("vault", "ignore")
    if hidden or not rel.lower().endswith(NOTE_SUFFIX) or (patterns and is_ignored(rel, patterns)):
        return []
    return [rel]


def _shown_prefix(root: Path, cwd: Path) -> Callable[[str], str]:
    """Return a function turning a vault path into a path relative to ``cwd``.

    Cheap per call (lint may print 100k findings): only string slicing, no ``relpath``.
    """
    if root == cwd:
        return lambda rel: rel
    if cwd in root.parents:
        prefix = root.relative_to(cwd).as_posix() + "/"
        return lambda rel: prefix + rel
    if root in cwd.parents:
        inner = cwd.relative_to(root).as_posix() + "/"
        up = "../" * inner.count("/")
        return lambda rel: rel[len(inner) :] if rel.startswith(inner) else up + rel
    return lambda rel: f"{root}/{rel}"


def _fix(root: Path, diags: list[Diagnostic], sources: dict, run: LintRun) -> list[Diagnostic]:
    """Apply the findings' certain fixes; return the findings that remain."""
    edits = _non_overlapping(edit for diag in diags for edit in diag.fix)
    if not edits:
        return diags
    with vault_write_lock(root):  # only --fix writes; plain lint never waits for the lock
        result = apply(root, edits, sources)
    run.written.extend(result.written)
    run.skipped.extend(result.skipped)
    applied = set(edits)
    done = [d for d in diags if d.fix and d.path in result.written and set(d.fix) <= applied]
    run.fixed += len(done)
    return [d for d in diags if d not in done]


def _non_overlapping(edits: Iterable[Edit]) -> list[Edit]:
    """Return the edits without duplicates or overlaps (the first one wins)."""
    kept: list[Edit] = []
    for edit in sorted(set(edits), key=lambda e: (e.path, e.start, e.end)):
        if kept and kept[-1].path == edit.path and edit.start < kept[-1].end:
            continue
        kept.append(edit)
    return kept
