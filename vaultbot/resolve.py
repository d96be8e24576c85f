"""Paper resolution (issue 5): bare paper links become ``[Title](url)``, notes get tags.

Reads the parsed vault, the metadata cache and (unless offline) the arXiv API, and
returns Edits plus a summary; the writer applies them.  Titles come from the cache, the
API, or the ``## 📄 Title`` heading a Hugging Face report states (no request needed).
Nothing is ever invented: an ID without real metadata stays as the user wrote it and
is reported with its file and line.  Frontmatter keys vaultbot owns:

* ``vaultbot-papers``: the resolved paper IDs of the note, quoted strings, in order;
* ``vaultbot-tags``: the topic tags vaultbot appended to ``tags`` (so it can remove a
  tag it added when its rule goes away, and never re-adds one the user deleted).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from vaultbot.cache import Cache, PaperRecord, default_cache_path
from vaultbot.config import Config
from vaultbot.diagnostics import Diagnostic, Edit
from vaultbot.frontmatter_edit import (
    FrontmatterPatch,
    can_edit,
    frontmatter_edits,
    read_own,
    read_tags,
)
from vaultbot.model import Note, PaperMention
from vaultbot.papers import is_valid_id
from vaultbot.tags import TagRules, load_tag_rules

if TYPE_CHECKING:
    from vaultbot.arxiv_client import ArxivClient, FetchOutcome
    from vaultbot.vault import Vault
    from vaultbot.writer import WriteResult

PAPERS_KEY = "vaultbot-papers"
TAGS_KEY = "vaultbot-tags"
RULE = "unresolved-paper"
Progress = Callable[[int, int, int], None]
_ESCAPE_RE = re.compile(r"([\\\[\]`*_<])")
_FIELD_RE = re.compile(r"应用领域\**[ \t]*[：:]?\s*(.*?)(?=\n\s*(?:#|\d+\.\s|\*\*\d)|\Z)", re.S)


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A paper ID of a note that could not be given a title, and why."""

    path: str
    line: int
    column: int
    paper_id: str
    reason: str

    def to_diagnostic(self) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.column, RULE, "warning", f"arXiv {self.paper_id}: {self.reason}")


@dataclass
class ResolveSummary:
    """Counts for the closing line and ``--format json`` (IDs counted once per vault)."""

    papers: int = 0
    resolved: int = 0
    from_cache: int = 0
    fetched: int = 0
    from_report: int = 0
    not_found: int = 0
    failed: int = 0
    invalid: int = 0
    offline_unknown: int = 0
    requests: int = 0
    links_rewritten: int = 0
    notes_changed: int = 0
    notes_unchanged: int = 0  # skipped: complete after an earlier run and not edited since

    def line(self) -> str:
        """Return the one-line summary printed after a run."""
        return (
            f"{self.resolved} of {self.papers} papers resolved ({self.from_cache} from cache, "
            f"{self.fetched} fetched, {self.from_report} from report titles), {self.not_found} not found, "
            f"{self.failed + self.offline_unknown} failed, {self.invalid} invalid; {self.requests} requests; "
            f"{self.links_rewritten} links titled in {self.notes_changed} notes"
            + (f" ({self.notes_unchanged} notes unchanged since the last run)." if self.notes_unchanged else ".")
        )


