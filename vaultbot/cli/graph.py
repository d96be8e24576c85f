"""``vaultbot graph VAULT --format F -o OUT``: export the vault's topic map (issue 7).

A thin skin over ``vaultbot.topic_map.export_vault``: options in, one core call, the
file (or stdout) written, a one-line summary on stderr, an exit code back.
"""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import click

from vaultbot.cli._common import EXIT_CLEAN, error_boundary, stream_is_terminal
from vaultbot.errors import VaultbotError
from vaultbot.exporters import FORMATS, GENERATOR

SUFFIXES = {
    ".canvas": "canvas", ".md": "mermaid", ".html": "html", ".htm": "html", ".graphml": "graphml",
    ".gexf": "gexf", ".json": "json", ".dot": "dot", ".gv": "dot",
}  # fmt: skip
MARKER_PROBE = 65536  # how far into an existing file to look for the generator's mark


def _date(value: datetime | None) -> date | None:
    return value.date() if value else None


@click.command("graph")
@click.argument("vault", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS),
              help="Output format (default: from the -o suffix, e.g. .canvas, .md, .html).")
@click.option("-o", "--output", required=True, metavar="OUT", help="File to write, or - for stdout.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Keep papers with this tag (repeatable).")
@click.option("--topic", "topics", multiple=True, metavar="TOPIC",
              help="Keep papers of this topic, by number or label (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Keep papers dated on or after YYYY-MM-DD.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Keep papers dated on or before YYYY-MM-DD.")
@click.option("--max-nodes", type=click.IntRange(min=0), metavar="N",
              help="Keep the N best-connected papers (0: all; default: 60 for mermaid, 2000 for html, else all).")
@click.option("--title", help="Title of the map (default: 'Paper map of <vault folder>').")
@click.option("--offline/--online", default=True, show_default=True,
              help="Offline uses only the metadata cache; online first fetches what it lacks from arXiv.")
@click.option("--force", is_flag=True, help="Overwrite OUT even if vaultbot did not write it.")
@error_boundary
def graph(vault: Path, fmt: str | None, output: str, tags: tuple[str, ...], topics: tuple[str, ...],
          since: datetime | None, until: datetime | None, max_nodes: int | None, title: str | None,
          offline: bool, force: bool) -> None:  # fmt: skip
    """Export the vault's papers as a topic map: one cluster per topic, related papers linked.

    Formats: canvas (JSON Canvas for Obsidian), mermaid (a Markdown note), html (one
    offline file with a zoomable, searchable map), graphml and gexf (Gephi, yEd), json
    (node-link, for d3), dot (Graphviz).  Output is deterministic, so it diffs well.
    Exit codes: 0 written, 2 usage or error.
    """
    from vaultbot.cli.sync import Status
    from vaultbot.exporters import ExportOptions
    from vaultbot.topic_map import export_vault

    fmt = fmt or _format_from_suffix(output)
    target = None if output == "-" else Path(output)
    if target is not None:
        _check_target(target, force)
    options = ExportOptions(tags=tags, topics=topics, since=_date(since), until=_date(until), max_nodes=max_nodes)
    if title:
        options = replace(options, title=title)
    buffer = io.BytesIO()
    with Status(stream_is_terminal()) as status:
        loaded, selection = export_vault(vault, fmt, buffer, options, online=not offline, progress=status)
    _emit(buffer.getvalue(), target)
    for rel, problem in sorted(loaded.unreadable.items()):
        click.echo(f"warning: {rel}: skipped: {problem.reason}", err=True)
    click.echo(_summary(selection, fmt, output), err=True)
    sys.exit(EXIT_CLEAN)


def _format_from_suffix(output: str) -> str:
    found = SUFFIXES.get(Path(output).suffix.lower()) if output != "-" else None
    if found is None:
        raise click.UsageError(f"cannot tell the format from {output!r}: pass --format ({', '.join(FORMATS)})")
    return found


def _check_target(target: Path, force: bool) -> None:
    """Refuse to replace a file vaultbot did not write (say, a note called topics.md)."""
    if target.is_dir():
        raise click.UsageError(f"{target} is a folder; -o takes a file name")
    if not target.parent.is_dir():
        raise click.UsageError(f"{target.parent} does not exist; create it or pick another -o")
    if force or not target.exists():
        return
    with open(target, "rb") as handle:
        head = handle.read(MARKER_PROBE)
    if GENERATOR.encode() not in head:
        raise VaultbotError(f"{target} exists and was not written by vaultbot graph; pass --force to overwrite it")


def _emit(data: bytes, target: Path | None) -> None:
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from vaultbot.writer import atomic_write

    atomic_write(target, data)


def _summary(selection: object, fmt: str, output: str) -> str:
    from vaultbot.export_canvas import summary_line

    where = "stdout" if output == "-" else output
    line = f"graph: wrote {fmt} to {where}: {summary_line(selection)}"  # type: ignore[arg-type]
    filtered = getattr(selection, "filtered_out", 0)
    return line + (f"; {filtered} papers filtered out" if filtered else "")
