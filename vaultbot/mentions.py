"""Derive a note's paper mentions, and the user's commentary on each, from parsed structure.

Part of the parser (``vaultbot.parser`` calls ``collect``); kept apart because what
*belongs* to a mention is a policy of its own (issue 4, "The vault and note model"):

* a mention in a list item owns the item's sub-list (its descendant lines), except
  lines ending with the ``%%vaultbot%%`` marker, which vaultbot itself wrote;
* the mention on a report's ``**链接**`` line owns its ``## 📄 Title`` section (without
  the heading and the link line) and takes the heading as ``stated_title``;
* any other mention owns the rest of its line.

Frontmatter is scanned separately: its URLs and ``arXiv:ID`` texts are mentions of the
note (``in_frontmatter=True``), never bare, since frontmatter is never rewritten as Markdown.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from vaultbot.mdlinks import URL_STOP
from vaultbot.model import PAPER_ICON, Frontmatter, Link, ListItem, PaperMention, Section, Span
from vaultbot.papers import TextId, find_text_ids, paper_from_url

if TYPE_CHECKING:
    from vaultbot.parser import _ListPass, _Scan

VAULTBOT_MARKER = "%%vaultbot%%"

_FM_URL = re.compile(rf"https?://[^{URL_STOP}\"'>\[\]{{}},]+")
_LINK_LINE = re.compile(r"[ \t]*(?:[-*+][ \t]+)?\*\*(?:链接|Link|URL)\*\*[ \t]*[:：]")
_SEPARATOR = re.compile(r"(?:={3,}|-{3,}|\*{3,}|_{3,})")
_MARKER_PREFIX = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_BLOCK_ID_TAIL = re.compile(r"[ \t]+\^[A-Za-z0-9-]+$")
_TRAILING = "?!.,:*_~'\""
_new = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (~22 mentions a note)
_START = attrgetter("span.start")
_SPAN = attrgetter("span")


def collect(
    scan: _Scan,
    masked: str,
    frontmatter: Frontmatter | None,
    links: tuple[Link, ...],
    items: _ListPass,
    sections: Callable[[], tuple[Section, ...]],
) -> tuple[PaperMention, ...]:
    """Return every paper mention of the note in text order.

    The mentions share one ``_Context``: their places and commentary are worked out when
    a feature first asks (they need the note's list pass, which lint rarely does).
    """
    body_start = frontmatter.span.end if frontmatter else 0
    context = _Context(scan, items, sections, body_start)
    found = _in_links(links, context)
    in_text = _in_text(scan, masked, body_start, links, found, context)
    if frontmatter or in_text:
        fm = _in_frontmatter(scan, frontmatter, context) if frontmatter else []
        found = sorted([*fm, *found, *in_text], key=_START)  # links come in text order
    mentions = tuple(found)
    context.hold(mentions)
    return mentions


def _in_frontmatter(
    scan: _Scan, frontmatter: Frontmatter, context: _Context
) -> list[PaperMention]:
    text = scan.text
    start, end = frontmatter.body_span.start, frontmatter.body_span.end
    taken: list[tuple[int, int]] = []
    found = []
    for match in _FM_URL.finditer(text, start, end):
        url = match.group().rstrip(_TRAILING)
        ref = paper_from_url(url)
        at = match.start()
        taken.append((at, at + len(url)))
        if ref is not None:
            span = scan.span(at, at + len(url))
            found.append(
                PaperMention(ref.paper_id, ref.version, url, "url", ref.host, span, False, True, None, context)
            )
    for text_id in find_text_ids(text, start, end):
        if not any(a <= text_id.start < b for a, b in taken):
            found.append(_from_text_id(scan, text, text_id, True, context))
    return found


def _in_links(links: tuple[Link, ...], context: _Context) -> list[PaperMention]:
    found = []
    for index, link in enumerate(links):
        if link.embed or link.kind == "wikilink":
            continue
        ref = paper_from_url(link.target)
        if ref is not None:
            kind = link.kind
            bare = kind == "bare" or kind == "autolink"
            found.append(
                _new(
                    PaperMention,
                    (ref[0], ref[1], link.target, "url", ref[2], link.span, bare, False, index, context),
                )
            )
    return found


def _in_text(
    scan: _Scan,
    masked: str,
    body_start: int,
    links: tuple[Link, ...],
    in_links: list[PaperMention],
    context: _Context,
) -> list[PaperMention]:
    """Return ``arXiv:ID`` texts outside link destinations and outside paper links' text.

    ``[arXiv:2301.10000](https://arxiv.org/abs/2301.10000)`` is one mention (the link);
    ``[arXiv:2301.10000](https://alphaxiv.org/...)`` is a text mention.
    """
    text_ids = find_text_ids(masked, body_start)
    if not text_ids:
        return []  # most notes: no need to map what the links cover
    paper_links = {m.link for m in in_links}
    covered = _merged_spans(
        sorted(
            (
                link.span if index in paper_links else link.target_span
                for index, link in enumerate(links)
            ),
            key=lambda span: span.start,
        )
    )
    starts = [start for start, _ in covered]
    found = []
    for text_id in text_ids:
        at = bisect_right(starts, text_id.start) - 1
        if at < 0 or covered[at][1] <= text_id.start:
            found.append(_from_text_id(scan, masked, text_id, False, context))
    return found


def _merged_spans(spans: list[Span]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and span.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span.end))
        else:
            merged.append((span.start, span.end))
    return merged


def _from_text_id(
    scan: _Scan, text: str, text_id: TextId, in_frontmatter: bool, context: _Context
) -> PaperMention:
    host = "doi" if text_id.source == "doi" else "text"
    url = text[text_id.start : text_id.end]
    span = scan.span(text_id.start, text_id.end)
    ref = text_id.ref
    return PaperMention(
        ref.paper_id, ref.version, url, text_id.source, host, span, False, in_frontmatter, None, context  # type: ignore[arg-type]
    )


class Place(NamedTuple):
    """A mention's place with every value worked out (what a pickled context keeps)."""

    list_item: int | None
    section: int | None
    anchor_line: int
    stated_title: str | None
    commentary: str


class Places:
    """The worked-out places of a note's mentions, by start offset: a pickled ``_Context``.

    Implements ``vaultbot.model.MentionContext`` from stored values (no scanner).
    """

    __slots__ = ("places",)

    def __init__(self, places: dict[int, Place]) -> None:
        self.places = places

    def located(self, mention: PaperMention) -> tuple[int | None, int | None, int, str | None]:
        return self.places[mention.span.start][:4]  # type: ignore[return-value]

    def anchor_line_of(self, mention: PaperMention) -> int:
        return self.places[mention.span.start].anchor_line

    def commentary_of(self, mention: PaperMention) -> str:
        return self.places[mention.span.start].commentary

    def values(self) -> dict[int, Place]:
        return self.places

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (Places, _Context)):
            return NotImplemented
        return self.places == other.values()

    def __hash__(self) -> int:
        return hash(tuple(self.places.items()))

    def __repr__(self) -> str:
        return f"Places({self.places!r})"


class _Context:
    """Where each mention of one note belongs: list item, section, anchor line, commentary.

    One per note, shared by its mentions (``PaperMention.context``): a mention's values
    are worked out when a feature first asks, from the note's list pass and sections,
    and kept by the mention's start offset.  Building nothing per mention up front keeps
    the parse lean for ``vaultbot lint``, which asks for none of this (issue 4 "speed").
    Implements ``vaultbot.model.MentionContext``.
    """

    __slots__ = (
        "_body_start",
        "_commentary",
        "_items",
        "_link_lines",
        "_list_pass",
        "_papers",
        "_scan",
        "_section_starts",
        "_sections",
        "_spans",
        "_where",
        "item_lines",
    )

    def __init__(
        self,
        scan: _Scan,
        items: _ListPass,
        sections: Callable[[], tuple[Section, ...]],
        body_start: int,
    ) -> None:
        self._scan: _Scan | None = scan
        self._list_pass = items
        self._body_start = body_start
        self._spans: tuple[Span, ...] = ()
        self._where: dict[int, tuple[int | None, int | None, int, str | None]] = {}
        self._commentary: dict[int, str] = {}
        self._items: tuple[ListItem, ...] | None = None
        self.item_lines: list[int] = []
        self._sections = sections  # the note's sections, built on first use
        self._section_starts: list[int] | None = None
        self._papers = PAPER_ICON in scan.text  # a report paper section is possible
        self._link_lines: dict[int, int | None] | None = None

    def hold(self, mentions: tuple[PaperMention, ...]) -> None:
        """Remember the spans of the note's mentions (for equality and pickling)."""
        self._spans = tuple(map(_SPAN, mentions))
        if not mentions:
            self._release()

    # -- MentionContext ------------------------------------------------------------

    def located(self, mention: PaperMention) -> tuple[int | None, int | None, int, str | None]:
        """Return (list item, section, anchor line, stated title) of ``mention``."""
        return self._located(mention.span)

    def anchor_line_of(self, mention: PaperMention) -> int:
        """Return the line carrying ``mention``'s block ID (without the list pass if it can)."""
        span = mention.span
        where = self._where.get(span.start)
        if where is not None:
            return where[2]
        if span.start < self._body_start:
            return span.line
        return self._anchor(span)

    def commentary_of(self, mention: PaperMention) -> str:
        """Return the user's text that belongs to ``mention``."""
        return self._commentary_at(mention.span)

    # -- values, equality, pickling ---------------------------------------------

    def values(self) -> dict[int, Place]:
        """Return every mention's place, by start offset (works everything out)."""
        return {
            span.start: Place(*self._located(span), self._commentary_at(span))
            for span in self._spans
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (_Context, Places)):
            return NotImplemented
        return self is other or self.values() == other.values()

    def __hash__(self) -> int:
        return hash(tuple(self.values().items()))

    def __reduce__(self) -> tuple[type[Places], tuple[dict[int, Place]]]:
        return Places, (self.values(),)  # a copy or pickle keeps the values, not the scanner

    def __repr__(self) -> str:
        return f"MentionContext({len(self._spans)} mentions)"

    # -- working it out ------------------------------------------------------------

    @property
    def scan(self) -> _Scan:
        """Return the note's scanner (dropped once every commentary is worked out)."""
        assert self._scan is not None, "a mention context used after all its places"
        return self._scan

    def _located(self, span: Span) -> tuple[int | None, int | None, int, str | None]:
        where = self._where.get(span.start)
        if where is None:
            if span.start < self._body_start:  # frontmatter: data, not in the note's lists
                where = (None, None, span.line, None)
            else:
                where = self._locate(span)
            self._where[span.start] = where
        return where

    def _commentary_at(self, span: Span) -> str:
        text = self._commentary.get(span.start)
        if text is None:
            if span.start < self._body_start:
                text = ""  # frontmatter is data, not the user's commentary
            else:
                item, section = self._located(span)[:2]
                text = self._commentary_for(span, item, section)
            self._commentary[span.start] = text
            if len(self._commentary) == len(self._spans):
                self._release()
        return text

    def _release(self) -> None:
        """Let the scanner go once every commentary is worked out.

        The scanner holds the note's text again as lines: kept for every note it would
        add a third to a vault's memory (link and graph ask every commentary).
        """
        self._scan = None
        self._list_pass.release()

    @property
    def sections(self) -> tuple[Section, ...]:
        """Return the note's sections (the parser builds them on first use)."""
        return self._sections()

    @property
    def section_starts(self) -> list[int]:
        """Return where each section starts."""
        if self._section_starts is None:
            self._section_starts = [section.span.start for section in self.sections]
        return self._section_starts

    @property
    def items(self) -> tuple[ListItem, ...]:
        """Return the note's list items (built by the parser's list pass on first use)."""
        if self._items is None:
            self._items = self._list_pass()
            self.item_lines = [item.span.line for item in self._items]
        return self._items

    @property
    def link_lines(self) -> dict[int, int | None]:
        """Return each report section's ``**链接**`` line, by section index."""
        if self._link_lines is None:
            self._link_lines = {
                index: _link_line(self.scan, s)
                for index, s in enumerate(self.sections)
                if s.kind == "paper"
            }
        return self._link_lines

    def _locate(self, span: Span) -> tuple[int | None, int | None, int, str | None]:
        """Return (list item, section, anchor line, stated title) of a body mention."""
        item = self._item_at(span.line, span.start)
        section = self._section_at(span.start)
        if section is not None and self.link_lines.get(section) == span.line:
            return item, section, span.line, self.sections[section].title
        if item is not None:
            return item, section, self.items[item].span.line, None
        return item, section, span.line, None

    def _anchor(self, span: Span) -> int:
        """Return the anchor line of a body mention, as ``_locate`` would, without the list pass.

        Only a report's ``**链接**`` line anchors outside a list item: a note without a
        ``📄`` paper section needs no sections for this (lint asks it for half the notes).
        """
        if self._papers:
            section = self._section_at(span.start)
            if section is not None and self.link_lines.get(section) == span.line:
                return span.line
        line = self._list_pass.item_line(span.line)
        return span.line if line is None else line

    def _commentary_for(self, span: Span, item: int | None, section: int | None) -> str:
        """Return the user's text that belongs to the mention at ``span``."""
        if section is not None and self.link_lines.get(section) == span.line:
            return self._section_text(section, span.line)
        if item is not None:
            return self._item_text(item)
        return self._rest_of_line(span)

    def _item_at(self, line: int, offset: int) -> int | None:
        items = self.items
        index: int | None = bisect_right(self.item_lines, line) - 1
        while index is not None and index >= 0:
            if items[index].subtree_end >= offset:
                return index
            index = items[index].parent
        return None

    def _section_at(self, offset: int) -> int | None:
        index = bisect_right(self.section_starts, offset) - 1
        if index >= 0 and self.sections[index].span.end > offset:
            return index
        return None

    def _item_text(self, index: int) -> str:
        item = self.items[index]
        last = bisect_right(self.scan.line_starts, item.subtree_end)
        return _clean(self.scan.lines[item.span.line : last])

    def _section_text(self, index: int, link_line: int) -> str:
        section = self.sections[index]
        last = bisect_right(self.scan.line_starts, max(section.span.end - 1, section.span.start))
        lines = self.scan.lines[section.heading.span.line : last]
        del lines[link_line - section.heading.span.line - 1]
        return _clean(lines, keep_markers=True)

    def _rest_of_line(self, span: Span) -> str:
        start = self.scan.line_starts[span.line - 1]
        line = self.scan.lines[span.line - 1].rstrip("\r")
        rest = line[: span.start - start] + line[span.end - start :]
        return _clean([rest])


def _link_line(scan: _Scan, section: Section) -> int | None:
    """Return the line of a report section's ``**链接**`` line, if it has one."""
    first = section.heading.span.line + 1
    last = bisect_right(scan.line_starts, max(section.span.end - 1, section.span.start))
    for number in range(first, last + 1):
        if _LINK_LINE.match(scan.lines[number - 1]):
            return number
    return None


def _clean(lines: Iterable[str], keep_markers: bool = False) -> str:
    """Return the user's text of ``lines``: stripped, without vaultbot lines and separators."""
    kept = []
    for line in lines:
        text = line.strip()
        if not text or text.endswith(VAULTBOT_MARKER):
            continue
        first = text[0]
        if first in "=-*_" and text[1:2] == first and _SEPARATOR.fullmatch(text):
            continue
        if keep_markers:
            pass
        elif first in "-*+" and text[1:2] in (" ", "\t", ""):
            text = text[1:].lstrip(" \t")
        elif first.isdigit():
            text = _MARKER_PREFIX.sub("", text, count=1)
        if "^" in text:
            text = _BLOCK_ID_TAIL.sub("", text)
        kept.append(text)
    return "\n".join(kept).strip()