@dataclass
class ResolveResult:
    """Edits to apply, the unresolved IDs (with where), the summary, the failure reasons."""

    edits: list[Edit] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    summary: ResolveSummary = field(default_factory=ResolveSummary)
    failures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Knowledge:
    """Everything known about the vault's papers for one run."""

    records: Mapping[str, PaperRecord]
    stated: Mapping[str, str]
    rules: TagRules
    reasons: Mapping[str, str]  # paper id -> why it is unresolved

    memo: dict[tuple[object, ...], list[str]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.titles.update({i: t for i, t in self.stated.items() if t})
        self.titles.update({i: r.title for i, r in self.records.items() if r.title})

    def title(self, paper_id: str) -> str:
        """Return the paper's title (cache/API first, then a report's), or ``""``."""
        return self.titles.get(paper_id, "")

    def paper_tags(self, paper_id: str, field_text: str) -> list[str]:
        """Return one paper's topic tags; memoised by the inputs (papers recur across notes)."""
        record = self.records.get(paper_id)
        primary, categories = (record.primary_category, record.categories) if record else ("", ())
        texts = (self.title(paper_id), record.abstract if record else "", field_text)
        key = (primary, categories, *texts)
        if key not in self.memo:
            found = self.rules.category_tags(primary, categories) if primary else []
            words = self.rules.keyword_tags(dict(zip(("title", "abstract", "field"), texts)))
            self.memo[key] = found + [t for t in words if t not in found]
        return self.memo[key]


def link_text(title: str) -> str:
    """Return ``title`` as Markdown link text: one line, ``[]`` and markup escaped."""
    return _ESCAPE_RE.sub(r"\\\1", " ".join(title.split()))


def report_field(commentary: str) -> str:
    """Return the ``应用领域`` (field of application) paragraph of a report section."""
    match = _FIELD_RE.search(commentary)
    return match.group(1).strip() if match else ""


def note_mentions(note: Note) -> list[PaperMention]:
    """Return the note's arXiv/HF paper mentions (DOIs to other registries are not papers)."""
    return [m for m in note.mentions if m.host in ("arxiv", "hf", "text") or m.source == "doi"]


def resolve_vault(
    vault: Vault,
    *,
    offline: bool = False,
    client: ArxivClient | None = None,
    progress: Progress | None = None,
    settled: Collection[str] = frozenset(),
) -> ResolveResult:
    """Resolve every paper of ``vault``; fetch what the cache lacks unless ``offline``.

    ``settled`` names notes known to need no edit (a previous sync left them complete
    and their bytes are the same, ``vaultbot.sync_state``): they are not planned, only
    their unresolved IDs listed, so the summary is the same as a run that plans them.
    """
    section = vault.config["resolve"]
    rules = load_tag_rules(vault.root, section["tag_rules"])
    path = default_cache_path(vault.root, section["cache_path"])
    mentions = {rel: note_mentions(note) for rel, note in vault.notes.items()}
    ids = {m.paper_id for found in mentions.values() for m in found}
    valid = {i for i in ids if is_valid_id(i)}
    stated = _stated_titles(mentions)
    summary = ResolveSummary(papers=len(ids), invalid=len(ids - valid))
    if offline and not path.exists():
        knowledge = _gather(None, valid, stated, rules, summary, None, progress)
    else:
        if client is None and not offline:
            client = _default_client(section)
        with Cache.open(path) as cache:
            knowledge = _gather(cache, valid, stated, rules, summary, client, progress)
    result = ResolveResult(summary=summary, failures=dict(knowledge.reasons))
    if summary.requests:
        settled = frozenset()  # what was fetched may give settled notes new titles or tags
    for rel in sorted(vault.notes):
        _plan_note(vault.notes[rel], mentions[rel], knowledge, result, rel not in settled)
    summary.resolved = len([i for i in valid if knowledge.title(i)])
    return result


def _default_client(section: Mapping[str, object]) -> ArxivClient:
    from vaultbot.arxiv_client import ArxivClient, ClientSettings

    return ArxivClient(ClientSettings.from_config(section))


def _stated_titles(mentions: Mapping[str, list[PaperMention]]) -> dict[str, str]:
    stated: dict[str, str] = {}
    for found in mentions.values():
        for m in found:
            if m.stated_title and m.paper_id not in stated:
                stated[m.paper_id] = m.stated_title
    return stated


def _gather(
    cache: Cache | None,
    valid: set[str],
    stated: Mapping[str, str],
    rules: TagRules,
    summary: ResolveSummary,
    client: ArxivClient | None,
    progress: Progress | None,
) -> Knowledge:
    """Look IDs up in the cache, then the API; record what was learnt in the cache."""
    light = not any("abstract" in rule.fields for rule in rules.keywords)
    records = dict(cache.get_many(valid, light=light)) if cache is not None else {}
    known_missing = cache.not_found(valid - set(records)) if cache is not None else set()
    need = sorted(valid - set(records) - set(stated) - known_missing)
    reasons = dict.fromkeys(known_missing, "not found on arXiv (remembered; retried after 30 days)")
    summary.from_cache = len(records)
    summary.from_report = len(set(stated) & valid - set(records))
    if need and client is None:
        reasons.update(dict.fromkeys(need, "not in the metadata cache (offline)"))
        summary.offline_unknown = len(need)
    elif need and client is not None:
        outcome = client.fetch(need, progress, cache.store if cache is not None else None)
        _learn(outcome, records, reasons, summary)
    summary.not_found = len([r for r in reasons.values() if r.startswith("not found")])
    return Knowledge(records, stated, rules, reasons)


def _learn(outcome: FetchOutcome, records: dict[str, PaperRecord], reasons: dict[str, str], summary: ResolveSummary) -> None:
    records.update(outcome.found)
    reasons.update(dict.fromkeys(outcome.not_found, "not found on arXiv"))
    reasons.update({i: f"lookup failed: {why}; will be retried next run" for i, why in outcome.failed.items()})
    summary.fetched = len(outcome.found)
    summary.failed = len(outcome.failed)
    summary.requests = outcome.requests


def _plan_note(
    note: Note, mentions: list[PaperMention], knowledge: Knowledge, result: ResolveResult, plan: bool = True
) -> None:
    """Add the note's link and frontmatter edits (when ``plan``) and its unresolved IDs to ``result``."""
    edits = plan_note(note, mentions, knowledge) if plan else []
    result.edits.extend(edits)
    result.summary.links_rewritten += sum(1 for e in edits if e.start >= note.body_start and e.old)
    result.summary.notes_changed += bool(edits)
    reported: set[str] = set()
    for m in mentions:
        if m.paper_id in reported or knowledge.title(m.paper_id):
            continue
        reported.add(m.paper_id)
        reason = knowledge.reasons.get(m.paper_id) or "not a valid arXiv ID"
        result.unresolved.append(Unresolved(note.path, m.span.line, m.span.column, m.paper_id, reason))


def plan_note(note: Note, mentions: list[PaperMention], knowledge: Knowledge) -> list[Edit]:
    """Return the edits for one note: titled links, then its frontmatter (pure)."""
    edits = [e for m in mentions if (e := _link_edit(note, m, knowledge)) is not None]
    if can_edit(note):
        edits.extend(frontmatter_edits(note, _patch(note, mentions, knowledge)))
    return edits


def _link_edit(note: Note, m: PaperMention, knowledge: Knowledge) -> Edit | None:
    """Return ``[Title](url)`` for a bare URL or autolink outside frontmatter, code, comments."""
    title = knowledge.title(m.paper_id)
    if not (m.bare and not m.in_frontmatter and m.link is not None and title):
        return None
    url = note.links[m.link].target
    if any(c in url for c in " ()<>"):
        url = f"<{url}>"
    old = note.text[m.span.start : m.span.end]
    return Edit(note.path, m.span.start, m.span.end, old, f"[{link_text(title)}]({url})")


def _patch(note: Note, mentions: list[PaperMention], knowledge: Knowledge) -> FrontmatterPatch:
    """Return the frontmatter change: papers and tags vaultbot owns, tags it appends."""
    ids = list(dict.fromkeys(m.paper_id for m in mentions))
    resolved = [i for i in ids if knowledge.title(i)]
    complete = all(i in resolved or knowledge.reasons.get(i, "").startswith("not found") for i in ids)
    desired = _desired_tags(resolved, mentions, knowledge)
    previous, present = read_own(note, TAGS_KEY), read_tags(note)
    adding = [t for t in desired if t not in present and t not in previous]
    # A transient failure must not make vaultbot take back what it added before.
    removing = [t for t in previous if t not in desired and t in present] if complete else []
    record = [t for t in desired if t in previous or t in adding]
    papers = resolved
    if not complete:
        record += [t for t in previous if t not in record]
        papers += [i for i in read_own(note, PAPERS_KEY) if i not in papers and i in ids]
    return FrontmatterPatch(own={PAPERS_KEY: papers or None, TAGS_KEY: record or None}, add_tags=adding, remove_tags=removing)


def _desired_tags(resolved: Iterable[str], mentions: list[PaperMention], knowledge: Knowledge) -> list[str]:
    fields = {m.paper_id: report_field(m.commentary) for m in mentions if m.stated_title}
    tags: list[str] = []
    for paper_id in resolved:
        tags.extend(t for t in knowledge.paper_tags(paper_id, fields.get(paper_id, "")) if t not in tags)
    return tags


def resolve_path(
    root: Path, config: Config, *, offline: bool = False, dry_run: bool = False, progress: Progress | None = None
) -> tuple[ResolveResult, WriteResult]:
    """Resolve the vault at ``root`` re-reading only notes changed since the last run, then write.

    The command's core: ``resolve_vault`` on the changed notes, the writer, and the
    bookkeeping of notes left complete (never under ``--dry-run``, which writes nothing
    but the metadata it fetched).
    """
    from vaultbot import resolve_state
    from vaultbot.locks import vault_write_lock
    from vaultbot.vault import load_vault
    from vaultbot.writer import apply

    path = default_cache_path(root, config.get("resolve", "cache_path"))
    fingerprint = resolve_state.rules_fingerprint(root, config)
    cache = Cache.open(path) if path.exists() else None
    with cache if cache is not None else contextlib.nullcontext():
        changed = resolve_state.changed_notes(root, config, cache, fingerprint)
    vault = load_vault(root, config, only=changed)
    result = resolve_vault(vault, offline=offline, progress=progress)
    result.summary.notes_unchanged = len(vault.note_paths) - len(changed)
    # One writer per vault: wait for the daemon or another run to finish its writes.
    # The writer re-reads each note under the lock and skips one that changed meanwhile.
    with contextlib.nullcontext() if dry_run else vault_write_lock(vault.root):
        written = apply(vault.root, result.edits, vault.sources, dry_run=dry_run)
    if not dry_run and path.exists():
        with Cache.open(path) as done_cache:
            resolve_state.mark_done(root, done_cache, _complete_notes(vault, result, written), fingerprint)
    return result, written


def _complete_notes(vault: Vault, result: ResolveResult, written: WriteResult) -> list[str]:
    """Return the notes that now need nothing more: every paper titled, all edits written."""
    pending = {u.path for u in result.unresolved if u.reason != "not a valid arXiv ID"}
    edited = {e.path for e in result.edits}
    skipped = {rel for rel, _ in written.skipped}
    return [rel for rel in vault.notes if rel not in pending | skipped and (rel not in edited or rel in written.written)]
