"""``vaultbot lint [PATH]...``: check a vault, or some notes of one, and report findings.

pre-commit passes file names: each is mapped to its vault (``find_vault_root``), the
whole vault is indexed, and only the named notes are parsed and checked.  Lint is
read-only (``--fix`` aside, which goes through the writer) and never takes a lock, so it
never waits for a running daemon.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import click

from vaultbot.cli._common import EXIT_CLEAN, EXIT_FINDINGS, error_boundary

T = TypeVar("T")


def _rule_list(values: Iterable[str]) -> list[str] | None:
    """Split repeated and comma-separated ``--select``/``--ignore`` values."""
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULE",
    help="Run only these rules (repeatable, comma-separated, or ALL).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULE",
    help="Never run these rules (repeatable, comma-separated).",
)
@click.option(
    "--fix", is_flag=True, help="Apply the certain fixes; exit 1 when a file was changed."
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option("--list-rules", is_flag=True, help="Print the rule catalogue and exit.")
@error_boundary
def lint(
    paths: tuple[Path, ...],
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fix: bool,
    exit_zero: bool,
    list_rules: bool,
) -> None:
    """Check image references, paper links, frontmatter and day headings.

    PATH is a vault folder, a folder inside one, or notes of one (default: the current
    folder); references always resolve against the whole vault.  Silence a finding with
    `%% vaultbot-ignore: RULE %%` at the end of its line.  Exit codes: 0 clean or
    warnings only, 1 errors found (or files changed by --fix), 2 usage or internal error.
    """
    from vaultbot.lint.paths import lint_paths
    from vaultbot.report import render

    if list_rules:
        click.echo(_catalogue_text(output_format), nl=False)
        return

    result = _without_cyclic_gc(
        lambda: lint_paths(
            list(paths) or [Path(".")],
            select=_rule_list(select),
            ignore=_rule_list(ignore),
            fix=fix,
        )
    )
    for rel, reason in result.skipped:
        click.echo(f"warning: {rel}: not fixed: {reason}", err=True)
    colour = output_format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = render(
        output_format,
        result.diagnostics,
        result.display,
        colour=colour,
        fixed=result.fixed,
        presorted=True,  # lint_paths returns them sorted
    )
    click.echo(text, nl=False)
    if result.written:
        sys.exit(EXIT_FINDINGS)
    has_errors = any(d.severity == "error" for d in result.diagnostics)
    sys.exit(EXIT_FINDINGS if has_errors and not exit_zero else EXIT_CLEAN)


def _without_cyclic_gc(work: Callable[[], T]) -> T:
    """Run ``work`` with the cyclic garbage collector paused.

    Lint builds ~10k immutable note records and frees nothing until it ends; the
    collector would rescan them on every allocation burst (it doubled the cold run
    time of a 10,000-note vault in bench/bench_lint.py).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return work()
    finally:
        if was_enabled:
            gc.enable()


def _catalogue_text(output_format: str) -> str:
    """Return the rule catalogue as a table (text) or a JSON list."""
    import json
    from dataclasses import asdict

    from vaultbot.lint import load_rules

    rules = list(load_rules().values())
    if output_format == "json":
        return json.dumps([asdict(r) for r in rules], ensure_ascii=False, indent=2) + "\n"
    width = max(len(r.id) for r in rules)
    lines = [
        f"{r.id:<{width}}  {r.severity:<7}  {r.name}{' (opt-in)' if r.off_by_default else ''}"
        for r in rules
    ]
    return "\n".join(lines) + "\n"
