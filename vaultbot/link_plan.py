"""The vault-wide decisions of ``vaultbot link``: first mentions, block IDs, related lists.

``plan_links`` reads every note once and returns a ``LinkPlan``; ``vaultbot.link``
renders each note's related lines and block IDs from it.  ``affected_notes`` compares
two plans of an edited vault, so the daemon renders only the notes a change touches
(issue 8).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vaultbot import regions
from vaultbot.model import Note, PaperMention
from vaultbot.papers import block_id_for
from vaultbot.vault import Vault

_YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})(?!\d)")

Edges = Mapping[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One paper mention that link acts on: where it is and how early it was written."""

    path: str
    paper_id: str
    line: int
    order: tuple[object, ...]


@dataclass
class LinkPlan:
    """The vault-wide decisions: first mentions, block IDs of target lines, related map.

    ``referenced`` holds the target lines some related line links to (they keep or get
    a block ID); ``holders`` maps each paper to the notes mentioning it.
    """

    vault: Vault
    targets: dict[str, Occurrence]
    line_ids: dict[tuple[str, int], str]
    related: dict[str, list[str]]
    titles: Mapping[str, str]
    referenced: set[tuple[str, int]] = field(default_factory=set)
    names: dict[str, int] = field(default_factory=dict)
    holders: dict[str, set[str]] = field(default_factory=dict)
    occurrences: list[Occurrence] = field(default_factory=list)
    _by_path: dict[str, list[tuple[int, str]]] | None = None

    def ids_in(self, path: str) -> list[tuple[int, str]]:
        """Return ``(line, block ID)`` of the target lines of note ``path``, in line order."""
        if self._by_path is None:
            self._by_path = {}
            for (rel, line), block_id in sorted(self.line_ids.items()):
                self._by_path.setdefault(rel, []).append((line, block_id))
        return self._by_path.get(path, [])


def plan_links(vault: Vault, edges: Edges, titles: Mapping[str, str] | None = None) -> LinkPlan:
    """Return the vault-wide decisions of a link run (cheap next to rendering every note)."""
    active = {p: n for p, n in vault.notes.items() if note_state(n) == "active"}
    ignored = ignored_papers(vault.notes.values())
    occurrences = [o for p in sorted(active) for o in _occurrences(active[p]) if o.paper_id not in ignored]
    targets = _first_mentions(occurrences)
    related = related_map(edges, set(targets), vault.config.get("link", "max_links"))
    all_titles = {**_note_titles(active.values()), **(titles or {})}
    plan = LinkPlan(vault, targets, _line_ids(active, targets), related, all_titles)
    plan.names = regions.name_counts(vault.note_paths)
    plan.occurrences = occurrences
    plan.referenced = _referenced(occurrences, related, targets)
    plan.holders = _holders(vault.notes.values())
    return plan


def note_state(note: Note) -> str:
    """Return "active", "opted-out" (link removes its text) or "untouchable" (broken YAML)."""
    fm = note.frontmatter
    if fm is None:
        return "active"
    if fm.data is None:
        return "untouchable"
    return "opted-out" if fm.data.get(regions.OPT_OUT_KEY, True) is False else "active"


def ignored_papers(notes: Iterable[Note]) -> set[str]:
    """Return the papers opted out of linking, from frontmatter lists and line comments."""
    ignored: set[str] = set()
    for note in notes:
        data = note.frontmatter.data if note.frontmatter else None
        listed = (data or {}).get(regions.IGNORE_KEY) or []
        if isinstance(listed, (str, int, float)):
            listed = [listed]
        ignored.update(str(x).strip() for x in listed if isinstance(x, (str, int, float)))
        lines = {line for line, text in note.directives if regions.IGNORE_COMMENT.search(f"%%{text}%%")}
        ignored.update(m.paper_id for m in note.mentions if m.anchor_line in lines and not m.in_frontmatter)
    return ignored


def _occurrences(note: Note) -> list[Occurrence]:
    base = _note_order(note)
    seen: set[tuple[str, int]] = set()
    found = []
    for mention in note.mentions:
        key = (mention.paper_id, mention.anchor_line)
        if mention.in_frontmatter or key in seen:
            continue
        seen.add(key)
        found.append(Occurrence(note.path, mention.paper_id, mention.anchor_line, base + _day(note, mention)))
    return found


def _note_order(note: Note) -> tuple[object, ...]:
    """Return the sort key that puts dated notes first (by date), then reports, then others."""
    if note.kind == "dated":
        match = _YEAR_MONTH.search(note.path.rsplit("/", 1)[-1])
        return (0, int(match.group(1)) if match else 0)
    if note.kind == "report":
        return (1, note.report_date or "")
    return (2, "")


def _day(note: Note, mention: PaperMention) -> tuple[object, ...]:
    month = day = 0
    if note.kind == "dated" and mention.section is not None:
        section = note.sections[mention.section]
        month, day = section.month or 0, section.day or 0
    return (month, day, note.path, mention.anchor_line)


