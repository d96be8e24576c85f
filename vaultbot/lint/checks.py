"""The built-in checks, registered by stable rule id (the catalogue is rules/lint.toml).

A note check takes ``(note, ctx, rule)``, a vault check ``(ctx, rule)``; both yield
Diagnostics built with ``rule.at`` and never write.  A certain fix travels as Edits on
the Diagnostic, and ``vaultbot lint --fix`` hands them to the writer.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Iterator

from vaultbot.diagnostics import Diagnostic, Edit
from vaultbot.lint.context import LintContext
from vaultbot.lint.dates import day_heading_problems
from vaultbot.lint.engine import Check, Rule
from vaultbot.lint.orphans import orphan_assets
from vaultbot.model import Link, Note
from vaultbot.resolver import Resolution

REGISTRY: dict[str, Check] = {}

# Characters a markdown destination cannot hold literally (CommonMark), percent-encoded in
# a fixed destination the way Obsidian writes ``Pasted%20image.png``.
MARKDOWN_ESCAPES = {
    "%": "%25",
    " ": "%20",
    "#": "%23",
    "<": "%3C",
    ">": "%3E",
    "(": "%28",
    ")": "%29",
}


def check(
    rule_id: str, scope: str = "note"
) -> Callable[[Callable[..., Iterator[Diagnostic]]], Callable[..., Iterator[Diagnostic]]]:
    """Register the decorated function as the check of ``rule_id``."""

    def register(func: Callable[..., Iterator[Diagnostic]]) -> Callable[..., Iterator[Diagnostic]]:
        if rule_id in REGISTRY:
            raise ValueError(f"check {rule_id!r} registered twice")
        REGISTRY[rule_id] = Check(scope, func)
        return func

    return register


@check("missing-asset")
def missing_asset(note: Note, ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """An image or attachment that Obsidian cannot find, or that points out of the vault."""
    for link, found in ctx.asset_references(note):
        if found.found:
            continue
        span = link.target_span
        if found.rule == "outside":
            message = f"'{link.target}' points outside the vault (resolves to '{found.looked_for}'; not opened)"
            yield rule.at(note.path, span.line, span.column, message)
            continue
        message = f"'{link.target}' not found: {_where_looked(link, found)}"
        fix = _moved_file_fix(note, link, ctx)
        if fix:
            message += f"; the only file of that name is '{fix[1]}'"
        yield rule.at(note.path, span.line, span.column, message, fix[0] if fix else ())


def _where_looked(link: Link, found: Resolution) -> str:
    wanted = found.looked_for
    if link.path.startswith(("./", "../")):
        return f"looked for '{wanted}' (relative to the note's folder)"
    if link.path.startswith("/"):
        return f"looked for '{wanted}' (from the vault root)"
    if "/" not in wanted:
        return f"no file named '{wanted}' in the vault"
    return f"looked for '{wanted}' from the vault root, then as the end of any vault path"


def _moved_file_fix(
    note: Note, link: Link, ctx: LintContext
) -> tuple[tuple[Edit, ...], str] | None:
    """Return an edit pointing the reference at the one file of that name, if there is one."""
    name = link.path.replace("\\", "/").rsplit("/", 1)[-1]
    candidates = ctx.index.named(name)
    if len(candidates) != 1:
        return None
    target = candidates[0]
    if link.path.startswith(("./", "../")):
        relative = posixpath.relpath(target, posixpath.dirname(note.path) or ".")
        target_text = relative if relative.startswith("../") else "./" + relative
    else:
        target_text = ("/" if link.path.startswith("/") else "") + target
    edit = _replace_path(note, link, target_text)
    return ((edit,), target) if edit else None


def _replace_path(note: Note, link: Link, new_path: str) -> Edit | None:
    """Return an Edit replacing the file part of ``link``'s destination by ``new_path``.

    The ``#subpath`` and ``|size`` parts stay as written; a markdown destination is
    percent-encoded unless the user wrapped it in ``<...>``.
    """
    span = link.target_span
    written = note.text[span.start : span.end]
    cut = len(written)
    for stop in ("#", "|") if link.kind == "wikilink" else ("#",):
        at = written.find(stop)
        if 0 <= at < cut:
            cut = at
    if link.kind == "markdown":
        angled = span.start > 0 and note.text[span.start - 1] == "<"
        new_path = (
            new_path.replace(">", "%3E")
            if angled
            else "".join(MARKDOWN_ESCAPES.get(c, c) for c in new_path)
        )
    old = written[:cut]
    if old == new_path or not old:
        return None
    return Edit(note.path, span.start, span.start + cut, old, new_path)


@check("case-mismatch")
def case_mismatch(note: Note, ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """A reference that resolves only when letter case is ignored."""
    for link, found in ctx.asset_references(note):
        if not (found.found and found.case_mismatch and found.target):
            continue
        span = link.target_span
        message = f"'{link.target}' matches '{found.target}' only when letter case is ignored"
        spelled = _respelled(link.path, found.target)
        edit = _replace_path(note, link, spelled) if spelled else None
        yield rule.at(note.path, span.line, span.column, message, (edit,) if edit else ())


def _respelled(written: str, target: str) -> str | None:
    """Return ``written`` spelled with the target's letter case, when that is unambiguous."""
    lead = "/" if written.startswith("/") else ""
    body = written[len(lead) :]
    if body.startswith(("./", "../")) or not target.casefold().endswith(body.casefold()):
        return None
    tail = target[len(target) - len(body) :]
    if tail.casefold() != body.casefold() or (
        len(tail) < len(target) and target[-len(body) - 1] != "/"
    ):
        return None
    return lead + tail


