"""The vault-wide decisions of ``vaultbot link``: first mentions, block IDs, related lists.

``plan_links`` reads every note once and returns a ``LinkPlan``; ``vaultbot.link``
renders each note's related lines and block IDs from it.  ``affected_notes`` compares
two plans of an edited vault, so the daemon renders only the notes a change touches
(issue 8).

The daemon makes one plan per change from the one before (``previous``).  Its big
tables (per-note facts, first mentions, stated titles, related lists: one entry per
note or paper) are handed on and changed in place for the few notes and papers that
changed (``vaultbot.handoff``); the old plan keeps ``Earlier`` views of them.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vaultbot import regions
from vaultbot.handoff import ABSENT, Earlier, changed_keys, taken
from vaultbot.model import Note, PaperMention
from vaultbot.papers import block_id_for
from vaultbot.related_lists import RelatedBook, related_map
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


@dataclass(frozen=True, slots=True)
class NoteFacts:
    """What the plan reads of one note, kept while the note object is the same (daemon)."""

    note: Note
    state: str
    occurrences: tuple[Occurrence, ...]  # before papers opted out vault-wide are dropped
    ignored: frozenset[str]  # papers this note opts out of linking
    papers: frozenset[str]  # papers it mentions (frontmatter too: a stated title may be there)
    titles: Mapping[str, str]  # paper -> the title the note states, in note order
    first: Mapping[str, Occurrence]  # paper -> its earliest occurrence here (a paper's first
    # mention is the earliest of these over the notes holding it: no walk over every mention)

    @classmethod
    def of(cls, note: Note) -> NoteFacts:
        state = note_state(note)
        occurrences = tuple(_occurrences(note)) if state == "active" else ()
        papers = frozenset(m.paper_id for m in note.mentions)
        titles = _note_titles([note]) if state == "active" else {}
        ignored = frozenset(ignored_papers([note]))
        return cls(note, state, occurrences, ignored, papers, titles, _first_mentions(occurrences))


@dataclass
class LinkPlan:
    """The vault-wide decisions: first mentions, block IDs of target lines, related map.

    Block IDs of target lines and whether a target line is referenced (it keeps or gets
    a block ID) are worked out on demand, for the notes being rendered.  ``holders``
    maps each paper to the notes mentioning it; one plan hands it on to the next (the
    daemon's), updated for the notes that changed.
    """

    vault: Vault
    targets: Mapping[str, Occurrence]
    related: Mapping[str, list[str]]
    titles: Mapping[str, str]
    names: dict[str, int] = field(default_factory=dict)
    facts: Mapping[str, NoteFacts] = field(default_factory=dict)
    holders: dict[str, set[str]] = field(default_factory=dict)
    stating: dict[str, set[str]] = field(default_factory=dict)  # paper -> notes stating a title
    ignored: set[str] = field(default_factory=set)
    note_titles: Mapping[str, str] = field(default_factory=dict)  # titles the notes state
    book: RelatedBook | None = None  # ``related`` kept up to date (daemon plans)

    def occurrences_in(self, path: str) -> list[Occurrence]:
        """Return the mentions link acts on in note ``path`` (papers opted out left out)."""
        facts = self.facts.get(path)
        return [o for o in facts.occurrences if o.paper_id not in self.ignored] if facts else []
    _line_ids: dict[tuple[str, int], str] = field(default_factory=dict)
    _referenced: dict[str, set[int]] = field(default_factory=dict)

    def line_id(self, path: str, line: int) -> str:
        """Return the block ID of a target line: the one written there, else derived."""
        key = (path, line)
        if key not in self._line_ids:
            first = min((o for o in self._targets_in(path) if o.line == line), key=lambda o: o.order)
            written = dict(self.facts[path].note.block_ids).get(line)
            self._line_ids[key] = written or block_id_for(first.paper_id)
        return self._line_ids[key]

    def ids_in(self, path: str) -> list[tuple[int, str]]:
        """Return ``(line, block ID)`` of the target lines of note ``path``, in line order."""
        lines = sorted({o.line for o in self._targets_in(path)})
        return [(line, self.line_id(path, line)) for line in lines]

    def is_referenced(self, path: str, line: int) -> bool:
        """Return True when some related line links to the target line ``(path, line)``."""
        if path not in self._referenced:
            self._referenced[path] = {o.line for o in self._targets_in(path) if self._listed(o.paper_id)}
        return line in self._referenced[path]

    def _listed(self, paper: str) -> bool:
        """Return True when an anchor lists ``paper``: it holds a related paper, not ``paper``."""
        for other in self.related.get(paper, ()):
            for rel in self.holders.get(other, ()):
                anchors = {o.line for o in self.facts[rel].occurrences if o.paper_id == other}
                if any(not self._anchor_has(rel, line, paper) for line in anchors):
                    return True
        return False

    def _anchor_has(self, rel: str, line: int, paper: str) -> bool:
        return any(o.line == line and o.paper_id == paper for o in self.facts[rel].occurrences)

    def _targets_in(self, path: str) -> list[Occurrence]:
        """Return the first mentions that lie in note ``path``."""
        facts = self.facts.get(path)
        return [o for o in facts.occurrences if self.targets.get(o.paper_id) is o] if facts else []


def plan_links(
    vault: Vault,
    edges: Edges,
    titles: Mapping[str, str] | None = None,
    previous: LinkPlan | None = None,
    *,
    changed_edges: Iterable[tuple[str, str]] | None = None,
) -> LinkPlan:
    """Return the vault-wide decisions of a link run (cheap next to rendering every note).

    ``previous`` (the daemon's last plan, on the same vault a few notes later) hands on
    its tables: the facts of notes that are the same objects, its ``holders`` index, and
    the first mentions and stated titles of papers no changed note mentions; it keeps
    ``Earlier`` views of them.  ``titles`` is kept, not copied: do not change it later.
    ``changed_edges`` (the edges added, removed or rescored since ``previous`` was made)
    lets the related lists be updated rather than decided again over every edge.
    """
    facts, changed = _facts(vault, previous)
    plan = LinkPlan(vault, {}, {}, {})
    plan.facts, plan.ignored = facts, _ignored(facts, previous, changed)
    plan.holders = _index(facts, previous, changed, "holders", lambda f: f.papers)
    plan.stating = _index(facts, previous, changed, "stating", lambda f: f.titles.keys())
    moved: set[str] | None = None  # papers that gained or lost a first mention
    if previous is not None and previous.ignored == plan.ignored:
        plan.targets, plan.note_titles, moved = _targets_since(plan, previous, changed)
    else:
        order = [p for p in vault.notes if facts[p].state == "active"]
        plan.targets = _first_mentions(
            o for p in sorted(order) for o in facts[p].occurrences if o.paper_id not in plan.ignored
        )
        plan.note_titles = _first_titles(facts, order)
    max_links = vault.config.get("link", "max_links")
    if previous is None or moved is None or changed_edges is None:
        plan.related = related_map(edges, plan.targets.keys(), max_links)
    else:
        plan.book = _book(previous, edges, changed_edges, moved, plan.targets.keys(), max_links)
        plan.related = plan.book.related
    plan.titles = ChainMap(titles if titles is not None else {}, plan.note_titles)  # type: ignore[arg-type]
    same_files = previous is not None and previous.vault.files == vault.files
    plan.names = previous.names if same_files and previous else regions.name_counts(vault.note_paths)
    return plan


def _book(
    previous: LinkPlan,
    edges: Edges,
    changed: Iterable[tuple[str, str]],
    moved: set[str],
    papers: Collection[str],
    max_links: int,
) -> RelatedBook:
    """Return the related lists kept up to date: the previous plan's, handed on."""
    book, previous.book = previous.book, None
    if book is None or book.max_links != max_links:
        return RelatedBook(edges, papers, max_links)
    previous.related = Earlier(book.related, book.update(edges, changed, moved, papers))
    return book


def _first_titles(facts: Mapping[str, NoteFacts], order: Iterable[str]) -> dict[str, str]:
    """Return paper -> the title the first active note (in ``order``) states for it."""
    titles: dict[str, str] = {}
    for rel in order:
        for paper, text in facts[rel].titles.items():
            titles.setdefault(paper, text)
    return titles


def _targets_since(
    plan: LinkPlan, previous: LinkPlan, changed: set[str]
) -> tuple[dict[str, Occurrence], dict[str, str], set[str]]:
    """Return first mentions and stated titles, redone only for the changed notes' papers,
    and the papers that gained or lost a first mention.

    Both depend on a paper's mentions alone (and the opt-outs, the same as before), so
    papers no changed note mentions keep theirs.  The previous plan's tables are taken
    over; it keeps ``Earlier`` views of them.
    """
    papers = {p for facts in (previous.facts, plan.facts) for rel in changed if rel in facts for p in facts[rel].papers}
    targets, titles = taken(previous.targets), taken(previous.note_titles)
    old_targets: dict[str, Any] = {}
    old_titles: dict[str, Any] = {}
    position: dict[str, int] = {}
    for paper in papers - plan.ignored:
        old_targets[paper] = targets.get(paper, ABSENT)
        _put(targets, paper, _first_mention(plan, paper, targets.get(paper), changed))
    for paper in papers:
        stated = [(rel, plan.facts[rel].titles[paper]) for rel in plan.stating.get(paper, ())]
        if len({text for _, text in stated}) > 1:  # the first note (in vault order) stating one wins
            position = position or {rel: i for i, rel in enumerate(plan.vault.notes)}
            stated.sort(key=lambda item: (position[item[0]], item[1]))
        old_titles[paper] = titles.get(paper, ABSENT)
        _put(titles, paper, stated[0][1] if stated else None)
    for paper in papers & plan.ignored:  # opted out: no first mention (the same opt-outs as before)
        old_targets[paper] = targets.get(paper, ABSENT)
        targets.pop(paper, None)
    previous.targets, previous.note_titles = Earlier(targets, old_targets), Earlier(titles, old_titles)
    if isinstance(previous.titles, ChainMap):  # its stated titles are the view now
        previous.titles = ChainMap(previous.titles.maps[0], previous.note_titles)  # type: ignore[arg-type]
    moved = {paper for paper, old in old_targets.items() if (old is not ABSENT) != (paper in targets)}
    return targets, titles, moved


def _first_mention(plan: LinkPlan, paper: str, before: Occurrence | None, changed: set[str]) -> Occurrence | None:
    """Return ``paper``'s first mention: the earliest of its notes' first occurrences.

    When the one before lies in a note that did not change, it still stands against
    every unchanged note, so only the changed notes can hold an earlier one.
    """
    if before is not None and before.path not in changed:
        notes: Iterable[str] = (rel for rel in changed if rel in plan.facts)
        found = [before]
    else:
        notes, found = plan.holders.get(paper, ()), []
    found += [f.first[paper] for rel in notes if paper in (f := plan.facts[rel]).first]
    return min(found, key=lambda o: o.order) if found else None


def _put(table: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value


def _facts(vault: Vault, previous: LinkPlan | None) -> tuple[dict[str, NoteFacts], set[str]]:
    """Return note -> its facts, and the notes whose facts are new or gone since ``previous``.

    The previous plan's table is taken over and changed for those notes only (it keeps
    an ``Earlier`` view): a change costs one identity check per note, not a new table.
    """
    if previous is None:
        return {rel: NoteFacts.of(note) for rel, note in vault.notes.items()}, set(vault.notes)
    facts = taken(previous.facts)
    changed = {rel for rel, note in vault.notes.items() if (f := facts.get(rel)) is None or f.note is not note}
    if len(facts) + sum(1 for rel in changed if rel not in facts) != len(vault.notes):
        changed |= facts.keys() - vault.notes.keys()  # gone
    old: dict[str, Any] = {}
    for rel in changed:
        old[rel] = facts.get(rel, ABSENT)
        if rel in vault.notes:
            facts[rel] = NoteFacts.of(vault.notes[rel])
        else:
            del facts[rel]
    previous.facts = Earlier(facts, old)
    return facts, changed


def _ignored(facts: Mapping[str, NoteFacts], previous: LinkPlan | None, changed: set[str]) -> set[str]:
    """Return the papers some note opts out of linking (the previous set when no changed
    note opts out of any, before or now)."""
    if previous is not None:
        touched = [f for table in (previous.facts, facts) for rel in changed if (f := table.get(rel)) is not None]
        if not any(f.ignored for f in touched):
            return previous.ignored
    return set().union(*(f.ignored for f in facts.values()))


def _index(
    facts: Mapping[str, NoteFacts],
    previous: LinkPlan | None,
    changed: set[str],
    name: str,
    papers_of: Callable[[NoteFacts], Iterable[str]],
) -> dict[str, set[str]]:
    """Return paper -> the notes whose ``papers_of(facts)`` name it (``holders``: every
    paper a note mentions, opted out or not; ``stating``: those it states a title for).

    The previous plan's index is handed on and updated for the changed notes only.
    """
    if previous is None:
        index: dict[str, set[str]] = {}
        for rel, f in facts.items():
            for paper in papers_of(f):
                index.setdefault(paper, set()).add(rel)
        return index
    index = getattr(previous, name)
    setattr(previous, name, {})  # handed on: the old plan is done with it
    for rel in changed:
        old, new = previous.facts.get(rel), facts.get(rel)
        for paper in papers_of(old) if old else ():
            index.get(paper, set()).discard(rel)
        for paper in papers_of(new) if new else ():
            index.setdefault(paper, set()).add(rel)
    return index


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


def affected_notes(before: LinkPlan, after: LinkPlan, changed: Iterable[str]) -> set[str]:
    """Return the notes besides ``changed`` whose link edits may differ between two plans.

    A note's desired state is read from its own text (``changed`` names the notes whose
    text changed) and from the plan: the related list of each paper it mentions, and,
    for each paper listed, its target (note, block ID, how the note is named) and its
    title; a target line keeps its block ID while it is referenced.  Every note touched
    by a difference in those is returned; the others would get the same edits as
    before, which were applied.  Only papers that can differ are compared: those of the
    changed notes and those targeted in notes whose name count changed.
    """
    if before.vault.app != after.vault.app:
        return set(after.vault.notes)
    here = {p for plan in (before, after) for rel in changed if rel in plan.facts for p in plan.facts[rel].papers}
    candidates = set(here)  # a title changes with a note that mentions the paper (or its metadata: requeued)
    if before.names != after.names:
        renamed = {n for n in before.names.keys() | after.names.keys() if before.names.get(n) != after.names.get(n)}
        candidates |= {p for plan in (before, after) for p, o in plan.targets.items() if _name(o.path) in renamed}
    moved = {p for p in candidates if _target(before, p) != _target(after, p)}
    relisted = changed_keys(before.related, after.related)
    papers = relisted | moved
    regrouped = _regrouped(before, after, changed)
    notes: set[str] = set()
    for plan in (before, after):
        papers |= {q for p in moved for q in plan.related.get(p, ())}
        for p in relisted | moved | regrouped:  # target lines whose block ID may come or go
            notes.update(plan.targets[q].path for q in [p, *plan.related.get(p, ())] if q in plan.targets)
    notes.update(rel for p in papers for rel in after.holders.get(p, ()))  # (before's: ``changed``)
    return notes


def _regrouped(before: LinkPlan, after: LinkPlan, changed: Iterable[str]) -> set[str]:
    """Return the papers whose anchors in the changed notes hold other papers than before.

    Which papers share an anchor decides what its related line lists (never the papers
    of the anchor itself), so which target lines are referenced.
    """
    out: set[str] = set()
    for rel in changed:
        groups = [_groups(plan.facts.get(rel)) for plan in (before, after)]
        out.update(p for group in groups[0] ^ groups[1] for p in group)
    return out


def _groups(facts: NoteFacts | None) -> set[frozenset[str]]:
    anchors: dict[int, set[str]] = {}
    for occ in facts.occurrences if facts else ():
        anchors.setdefault(occ.line, set()).add(occ.paper_id)
    return {frozenset(papers) for papers in anchors.values()}


def _name(path: str) -> str:
    return path[:-3].rsplit("/", 1)[-1].casefold()


def _target(plan: LinkPlan, paper: str) -> tuple[object, ...] | None:
    """Return what a related line shows of ``paper``: its target note, block ID and title.

    Not the target's line number: a line inserted above it moves it without changing
    any link to it (the note itself is then affected through ``referenced``).
    """
    occ = plan.targets.get(paper)
    if occ is None:
        return None
    return (occ.path, plan.line_id(occ.path, occ.line), plan.names.get(_name(occ.path)), plan.titles.get(paper, paper))


def _first_mentions(occurrences: Iterable[Occurrence]) -> dict[str, Occurrence]:
    """Return paper -> its first mention: earliest dated note, else first report."""
    first: dict[str, Occurrence] = {}
    for occ in occurrences:
        if occ.paper_id not in first or occ.order < first[occ.paper_id].order:
            first[occ.paper_id] = occ
    return first


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
