"""Two-way related-paper links written into the notes (issue 6, ``vaultbot link``).

The feature reads the parsed vault and the related-paper edges and returns Edits; it
never writes.  The desired state is derived from scratch on every run (which related
line under which mention, which block IDs, which frontmatter record) and compared with
what the notes hold, so a rerun updates or removes stale links and a second run over an
unchanged vault returns no edit.  What it writes is described in ``vaultbot.regions``.

Opt-outs (documented in the README):
- a note with ``vaultbot-link: false`` in its frontmatter gets no related line and no
  block ID (what link wrote there before is removed) and is never linked to;
- a paper listed in any note's ``vaultbot-link-ignore: ["2601.10355"]``, or whose line
  holds ``%% vaultbot-ignore: link %%``, gets no related line and nobody links to it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from vaultbot import regions
from vaultbot.diagnostics import Edit
from vaultbot.link_plan import (  # re-exported: the plan is part of link's library API
    Edges,
    LinkPlan,
    Occurrence,
    affected_notes,
    ignored_papers,
    note_state,
    plan_links,
    related_map,
)
from vaultbot.model import Note
from vaultbot.vault import Vault

__all__ = ["LinkPlan", "LinkResult", "affected_notes", "clean", "ignored_papers", "link", "link_edits",
           "plan_links", "related_map"]


@dataclass
class LinkResult:
    """What link would change: the edits, links added/removed, notes touched."""

    edits: list[Edit] = field(default_factory=list)
    links_added: int = 0
    links_removed: int = 0

    @property
    def paths(self) -> set[str]:
        """Return the notes the edits touch."""
        return {e.path for e in self.edits}


def link(
    vault: Vault, edges: Edges, titles: Mapping[str, str] | None = None, *, only: Iterable[str] | None = None
) -> LinkResult:
    """Return the edits that make every note's related lines and block IDs current.

    ``edges`` maps ``(a, b)`` paper pairs to a similarity score (``similarity.related``);
    ``titles`` maps paper IDs to titles (cache/graph), falling back to what the note says.
    ``only`` (note paths) limits the edits to those notes: exactly the edits a full run
    gives them, since the vault-wide decisions still read every note (the daemon passes
    the notes ``affected_notes`` names).
    """
    return link_edits(plan_links(vault, edges, titles), only)


def link_edits(plan: LinkPlan, only: Iterable[str] | None = None) -> LinkResult:
    """Return the edits ``plan`` asks of every note (of the notes ``only``, when given)."""
    return _collect(plan.vault, plan, None if only is None else set(only))


def clean(vault: Vault) -> LinkResult:
    """Return the edits that remove everything link wrote (related lines, IDs, the key)."""
    plan = LinkPlan(vault, {}, {}, {})
    return _collect(vault, plan, None)


def _collect(vault: Vault, plan: LinkPlan, only: set[str] | None) -> LinkResult:
    result = LinkResult()
    paths = sorted(vault.notes if only is None else only & vault.notes.keys())
    lines = {p: _related_lines(vault.notes[p], plan.occurrences_in(p), plan) for p in paths}
    for path in paths:
        note = vault.notes[path]
        if note_state(note) == "untouchable":
            continue
        edits = _block_id_edits(note, plan) + lines[path].edits(result)
        result.edits.extend(_merge_inserts(edits))
    return result


# -- per-note edits ---------------------------------------------------------------------


@dataclass
class _NoteLines:
    """Desired related line per anchor line, and the related lines the note holds."""

    note: Note
    desired: dict[int, str | None]
    found: list[regions.RelatedLine]
    _items: dict[int, Any] | None = None
    _lasts: dict[int, int] = field(default_factory=dict)

    def edits(self, result: LinkResult) -> list[Edit]:
        """Return the edits turning the found related lines into the desired ones."""
        if self._unchanged():
            return []
        owned = self._assign()
        edits: list[Edit] = []
        for anchor, body in sorted(self.desired.items()):
            edits.extend(self._one(anchor, body, owned.pop(anchor, []), result))
        for rest in owned.values():
            edits.extend(_drop(self.note, r, result) for r in rest)
        return edits

    def _unchanged(self) -> bool:
        """Return True when every wanted line is in place (the common, cheap case).

        In place: the n-th wanted line's text is the n-th found line's, and that line
        lies after its anchor and before the next anchor; anything else takes the
        careful path below.
        """
        wanted = [(a, body) for a, body in sorted(self.desired.items()) if body is not None]
        if len(wanted) != len(self.found):
            return False
        anchors = sorted(self.desired) + [len(self.note.line_starts) + 1]
        following = dict(pairwise(anchors))
        return all(
            anchor < rel.line < following[anchor] and rel.text[len(rel.indent):] == body
            for (anchor, body), rel in zip(wanted, self.found)
        )

    def _one(self, anchor: int, body: str | None, mine: list[regions.RelatedLine],
             result: LinkResult) -> list[Edit]:
        note = self.note
        if body is None:
            return [_drop(note, r, result) for r in mine]
        if not mine:
            result.links_added += len(_links_of(body))
            last = self._last(anchor)
            line = f"{_child_indent(note, anchor, last, self._item_lines())}{body}"
            return [regions.insert_after_line(note, last, line)]
        first, extra = mine[0], mine[1:]
        edits = [_drop(note, r, result) for r in extra]
        old_body = first.text[len(first.indent):]
        if old_body != body:
            old, new = _links_of(old_body), _links_of(body)
            result.links_added += len(new - old)
            result.links_removed += len(old - new)
            edits.append(Edit(note.path, first.start, first.end, first.text, first.indent + body))
        return edits

    def _item_lines(self) -> dict[int, Any]:
        if self._items is None:
            self._items = {item.span.line: item for item in self.note.list_items}
        return self._items

    def _last(self, anchor: int) -> int:
        if anchor not in self._lasts:
            self._lasts[anchor] = _block_last_line(self.note, anchor, self._item_lines())
        return self._lasts[anchor]

    def _assign(self) -> dict[int, list[regions.RelatedLine]]:
        """Map each related line to the innermost anchor whose block holds it (-1: orphan)."""
        owned: dict[int, list[regions.RelatedLine]] = {}
        anchors = sorted(self.desired)
        for rel in self.found:
            holders = [a for a in anchors if a < rel.line and rel.line <= self._last(a)]
            owned.setdefault(holders[-1] if holders else -1, []).append(rel)
        return owned


def _related_lines(note: Note, occurrences: list[Occurrence], plan: LinkPlan) -> _NoteLines:
    """Work out the desired related line of every anchor line of ``note``."""
    anchors: dict[int, list[str]] = {}
    for occ in occurrences:
        anchors.setdefault(occ.line, []).append(occ.paper_id)
    for mention in note.mentions:  # anchors of ignored papers still own their old lines
        if not mention.in_frontmatter:
            anchors.setdefault(mention.anchor_line, [])
    desired = {line: _render(note, line, papers, plan) for line, papers in anchors.items()}
    return _NoteLines(note, desired, regions.find_related_lines(note))


def _render(note: Note, line: int, papers: list[str], plan: LinkPlan) -> str | None:
    """Return the related line body (no indent) for an anchor, or None when it has none."""
    here = set(papers)
    listed: list[str] = []
    for paper in papers:
        listed.extend(p for p in plan.related.get(paper, []) if p not in here and p not in listed)
    if not listed:
        return None
    targets = []
    for paper in listed:
        occ = plan.targets[paper]
        targets.append(regions.Target(_link_path(plan.vault, plan.names, note.path, occ.path),
                                      plan.line_id(occ.path, occ.line), plan.titles.get(paper, paper)))
    markdown = plan.vault.app.use_markdown_links
    return regions.render_related("", targets, markdown)


def _link_path(vault: Vault, names: Mapping[str, int], source: str, target: str) -> str:
    """Return the link path of ``target`` as written from ``source`` (``newLinkFormat``)."""
    fmt = vault.app.new_link_format
    if fmt == "relative" and vault.app.use_markdown_links:
        rel = os.path.relpath(target, os.path.dirname(source) or ".").replace(os.sep, "/")
        return rel[:-3] if rel.lower().endswith(".md") else rel
    return regions.link_path(target, names, absolute=fmt in ("absolute", "relative"))


def _block_last_line(note: Note, line: int, items: Mapping[int, object]) -> int:
    """Return the last line of the anchor's block: its item subtree plus related lines."""
    item = items.get(line)
    last = line
    if item is not None:
        last = max(line, note.line_of(max(item.subtree_end - 1, item.span.start)))  # type: ignore[attr-defined]
    while last > line and not note.line_text(last).strip():
        last -= 1
    total = len(note.line_starts)
    while last < total and regions.is_related_line(note.line_text(last + 1)):
        last += 1
    return last