@check("bare-paper-link")
def bare_paper_link(note: Note, ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """A pasted paper URL without a title in the note body (frontmatter is data, not text)."""
    for mention in note.mentions:
        if mention.bare and not mention.in_frontmatter:
            message = f"bare paper link {mention.url} (arXiv {mention.paper_id}) has no title; run `vaultbot resolve`"
            yield rule.at(note.path, mention.span.line, mention.span.column, message)


@check("duplicate-paper")
def duplicate_paper(note: Note, ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """The same paper mentioned under two different entries of one note."""
    ids = [m.paper_id for m in note.mentions if not m.in_frontmatter]
    if len(set(ids)) == len(ids):
        return  # anchors need the note's list structure: build it only when needed
    repeated = {paper for paper, count in Counter(ids).items() if count > 1}
    first_seen: dict[str, tuple[int, int]] = {}
    for mention in note.mentions:
        if mention.in_frontmatter or mention.paper_id not in repeated:
            continue
        seen = first_seen.setdefault(mention.paper_id, (mention.anchor_line, mention.span.line))
        if seen[0] != mention.anchor_line:
            message = f"paper {mention.paper_id} is already mentioned on line {seen[1]}"
            yield rule.at(note.path, mention.span.line, mention.span.column, message)


@check("invalid-frontmatter")
def invalid_frontmatter(note: Note, ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """Frontmatter YAML that does not parse, at the line of the YAML error."""
    front = note.frontmatter
    if front is not None and front.data is None:
        line = front.error_line or front.span.line
        yield rule.at(
            note.path, line, 1, f"frontmatter is not valid YAML: {front.error or 'unknown error'}"
        )


@check("bad-day-heading")
def bad_day_heading(note: Note, ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """A day heading that is not a real date, repeats a day, or breaks the day order."""
    for heading, message in day_heading_problems(note):
        yield rule.at(note.path, heading.span.line, heading.span.column, message)


@check("unreadable-note", scope="vault")
def unreadable_note(ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """A note that is not UTF-8, binary or too big: reported, skipped, never rewritten."""
    for path, error in sorted(ctx.vault.unreadable.items()):
        yield rule.at(path, error.line, 1, f"note cannot be read: {error.reason}")


@check("orphan-asset", scope="vault")
def orphan_asset(ctx: LintContext, rule: Rule) -> Iterator[Diagnostic]:
    """A file in the attachment folder that no note references (whole-vault runs only)."""
    if not ctx.whole_vault:
        return
    for path in orphan_assets(ctx):
        yield rule.at(path, 1, 1, f"'{path}' is in the attachment folder but no note references it")
