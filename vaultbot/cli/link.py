"""``vaultbot link VAULT`` and ``vaultbot clean VAULT``: write or remove related-paper links.

Thin skins over ``vaultbot.sync.run_link`` / ``run_clean``: options in, one core call,
the diff (``--dry-run``) or a one-line summary out, an exit code back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vaultbot.cli._common import EXIT_CLEAN, EXIT_FINDINGS, error_boundary, stream_is_terminal
from vaultbot.cli.sync import Status, echo_outcome


@click.command("link")
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print a unified diff instead of writing notes.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when links would change (for CI).")
@error_boundary
def link(vault: Path, dry_run: bool, check: bool) -> None:
    """Write two-way related-paper links under each paper mention.

    Each mention gets one "related:" sub-bullet (ending in a hidden %%vaultbot%%
    marker) linking to the first mention of every related paper, which gets a block ID
    such as ^arxiv-2601-10355.  Rerunning updates the lines; `vaultbot clean` removes
    them.  Exit codes: 0 done, 1 with --check when something would change, 2 error.
    """
    from vaultbot.sync import run_link

    status = Status(stream_is_terminal())
    with status:
        report = run_link(vault, dry_run=dry_run or check, progress=status)
    echo_outcome(report, dry_run or check, show_diff=dry_run)
    click.echo(f"link: {report.links_added} links added, {report.links_removed} removed, "
               f"{len(report.changed)} notes {'would change' if dry_run or check else 'changed'}")
    sys.exit(EXIT_FINDINGS if check and report.changed else EXIT_CLEAN)


@click.command("clean")
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print a unified diff instead of writing notes.")
@error_boundary
def clean(vault: Path, dry_run: bool) -> None:
    """Remove everything `vaultbot link` wrote: related lines, its block IDs, its key.

    Block IDs you wrote yourself stay; the notes are restored byte for byte.
    """
    from vaultbot.sync import run_clean

    report = run_clean(vault, dry_run=dry_run)
    echo_outcome(report, dry_run, show_diff=dry_run)
    click.echo(f"clean: {report.links_removed} links removed, "
               f"{len(report.changed)} notes {'would change' if dry_run else 'changed'}")
    sys.exit(EXIT_CLEAN)