def _referenced(
    occurrences: Iterable[Occurrence], related: Mapping[str, list[str]], targets: Mapping[str, Occurrence]
) -> set[tuple[str, int]]:
    """Return the target lines some anchor's related line links to (as ``_render`` lists them)."""
    anchors: dict[tuple[str, int], set[str]] = {}
    for occ in occurrences:
        anchors.setdefault((occ.path, occ.line), set()).add(occ.paper_id)
    referenced: set[tuple[str, int]] = set()
    for here in anchors.values():
        for paper in here:
            for other in related.get(paper, ()):
                if other not in here:
                    referenced.add((targets[other].path, targets[other].line))
    return referenced


def _holders(notes: Iterable[Note]) -> dict[str, set[str]]:
    """Return paper -> the notes mentioning it in their body (ignored papers too)."""
    holders: dict[str, set[str]] = {}
    for note in notes:
        for m in note.mentions:
            if not m.in_frontmatter:
                holders.setdefault(m.paper_id, set()).add(note.path)
    return holders


def affected_notes(before: LinkPlan, after: LinkPlan) -> set[str]:
    """Return the notes whose link edits may differ between two plans of an edited vault.

    A note's desired state is read from its own text (the caller adds the notes that
    changed) and from the plan: the related list of each paper it mentions, and, for
    each paper listed, where its target is (note, line, block ID, how the note is named)
    and its title; a target line keeps its block ID while it is referenced.  Every note
    touched by a difference in those is returned; the others would get the same edits
    as before, which were applied.
    """
    if before.vault.app != after.vault.app:
        return set(after.vault.notes)
    moved = {p for p in before.targets.keys() | after.targets.keys() if _target(before, p) != _target(after, p)}
    papers = {p for p in before.related.keys() | after.related.keys() if before.related.get(p) != after.related.get(p)}
    for plan in (before, after):
        papers |= {q for p in moved for q in plan.related.get(p, ())}
    notes = {path for path, _ in _referenced_ids(before) ^ _referenced_ids(after)}
    for plan in (before, after):
        notes.update(rel for p in papers for rel in plan.holders.get(p, ()))
        notes.update(plan.targets[p].path for p in moved if p in plan.targets)  # its block IDs
    return notes


def _referenced_ids(plan: LinkPlan) -> set[tuple[str, str]]:
    """Return (note, block ID) of the referenced target lines (a line moving is no change)."""
    return {(path, plan.line_ids[(path, line)]) for path, line in plan.referenced}


def _target(plan: LinkPlan, paper: str) -> tuple[object, ...] | None:
    """Return what a related line shows of ``paper``: its target note, block ID and title.

    Not the target's line number: a line inserted above it moves it without changing
    any link to it (the note itself is then affected through ``referenced``).
    """
    occ = plan.targets.get(paper)
    if occ is None:
        return None
    name = occ.path[:-3].rsplit("/", 1)[-1].casefold()
    return (occ.path, plan.line_ids[(occ.path, occ.line)], plan.names.get(name), plan.titles.get(paper, paper))


def _first_mentions(occurrences: Iterable[Occurrence]) -> dict[str, Occurrence]:
    """Return paper -> its first mention: earliest dated note, else first report."""
    first: dict[str, Occurrence] = {}
    for occ in occurrences:
        if occ.paper_id not in first or occ.order < first[occ.paper_id].order:
            first[occ.paper_id] = occ
    return first


def related_map(edges: Edges, papers: set[str], max_links: int) -> dict[str, list[str]]:
    """Return paper -> related papers (best first), symmetric, at most ``max_links`` each.

    Edges are taken best first and one is kept only while both ends have room, so the
    cap never breaks symmetry (if A lists B, B lists A).
    """
    ranked = sorted(
        ((s, a, b) for (a, b), s in edges.items() if a != b and a in papers and b in papers),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    related: dict[str, list[str]] = {}
    for _, a, b in ranked:
        la, lb = related.setdefault(a, []), related.setdefault(b, [])
        if b in la or (max_links and (len(la) >= max_links or len(lb) >= max_links)):
            continue
        la.append(b)
        lb.append(a)
    return related


def _note_titles(notes: Iterable[Note]) -> dict[str, str]:
    """Return paper -> a title the notes state (report heading, else link text)."""
    titles: dict[str, str] = {}
    for note in notes:
        for m in note.mentions:
            text = m.stated_title
            if not text and m.link is not None:
                link_text = note.links[m.link].text
                text = link_text if link_text and "://" not in link_text else None
            if text and m.paper_id not in titles:
                titles[m.paper_id] = text
    return titles


def _line_ids(active: Mapping[str, Note], targets: Mapping[str, Occurrence]) -> dict[tuple[str, int], str]:
    """Return the block ID of every target line: the one written there, else derived."""
    ids: dict[tuple[str, int], str] = {}
    written: dict[str, dict[int, str]] = {}
    for occ in sorted(targets.values(), key=lambda o: (o.path, o.line, o.order)):
        key = (occ.path, occ.line)
        if key not in ids:
            if occ.path not in written:
                written[occ.path] = dict(active[occ.path].block_ids)
            ids[key] = written[occ.path].get(occ.line) or block_id_for(occ.paper_id)
    return ids
