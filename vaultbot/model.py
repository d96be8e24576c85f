"""Immutable records that describe one parsed note.

Every feature (lint, resolve, link, graph, watch) reads these and never re-parses the
text.  Offsets are indices into ``Note.text`` (the decoded text, without BOM, with its
original line endings); ``line`` and ``column`` are 1-based, columns count characters.

The small records are ``NamedTuple``s: immutable like a frozen dataclass, but ~2.4x
cheaper to create, and a note has ~300 of them (issue 4 "speed", bench/bench_parser.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, Protocol

RegionKind = Literal["frontmatter", "code_fence", "code_inline", "comment_obsidian", "comment_html"]
LinkKind = Literal["markdown", "wikilink", "autolink", "bare"]
NoteKind = Literal["dated", "report", "plain"]
MentionSource = Literal["url", "text", "doi"]


class Span(NamedTuple):
    """A half-open character range ``[start, end)`` plus the 1-based position of ``start``."""

    start: int
    end: int
    line: int
    column: int


class Region(NamedTuple):
    """A stretch of text in which nothing counts as a link (code, comments, frontmatter)."""

    kind: RegionKind
    span: Span


class Frontmatter(NamedTuple):
    """The YAML block between ``---`` fences at the top of a note.

    ``data`` is what python-frontmatter parsed (``None`` when the YAML is broken, then
    ``error`` and ``error_line`` say why and where, as a line of the note).  ``span``
    covers the fences too; ``body_span`` only the YAML text between them.  vaultbot never
    writes ``data`` back: edits are textual splices of ``body_span``.
    """

    span: Span
    body_span: Span
    data: dict[str, Any] | None
    error: str | None = None
    error_line: int | None = None


class Heading(NamedTuple):
    """An ATX heading (``## text``) outside code."""

    level: int
    text: str
    span: Span


class ListItem(NamedTuple):
    """A list item line (``-``, ``*``, ``+`` or ``1.``) outside code.

    ``indent`` is the visual indent width (a tab counts 4), ``content_start`` the offset
    just after the marker and its space, ``subtree_end`` the offset where the item's
    nested lines (its sub-list, continuation lines) end.  ``parent`` is the index of the
    enclosing item in ``Note.list_items`` or ``None`` at top level.
    """

    indent: int
    marker: str
    span: Span
    content_start: int
    subtree_end: int
    parent: int | None


class Link(NamedTuple):
    """A link or embed outside code and comments.

    ``target`` is the destination as written (markdown: without ``<>``, still
    percent-encoded; wikilink: the part before ``|``).  ``path`` is the file part
    (percent-decoded for markdown links, without ``#subpath``), ``subpath`` the ``#...``
    part or ``None``, ``text`` the link text / alias (``None`` when there is none, as in a
    bare URL).  ``target_span`` covers only the destination characters in the text.
    """

    kind: LinkKind
    embed: bool
    target: str
    path: str
    subpath: str | None
    text: str | None
    title: str | None
    span: Span
    target_span: Span

    @property
    def is_external(self) -> bool:
        """Return True for URLs with a scheme (http:, https:, mailto:, obsidian: ...)."""
        head = self.path.split("/", 1)[0]
        return ":" in head and not (len(head) == 2 and head[1] == ":")


class MentionContext(Protocol):
    """Where a note's mentions belong, worked out on first use (``vaultbot.mentions``).

    One object per note, shared by its mentions.  Finding a mention's list item needs
    the note's list structure, and its commentary needs that text cleaned: together ~60%
    of a parse.  ``vaultbot lint`` needs neither for most notes, so the parser defers
    both until a feature asks (issue 4 "speed").  Two contexts are equal when every
    mention's values are.
    """

    def located(self, mention: PaperMention) -> tuple[int | None, int | None, int, str | None]:
        """Return the mention's (list item, section, anchor line, stated title)."""
        ...

    def anchor_line_of(self, mention: PaperMention) -> int:
        """Return the line that carries (or will carry) the mention's block ID."""
        ...

    def commentary_of(self, mention: PaperMention) -> str:
        """Return the user's text that belongs to the mention."""
        ...


class PaperMention(NamedTuple):
    """One mention of an arXiv paper, normalised to its ID.

    ``paper_id`` has no version (``2512.24601``, ``hep-th/9901001``); ``version`` keeps
    what the user wrote (``"v1"`` or ``""``).  ``bare`` is True for a raw URL or an
    ``<autolink>`` without link text, which ``resolve`` may turn into ``[Title](url)``;
    plain ``arXiv:ID`` text and frontmatter URLs are mentions but never bare.
    ``link`` is the index into ``Note.links`` when the mention is a link.
    ``commentary`` is the user's own text that belongs to the mention (the bullet's
    sub-list, or the report section); ``stated_title`` is the title a Hugging Face report
    gives in its ``## 📄 Title`` heading.  ``anchor_line`` is the 1-based line that carries
    (or will carry) the mention's block ID: the bullet line, or a report's ``**链接**`` line.
    ``list_item``/``section`` index ``Note.list_items``/``Note.sections``.  These five
    come from ``context`` (one per note, shared by its mentions), which works them out
    on first use.
    """

    paper_id: str
    version: str
    url: str
    source: MentionSource
    host: Literal["arxiv", "hf", "doi", "text"]
    span: Span
    bare: bool
    in_frontmatter: bool
    link: int | None
    context: MentionContext

    @property
    def commentary(self) -> str:
        """Return the user's text that belongs to the mention."""
        return self.context.commentary_of(self)

    @property
    def stated_title(self) -> str | None:
        """Return the title a report's ``## 📄 Title`` heading gives, if any."""
        return self.context.located(self)[3]

    @property
    def anchor_line(self) -> int:
        """Return the line that carries (or will carry) the mention's block ID."""
        return self.context.anchor_line_of(self)

    @property
    def list_item(self) -> int | None:
        """Return the index of the mention's list item in ``Note.list_items``, if any."""
        return self.context.located(self)[0]

    @property
    def section(self) -> int | None:
        """Return the index of the mention's section in ``Note.sections``, if any."""
        return self.context.located(self)[1]


PAPER_ICON = "📄"  # a report's paper section heading starts with it: ``## 📄 Title``


class Section(NamedTuple):
    """A day of a dated note (``## 1.14``) or one paper of a report (``## 📄 Title``).

    ``span`` runs from the heading to the next heading of the same kind (or the end).
    ``month``/``day`` are set for day sections (not validated: lint checks them).
    """

    kind: Literal["day", "paper"]
    title: str
    heading: Heading
    span: Span
    month: int | None = None
    day: int | None = None


_NOTE_FIELDS = (
    "path",
    "text",
    "bom",
    "newline",
    "line_starts",
    "frontmatter",
    "headings",
    "list_items",
    "regions",
    "links",
    "mentions",
    "sections",
    "block_ids",
    "kind",
    "report_date",
    "directives",
    "days",
)
# Fields the parser may hand over as a function that builds them on first use.
_DEFERRABLE = frozenset({"headings", "list_items", "sections"})


class Note:
    """One parsed note: the text and every structure features need, with positions.

    Immutable like the other records.  ``headings``, ``sections`` and ``list_items`` may
    be given as functions that build them: the parser defers its heading and list passes
    until a feature asks, and ``vaultbot lint`` seldom does (issue 4 "speed"); ``days``
    holds the ``(month, day)`` of each day section, which is what lint needs.
    """

    __slots__ = (*_NOTE_FIELDS, "_deferred")
    _fields = _NOTE_FIELDS

    path: str
    text: str
    bom: bool
    newline: str
    line_starts: tuple[int, ...]
    frontmatter: Frontmatter | None
    headings: tuple[Heading, ...]
    list_items: tuple[ListItem, ...]
    regions: tuple[Region, ...]
    links: tuple[Link, ...]
    mentions: tuple[PaperMention, ...]
    sections: tuple[Section, ...]
    block_ids: tuple[tuple[int, str], ...]
    kind: NoteKind
    report_date: str | None
    directives: tuple[tuple[int, str], ...]
    days: tuple[tuple[int, int], ...]

    def __init__(
        self,
        path: str,
        text: str,
        bom: bool,
        newline: str,
        line_starts: tuple[int, ...],
        frontmatter: Frontmatter | None,
        headings: tuple[Heading, ...] | Callable[[], tuple[Heading, ...]],
        list_items: tuple[ListItem, ...] | Callable[[], tuple[ListItem, ...]],
        regions: tuple[Region, ...],
        links: tuple[Link, ...],
        mentions: tuple[PaperMention, ...],
        sections: tuple[Section, ...] | Callable[[], tuple[Section, ...]],
        block_ids: tuple[tuple[int, str], ...],
        kind: NoteKind,
        report_date: str | None = None,
        directives: tuple[tuple[int, str], ...] = (),
        days: tuple[tuple[int, int], ...] | None = None,
    ) -> None:
        values = locals()
        deferred = {}
        for name in _NOTE_FIELDS:
            value = values[name]
            if name in _DEFERRABLE and callable(value):
                deferred[name] = value
            else:
                object.__setattr__(self, name, value)
        object.__setattr__(self, "_deferred", deferred)
        if days is None:  # not given: read it off the sections
            object.__setattr__(
                self, "days", tuple((s.month, s.day) for s in self.sections if s.kind == "day")
            )

    def __getattr__(self, name: str) -> Any:
        """Build a deferred field on first use (only called while its slot is still empty)."""
        build = self._deferred.get(name) if name != "_deferred" else None
        if build is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        value = build()
        object.__setattr__(self, name, value)
        del self._deferred[name]  # let the scanner's state go once nothing is deferred
        return value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: a Note is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: a Note is immutable")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _NOTE_FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _NOTE_FIELDS)
        return f"Note({fields})"

    def __reduce__(self) -> tuple[type[Note], tuple[Any, ...]]:
        return Note, self._values()

    @property
    def body_start(self) -> int:
        """Return the offset where the Markdown body starts (after frontmatter)."""
        return self.frontmatter.span.end if self.frontmatter else 0

    def line_of(self, offset: int) -> int:
        """Return the 1-based line holding ``offset``."""
        from bisect import bisect_right

        return bisect_right(self.line_starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 1-based ``(line, column)`` of ``offset``."""
        line = self.line_of(offset)
        return line, offset - self.line_starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        """Return line ``line`` (1-based) without its line ending."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_end(self, line: int) -> int:
        """Return the offset of the end of line ``line``'s content (before its newline)."""
        return self.line_starts[line - 1] + len(self.line_text(line))
