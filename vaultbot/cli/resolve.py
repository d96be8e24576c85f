"""``vaultbot resolve VAULT``: titled paper links and topic tags, from the cache or arXiv."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from vaultbot.cli._common import EXIT_CLEAN, EXIT_FINDINGS, error_boundary, stream_is_terminal


class _ProgressLine:
    """``resolving: 120/400 papers, 2 requests, ETA 9s`` on a terminal; nothing elsewhere."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, requests: int) -> None:
        elapsed = time.monotonic() - self.started
        eta = f", ETA {elapsed / done * (total - done):.0f}s" if 0 < done < total else ""
        click.echo(f"\rresolving: {done}/{total} papers, {requests} requests{eta}   ", err=True, nl=False)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo("", err=True)


@click.command("resolve")
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--offline", is_flag=True, help="Use only the metadata cache; never open a socket.")
@click.option("--dry-run", is_flag=True, help="Print a unified diff instead of writing notes (fetched metadata is still cached).")
@click.option("--strict", is_flag=True, help="Exit 1 when any paper is left unresolved.")
@click.option("--arxiv-url", metavar="URL", help="arXiv API endpoint (default: resolve.arxiv_url).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@error_boundary
def resolve(vault: Path, offline: bool, dry_run: bool, strict: bool, arxiv_url: str | None, output_format: str) -> None:
    """Turn bare arXiv / Hugging Face paper links into [Title](url) and tag the notes.

    Titles come from the vault's metadata cache (.vaultbot/cache.sqlite), Hugging Face
    report headings, or the arXiv API (batched, spaced, cached).  Exit codes: 0 done
    (also when some papers stay unresolved), 1 with --strict when any paper is
    unresolved, 2 usage or internal error.
    """
    from vaultbot.config import load_config
    from vaultbot.resolve import resolve_path

    root = vault.resolve()
    config = load_config(root, overrides={"resolve": {"arxiv_url": arxiv_url}})
    progress = _ProgressLine() if stream_is_terminal() else None
    try:
        result, written = resolve_path(root, config, offline=offline, dry_run=dry_run, progress=progress)
    finally:
        if progress:
            progress.close()
    _report(result, written, output_format, dry_run)
    sys.exit(EXIT_FINDINGS if strict and result.unresolved else EXIT_CLEAN)


def _report(result: Any, written: Any, output_format: str, dry_run: bool) -> None:
    from vaultbot.diagnostics import ORDER

    diagnostics = sorted((u.to_diagnostic() for u in result.unresolved), key=ORDER)
    if output_format == "json":
        payload = {
            "summary": vars(result.summary),
            "unresolved": [d.to_dict() for d in diagnostics],
            "written": written.written,
            "skipped": [{"path": p, "reason": r} for p, r in written.skipped],
            "diff": "".join(written.diff) if dry_run else None,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if dry_run:
        click.echo("".join(written.diff), nl=False)
    for d in diagnostics:
        click.echo(f"{d.path}:{d.line}:{d.column}: {d.rule} {d.message}")
    for rel, reason in written.skipped:
        click.echo(f"warning: {rel}: not changed: {reason}", err=True)
    click.echo(result.summary.line())
