"""``vaultbot graph`` as a library: a vault's paper graph from the metadata cache, exported.

Offline by default: titles, categories and dates come from the cache that ``resolve``
fills (or a report's stated title), never from the network, so a map can be drawn on a
train.  ``online=True`` first lets ``resolve`` fetch what the cache lacks (notes are not
touched: its edits are dropped).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from vaultbot.config import Config
from vaultbot.exporters import ExportOptions, Selection, export
from vaultbot.model import Note, PaperMention
from vaultbot.vault import Vault, load_vault

if TYPE_CHECKING:
    import networkx as nx

    from vaultbot.cache import PaperRecord

Progress = Callable[[str], None]
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def export_vault(
    root: str | Path,
    fmt: str,
    stream: IO[bytes],
    options: ExportOptions | None = None,
    *,
    config: Config | None = None,
    online: bool = False,
    progress: Progress | None = None,
) -> tuple[Vault, Selection]:
    """Build the graph of the vault at ``root`` and write it as ``fmt`` to ``stream``."""
    say = progress or (lambda _: None)
    say("reading the vault")
    vault = load_vault(root, config)
    graph = vault_graph(vault, online=online, progress=progress)
    options = options or ExportOptions()
    options = replace(
        options,
        title=options.title if options.title != ExportOptions.title else f"Paper map of {vault.root.name}",
        vault_name=options.vault_name or vault.root.name,
        block_ids=options.block_ids if options.block_ids is not None else block_index(vault),
    )
    say(f"writing {fmt}")
    return vault, export(graph, fmt, stream, options)


def vault_graph(vault: Vault, *, online: bool = False, progress: Progress | None = None) -> nx.Graph:
    """Return the topic-labelled paper graph of ``vault`` (see ``vaultbot.graph``).

    Each node also gets ``published`` (ISO date) when the cache knows it, for date filters.
    """
    from vaultbot.graph import build_graph
    from vaultbot.similarity import LinkParams
    from vaultbot.sync import paper_nodes

    if online:
        from vaultbot.resolve import resolve_vault

        def fetching(done: int, total: int, requests: int) -> None:
            if progress:
                progress(f"fetching metadata from arXiv: {done}/{total} papers, {requests} requests")

        resolve_vault(vault, offline=False, progress=fetching)
    records = cached_records(vault)
    if progress:
        progress("building the paper graph")
    nodes = paper_nodes(vault, records=records)
    graph = build_graph(nodes, LinkParams.from_config(vault.config))
    for pid, record in records.items():
        if pid in graph and record.published:
            graph.nodes[pid]["published"] = record.published[:10]
    for pid, when in mention_dates(vault).items():
        if pid in graph:
            graph.nodes[pid]["date"] = when.isoformat()
    return graph


def mention_dates(vault: Vault) -> dict[str, date]:
    """Return each paper's earliest note date: a report's ``**Date**``, or a day section.

    A dated note's day heading (``## 1.14``) gives month and day, its file name
    (``daily/2026-01.md``) the year; papers in undated notes get no date.
    """
    found: dict[str, date] = {}
    for rel, note in vault.notes.items():
        year = _YEAR.search(rel.rsplit("/", 1)[-1])
        for mention in note.mentions:
            when = _mention_date(note, mention, int(year.group(1)) if year else None)
            if when and (mention.paper_id not in found or when < found[mention.paper_id]):
                found[mention.paper_id] = when
    return found


def _mention_date(note: Note, mention: PaperMention, year: int | None) -> date | None:
    try:
        if note.kind == "report" and note.report_date:
            return date.fromisoformat(note.report_date)
        if note.kind == "dated" and year and mention.section is not None:
            section = note.sections[mention.section]
            if section.month and section.day:
                return date(year, section.month, section.day)
    except ValueError:  # "## 2.30" or a malformed report date: lint reports it, no date here
        return None
    return None


def cached_records(vault: Vault, only: Collection[str] | None = None) -> dict[str, PaperRecord]:
    """Return the cached metadata of every paper the vault mentions (empty without a cache).

    ``only`` (paper ids) asks for just those papers, without walking the vault's mentions.
    """
    from vaultbot.cache import Cache, default_cache_path

    path = default_cache_path(vault.root, vault.config.get("resolve", "cache_path"))
    if not path.exists():  # offline: never create a cache just to find it empty
        return {}
    if only is None:
        only = {m.paper_id for note in vault.notes.values() for m in note.mentions}
    ids = sorted(only)
    with Cache.open(path) as cache:
        return dict(cache.get_many(ids))


def block_index(vault: Vault) -> Mapping[str, frozenset[str]]:
    """Return note path -> the block IDs it holds, so map links point only at real blocks."""
    return {rel: frozenset(block for _, block in note.block_ids) for rel, note in vault.notes.items()}


__all__: list[Any] = ["block_index", "cached_records", "export_vault", "vault_graph"]
