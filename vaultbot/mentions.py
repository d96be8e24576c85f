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
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from vaultbot.mdlinks import URL_STOP
from vaultbot.model import Frontmatter, Link, ListItem, PaperMention, Section, Span
from vaultbot.papers import PaperRef, TextId, find_text_ids, paper_from_url

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
_START = itemgetter(0)  # a _Found's start offset


class _Found(NamedTuple):
    """A mention before its context is known."""

    start: int
    end: int
    url: str
    ref: PaperRef
    source: str
    host: str
    bare: bool
    link: int | None
    in_frontmatter: bool
    span: Span | None = None  # known already for link mentions


def collect(
    scan: _Scan,
    masked: str,
    frontmatter: Frontmatter | None,
    links: tuple[Link, ...],
    items: _ListPass,
    sections: tuple[Section, ...],
) -> tuple[PaperMention, ...]:
    """Return every paper mention of the note in text order.

    ``items`` is the note's deferred list pass; it runs only when a mention's place or
    commentary is first asked for (``_Place``), which lint rarely does.
    """
    found = list(_in_frontmatter(scan.text, frontmatter)) if frontmatter else []
    in_links = _in_links(links)
    found.extend(in_links)
    body_start = frontmatter.span.end if frontmatter else 0
    in_text = list(_in_text(masked, body_start, links, in_links))
    if in_text:
        found.extend(in_text)
        found.sort(key=_START)
    elif frontmatter:
        found.sort(key=_START)  # else: links come in text order already
    context = _Context(scan, items, sections, len(found))
    mentions = []
    for start, end, url, ref, source, host, bare, link, in_frontmatter, span in found:
        span = span or scan.span(start, end)
        place = _Place(context, span, in_frontmatter)
        mentions.append(
            _new(
                PaperMention,
                (ref[0], ref[1], url, source, host, span, bare, in_frontmatter, link, place),
            )
        )
    return tuple(mentions)


def _in_frontmatter(text: str, frontmatter: Frontmatter) -> Iterator[_Found]:
    start, end = frontmatter.body_span.start, frontmatter.body_span.end
    taken: list[tuple[int, int]] = []
    for match in _FM_URL.finditer(text, start, end):
        url = match.group().rstrip(_TRAILING)
        ref = paper_from_url(url)
        taken.append((match.start(), match.start() + len(url)))
        if ref is not None:
            yield _Found(
                match.start(),
                match.start() + len(url),
                url,
                ref,
                "url",
                ref.host,
                False,
                None,
                True,
            )
    for text_id in find_text_ids(text, start, end):
        if not any(a <= text_id.start < b for a, b in taken):
            yield _from_text_id(text, text_id, True)


def _in_links(links: tuple[Link, ...]) -> list[_Found]:
    found = []
    for index, link in enumerate(links):
        if link.embed or link.kind == "wikilink":
            continue
        ref = paper_from_url(link.target)
        if ref is not None:
            span = link.span
            bare = link.kind == "bare" or link.kind == "autolink"
            found.append(
                _new(
                    _Found,
                    (span[0], span[1], link.target, ref, "url", ref[2], bare, index, False, span),
                )
            )
    return found


def _in_text(
    masked: str, body_start: int, links: tuple[Link, ...], in_links: list[_Found]
) -> Iterator[_Found]:
    """Yield ``arXiv:ID`` texts outside link destinations and outside paper links' text.

    ``[arXiv:2301.10000](https://arxiv.org/abs/2301.10000)`` is one mention (the link);
    ``[arXiv:2301.10000](https://alphaxiv.org/...)`` is a text mention.
    """
    text_ids = find_text_ids(masked, body_start)
    if not text_ids:
        return  # most notes: no need to map what the links cover
    paper_links = {f.link for f in in_links}
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
    for text_id in text_ids:
        at = bisect_right(starts, text_id.start) - 1
        if at >= 0 and covered[at][1] > text_id.start:
            continue
        yield _from_text_id(masked, text_id, False)


def _merged_spans(spans: list[Span]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and span.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span.end))
        else:
            merged.append((span.start, span.end))
    return merged


def _from_text_id(text: str, text_id: TextId, in_frontmatter: bool) -> _Found:
    host = "doi" if text_id.source == "doi" else "text"
    url = text[text_id.start : text_id.end]
    return _Found(
        text_id.start,
        text_id.end,
        url,
        text_id.ref,
        text_id.source,
        host,
        False,
        None,
        in_frontmatter,
    )


