"""``vaultbot sync VAULT``: resolve + link + lint in one pass, the main command.

A thin skin over ``vaultbot.sync.run_sync``: a status line on a terminal while it runs
(nothing when piped, in CI or in a hook), the diff under ``--dry-run``, the findings,
and one summary line.  Exit codes: 0 the run completed (remaining findings are listed),
1 with ``--check`` when anything would change or errors remain, 2 usage/internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import Any

import click

from vaultbot.cli._common import EXIT_CLEAN, EXIT_FINDINGS, error_boundary, stream_is_terminal


class Status:
    """One self-overwriting status line on stderr, shown only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.width = 0

    def __call__(self, message: str) -> None:
        if self.enabled:
            text = message[:100]
            click.echo("\r" + text.ljust(self.width), err=True, nl=False)
            self.width = len(text)

    def __enter__(self) -> Status:  # noqa: PYI034 - final class, plain Self is enough
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.enabled and self.width:
            click.echo("\r" + " " * self.width + "\r", err=True, nl=False)


def echo_outcome(report: Any, dry_run: bool, show_diff: bool) -> None:
    """Print the diff (dry run) and the notes skipped because they changed meanwhile."""
    if show_diff and report.diff:
        click.echo("".join(report.diff), nl=False)
    for rel, reason in report.skipped:
        click.echo(f"warning: {rel}: not changed: {reason}", err=True)


@click.command("sync")
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--offline", is_flag=True, help="Use only the metadata cache; never open a socket.")
@click.option("--dry-run", is_flag=True, help="Print a unified diff instead of writing notes.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when anything would change or errors remain.")
@click.option("--diff", "show_diff", is_flag=True, help="Also print the unified diff of what was written.")
@click.option("--arxiv-url", metavar="URL", help="arXiv API endpoint (default: resolve.arxiv_url).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format of the findings.")
@error_boundary
def sync(
    vault: Path, offline: bool, dry_run: bool, check: bool, show_diff: bool, arxiv_url: str | None, output_format: str
) -> None:
    """Resolve paper links, write related links and lint the vault, in one pass.

    Exit codes: 0 the run completed (findings are listed in the summary), 1 with
    --check when anything would change or errors remain, 2 usage or internal error.
    """
    from vaultbot.config import load_config
    from vaultbot.diagnostics import ORDER
    from vaultbot.report import render
    from vaultbot.sync import run_sync

    config = load_config(vault.resolve(), overrides={"resolve": {"arxiv_url": arxiv_url}})
    dry = dry_run or check
    with Status(stream_is_terminal()) as status:
        report = run_sync(vault, offline=offline, dry_run=dry, config=config, progress=status)
    echo_outcome(report, dry, show_diff=(dry_run or show_diff) and output_format == "text")
    findings = sorted(report.unresolved + report.diagnostics, key=ORDER)
    if output_format == "json":
        click.echo(_json(report, findings, dry))
    else:
        click.echo(render("text", findings), nl=False)
        click.echo(report.summary(dry_run=dry))
    failing = report.changed or report.errors
    sys.exit(EXIT_FINDINGS if check and failing else EXIT_CLEAN)


def _json(report: Any, findings: list[Any], dry: bool) -> str:
    import json

    payload = {
        "resolve": vars(report.resolve) if report.resolve is not None else None,
        "links_added": report.links_added,
        "links_removed": report.links_removed,
        "changed": sorted(report.changed),
        "dry_run": dry,
        "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
        "diagnostics": [d.to_dict() for d in findings],
        "diff": "".join(report.diff),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