def _child_indent(note: Note, line: int, last: int, items: Mapping[int, object]) -> str:
    """Return the indentation of a sub-bullet: the first child's, else the anchor's + a tab."""
    own = note.line_text(line)
    own_indent = own[: len(own) - len(own.lstrip(" \t"))]
    for child in range(line + 1, last + 1):
        if child in items:
            text = note.line_text(child)
            return text[: len(text) - len(text.lstrip(" \t"))]
    return own_indent + "\t" if line in items else own_indent


def _drop(note: Note, rel: regions.RelatedLine, result: LinkResult) -> Edit:
    result.links_removed += len(_links_of(rel.text[len(rel.indent):]))
    return regions.remove_line(note, rel.line)


def _links_of(body: str) -> set[str]:
    inner = body[len(regions.RELATED_PREFIX):].removesuffix(" " + regions.MARKER).rstrip()
    return {part for part in inner.split(regions.SEPARATOR) if part}


def _block_id_edits(note: Note, plan: LinkPlan) -> list[Edit]:
    """Return the edits that add needed block IDs, drop stale ones, and update the record."""
    recorded = set(regions.recorded_block_ids(note) or ())
    keep: set[str] = set()
    edits: list[Edit] = []
    for line, block_id in plan.ids_in(note.path):
        if not plan.is_referenced(note.path, line):
            continue
        written = regions.block_id_of(note.line_text(line))
        if written is None:
            edits.append(regions.append_block_id(note, line, block_id))
            keep.add(block_id)
        elif written in recorded:
            keep.add(written)
    for stale in sorted(recorded - keep):
        at = regions.find_block_line(note, stale)
        edit = regions.strip_block_id(note, at, stale) if at else None
        edits.extend([edit] if edit else [])
    record = regions.set_recorded_block_ids(note, keep)
    return edits + ([record] if record else [])


def _merge_inserts(edits: list[Edit]) -> list[Edit]:
    """Join zero-width inserts at one offset (block ID, then related line) into one Edit."""
    merged: dict[tuple[int, int], Edit] = {}
    out: list[Edit] = []
    for edit in edits:
        if edit.start == edit.end and (edit.start, edit.end) in merged:
            prev = merged[(edit.start, edit.end)]
            merged[(edit.start, edit.end)] = Edit(edit.path, edit.start, edit.end, "", prev.new + edit.new)
        elif edit.start == edit.end:
            merged[(edit.start, edit.end)] = edit
        else:
            out.append(edit)
    return out + list(merged.values())