class Place(NamedTuple):
    """A mention's place with every value worked out (what a pickled ``_Place`` becomes)."""

    list_item: int | None
    section: int | None
    anchor_line: int
    stated_title: str | None
    commentary: str


class _Place:
    """A mention's list item, section, anchor line, stated title and commentary, on demand.

    Implements ``vaultbot.model.MentionContext``: nothing is worked out until a feature
    reads one of the values, then the first four are found together and kept, and the
    commentary (the costliest) separately.
    """

    __slots__ = ("_commentary", "_context", "_in_frontmatter", "_span", "_where")

    def __init__(self, context: _Context, span: Span, in_frontmatter: bool) -> None:
        self._context = context
        self._span = span
        self._in_frontmatter = in_frontmatter
        self._where: tuple[int | None, int | None, int, str | None] | None = None
        self._commentary: str | None = None

    @property
    def list_item(self) -> int | None:
        return self._located()[0]

    @property
    def section(self) -> int | None:
        return self._located()[1]

    @property
    def anchor_line(self) -> int:
        if self._where is None and not self._in_frontmatter:
            return self._context.anchor(self._span)  # without the note's list pass
        return self._located()[2]

    @property
    def stated_title(self) -> str | None:
        return self._located()[3]

    @property
    def commentary(self) -> str:
        if self._commentary is None:
            if self._in_frontmatter:
                self._commentary = ""  # frontmatter is data, not the user's commentary
            else:
                self._commentary = self._context.commentary(self._span, *self._located()[:2])
            self._context.place_done()
        return self._commentary

    def _located(self) -> tuple[int | None, int | None, int, str | None]:
        if self._where is None:
            if self._in_frontmatter:
                self._where = (None, None, self._span.line, None)
            else:
                self._where = self._context.locate(self._span)
        return self._where

    def _values(self) -> Place:
        return Place(*self._located(), self.commentary)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (_Place, Place)):
            return NotImplemented
        return self._values() == (other._values() if isinstance(other, _Place) else other)

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple[type[Place], Place]:
        return Place, self._values()  # a copy or pickle keeps the values, not the scanner

    def __repr__(self) -> str:
        item, section, anchor, title = self._located()
        return (
            f"MentionContext(list_item={item!r}, section={section!r}, anchor_line={anchor!r}, "
            f"stated_title={title!r}, commentary={self.commentary!r})"
        )


class _Context:
    """Find the list item, section and commentary that belong to an offset.

    Built once per note; its lookup tables (list item lines, report link lines) are
    made on first use, since most runs never ask.
    """

    def __init__(
        self, scan: _Scan, items: _ListPass, sections: tuple[Section, ...], places: int
    ) -> None:
        self._scan: _Scan | None = scan
        self._list_pass = items
        self._pending = places  # places whose commentary is not worked out yet
        self._items: tuple[ListItem, ...] | None = None
        self.item_lines: list[int] = []
        self.sections = sections
        self.section_starts = [section.span.start for section in sections]
        self._link_lines: dict[int, int | None] | None = None

    @property
    def scan(self) -> _Scan:
        """Return the note's scanner (dropped once every place is worked out)."""
        assert self._scan is not None, "a mention context used after all its places"
        return self._scan

    def place_done(self) -> None:
        """Count one place fully worked out; after the last one, let the scanner go.

        The scanner holds the note's text again as lines: kept for every note it would
        add a third to a vault's memory (link and graph ask every commentary).
        """
        self._pending -= 1
        if self._pending == 0:
            self._scan = None
            self._list_pass.release()

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

    def locate(self, span: Span) -> tuple[int | None, int | None, int, str | None]:
        """Return (list item, section, anchor line, stated title) of a body mention."""
        item = self._item_at(span.line, span.start)
        section = self._section_at(span.start)
        if section is not None and self.link_lines.get(section) == span.line:
            return item, section, span.line, self.sections[section].title
        if item is not None:
            return item, section, self.items[item].span.line, None
        return item, section, span.line, None

    def anchor(self, span: Span) -> int:
        """Return the anchor line of a body mention, as ``locate`` would, without the list pass."""
        section = self._section_at(span.start)
        if section is not None and self.link_lines.get(section) == span.line:
            return span.line
        line = self._list_pass.item_line(span.line)
        return span.line if line is None else line

    def commentary(self, span: Span, item: int | None, section: int | None) -> str:
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
