"""Parse one note's text into the immutable ``Note`` model, in one pass and without I/O.

The scanner is a few line-oriented regexes and ``str.find`` loops, not a CommonMark
parser: a full Markdown parse (markdown-it-py) costs ~65x the time of reading the files,
and vaultbot needs the positions of a few constructs, not HTML.  The steps:

1. frontmatter: a ``---`` line at line 1 up to the next ``---`` line (python-frontmatter's
   rule), loaded with python-frontmatter's YAML loader; broken YAML is kept as an error
   with its line in the note.
2. regions in which nothing is a link: frontmatter, fenced code (``` or ~~~, any length;
   the closing fence uses the same character and is at least as long; unclosed runs to
   the end), inline code (equal backtick runs within one paragraph), Obsidian ``%%``
   comments and HTML comments (unclosed ones run to the end, as Obsidian renders them).
   They are scanned left to right, so whichever opens first wins.
3. every other scan runs on a *masked* copy in which the regions are blanked to spaces
   (line breaks kept), so offsets stay valid and code never yields a heading or a link.
   Line-anchored regexes run on ``"\\n" + masked``: a literal ``\\n`` prefix lets the
   regex engine skip ahead instead of trying every position (~10x faster).
4. list items get parents and subtree ends from one pass over the lines (a tab counts 4
   columns; a non-blank line indented no deeper than an item closes it; lines inside a
   multi-line region never close one).  The pass runs when a feature first asks for
   ``Note.list_items`` or a mention's place; ``vaultbot lint`` seldom does.
5. links (``vaultbot.mdlinks``) and paper mentions (``vaultbot.mentions``) come from the
   above; a mention's commentary is worked out when first asked.
6. the note's kind and its day numbers (``Note.days``) come from two regexes; headings
   and sections (day headings, report paper sections) from one pass over the headings
   when a feature first asks.  Lint needs only the day numbers for most notes.

Conventions: ``Heading.span`` and ``ListItem.span`` run from the first ``#`` / the marker
to the end of the line's content; ``subtree_end`` is the end of the content of the item's
last non-blank line; ``Link.subpath`` keeps its ``#``; spans never include ``\\r``.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from vaultbot.frontmatter_yaml import load_block
from vaultbot.mdlinks import bare_url_end, find_links
from vaultbot.mentions import collect
from vaultbot.model import (
    PAPER_ICON,
    Frontmatter,
    Heading,
    ListItem,
    Note,
    NoteKind,
    Region,
    Section,
    Span,
)
from vaultbot.writer import detect_newline

__all__ = ["bare_url_end", "parse"]

_FM_FENCE = re.compile(r"-{3,}[ \t]*\r?")
# An ATX heading: at most 3 spaces before the hashes (CommonMark; a tab is 4 columns, so a
# tab-indented "# x" is code, not a heading).  One pattern for every note.
_HEADING = re.compile(r"\n {0,3}(#{1,6})(?=[ \t\r\n]|$)([^\n]*)")
_ORDERED = re.compile(r"\d{1,9}[.)](?=[ \t]|\r?$)")
_AFTER_MARKER = frozenset({" ", "\t", "", "\r"})
_THEMATIC = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*\r?")
_BLOCK_ID = re.compile(r"\^([A-Za-z0-9-]+)[ \t]*\r?(?=\n|$)")
_REPORT_DATE = re.compile(r"\n\*\*Date\*\*[ \t]*[:：][ \t]*(\d{4}-\d{2}-\d{2})")
_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})")
_RUN = {"`": re.compile(r"`+"), "~": re.compile(r"~+")}
_BLANK_LINE = re.compile(r"\n[ \t]*\r?(?:\n|$)")
_REPORT_TITLE = "Hugging Face Daily Papers Report"
# The headings _kind_and_days looks for, read as outline() reads a heading: the text
# after the hashes, stripped, without a closing "##" sequence.
_REPORT_HEADING = re.compile(r"\n {0,3}#(?=[ \t\r\n]|$)[^\S\n]*" + re.escape(_REPORT_TITLE))
_DAY_HEADING = re.compile(
    r"\n {0,3}##(?=[ \t\r\n]|$)[^\S\n]*(\d{1,2})\.(\d{1,2})(?:[^\S\n]*[ \t]#+)?[^\S\n]*(?=\n|$)"
)
_OPENERS = ("`", "%%", "<!--", "~~~")
_PLUS_ONE = (1).__add__
_new = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (~75 spans a note)


def parse(path: str, text: str, *, bom: bool = False) -> Note:
    """Return the ``Note`` for ``text`` (decoded, without BOM, original line endings)."""
    scan = _Scan(text)
    frontmatter = scan.frontmatter()
    regions = scan.regions(frontmatter)
    masked = _mask(text, regions)
    anchored = "\n" + masked
    kind, report_date, days = _kind_and_days(text, anchored, regions)
    outline = _Outline(scan, regions, kind)  # deferred: see Note
    body_line = bisect_right(scan.line_starts, frontmatter.span.end) + 1 if frontmatter else 1
    items = _ListPass(scan, body_line, regions)  # deferred: see Note
    links = find_links(scan, masked, frontmatter.span.end if frontmatter else 0)
    mentions = collect(scan, masked, frontmatter, links, items, outline.sections)
    scan.drop_lines()  # the deferred parts split the text again if ever asked
    return Note(
        path=path,
        text=text,
        bom=bom,
        newline=detect_newline(text),
        line_starts=scan.line_starts,
        frontmatter=frontmatter,
        headings=outline.headings,
        list_items=items,
        regions=regions,
        links=links,
        mentions=mentions,
        sections=outline.sections,
        block_ids=scan.block_ids(masked),
        kind=kind,
        report_date=report_date,
        directives=scan.directives(regions),
        days=days,
    )


def _kind_and_days(
    text: str, anchored: str, regions: tuple[Region, ...]
) -> tuple[NoteKind, str | None, tuple[tuple[int, int], ...]]:
    """Return the note's kind, its report date and the (month, day) of its day headings.

    A report has ``**Date**:`` or a ``# Hugging Face Daily Papers Report...`` title, and
    its day-like headings are not days; a dated note has a day heading ``## 1.14``.  The
    regexes read headings as ``_Scan.outline`` does (tests/test_parser.py checks they
    agree), without building them: lint needs only this (issue 4 "speed").
    """
    date = _REPORT_DATE.search(anchored) if "*" in anchored and "**Date**" in anchored else None
    if date or (_REPORT_TITLE in anchored and _as_written(_REPORT_HEADING, text, anchored)):
        return "report", date.group(1) if date else None, ()
    if not any(_masks_a_day_heading(region, text, anchored) for region in regions):
        return _dated_or_plain([(int(m), int(d)) for m, d in _DAY_HEADING.findall(anchored)])
    days = []
    for day in _DAY_HEADING.finditer(anchored):
        start, end = day.span()
        if anchored[start + 1 : end] != text[start : end - 1]:  # masked: read as written
            day = _heading_as_written(_DAY_HEADING, day, text, anchored)  # type: ignore[assignment]
            if day is None:
                continue
        days.append((int(day[1]), int(day[2])))
    return _dated_or_plain(days)


def _dated_or_plain(
    days: list[tuple[int, int]],
) -> tuple[NoteKind, str | None, tuple[tuple[int, int], ...]]:
    return ("dated" if days else "plain"), None, tuple(days)


def _masks_a_day_heading(region: Region, text: str, anchored: str) -> bool:
    """Return True when ``region`` starts on a day heading's line (in the masked text).

    Only then can a day heading's text read differently as written: a region that
    started earlier would cover the heading's hashes, and then it is no heading.
    """
    if region.kind == "frontmatter":
        return False
    line_start = text.rfind("\n", 0, region.span.start) + 1  # anchored[line_start] is its "\n"
    return _DAY_HEADING.match(anchored, line_start) is not None


def _as_written(pattern: re.Pattern[str], text: str, anchored: str) -> bool:
    """Return True when some heading matches ``pattern`` both masked and as written."""
    return any(_heading_as_written(pattern, m, text, anchored) for m in pattern.finditer(anchored))


def _heading_as_written(
    pattern: re.Pattern[str], candidate: re.Match[str], text: str, anchored: str
) -> re.Match[str] | None:
    """Return the match of ``pattern`` on the heading line as written, or None.

    ``candidate`` was found in the masked text, where a heading's hashes are outside
    code and comments; like ``outline``, the text from the hashes on is then read as
    written (a comment inside a heading's text is part of it).
    """
    hashes, end = anchored.find("#", candidate.start()), candidate.end()
    if anchored[hashes:end] == text[hashes - 1 : end - 1]:
        return candidate  # nothing masked after the hashes (the usual case)
    line_end = text.find("\n", hashes - 1)
    return pattern.match("\n" + text[hashes - 1 : len(text) if line_end < 0 else line_end])


class _Outline:
    """A note's deferred headings and sections (``Note.headings``, ``Note.sections``).

    Built together on first use from the text masked again: most features ask for
    sections, but lint needs only the day numbers (``Note.days``) for most notes.
    """

    __slots__ = ("_built", "_kind", "_regions", "_scan")

    def __init__(self, scan: _Scan, regions: tuple[Region, ...], kind: NoteKind) -> None:
        self._scan, self._regions, self._kind = scan, regions, kind
        self._built: tuple[tuple[Heading, ...], tuple[Section, ...]] | None = None

    def headings(self) -> tuple[Heading, ...]:
        return self._build()[0]

    def sections(self) -> tuple[Section, ...]:
        return self._build()[1]

    def _build(self) -> tuple[tuple[Heading, ...], tuple[Section, ...]]:
        if self._built is None:
            anchored = "\n" + _mask(self._scan.text, self._regions)
            self._built = self._scan.outline(anchored, self._kind)
        return self._built


class _ListPass:
    """A note's deferred list pass (``Note.list_items``) and its one-line variant.

    It keeps the scanner (a second copy of the note's text, as lines) only while some
    deferred part may still need it: once the items are built and the mentions' places
    are all worked out (``release``), it lets go.
    """

    __slots__ = ("_body_line", "_items", "_regions", "_released", "_scan")

    def __init__(self, scan: _Scan, body_line: int, regions: tuple[Region, ...]) -> None:
        self._scan: _Scan | None = scan
        self._body_line = body_line
        self._regions = regions
        self._items: tuple[ListItem, ...] | None = None
        self._released = False

    def __call__(self) -> tuple[ListItem, ...]:
        """Return the note's list items, running the list pass the first time."""
        if self._items is None:
            assert self._scan is not None  # kept until the items exist
            self._items = self._scan.list_items(self._body_line, self._regions)
            if self._released:
                self._scan = None
        return self._items

    def item_line(self, line: int) -> int | None:
        """Return the line of the innermost list item holding ``line`` (no list pass)."""
        assert self._scan is not None  # released only when no mention needs it any more
        return self._scan.item_line(self._body_line, self._regions, line)

    def release(self) -> None:
        """Let the scanner go once the items exist (the mentions need it no more)."""
        self._released = True
        if self._items is not None:
            self._scan = None


class _Scan:
    """Per-note scanning state: the text, its lines and offset -> position lookup."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = text.split("\n")
        self.line_starts = tuple(accumulate(map(_PLUS_ONE, map(len, self.lines[:-1])), initial=0))
        self._paragraph = (0, 0)  # inline code: the current paragraph's [start, end)
        self._unclosed: set[int] = set()  # backtick run sizes without a closer in it
        self._inside: set[int] | None = None  # lines inside multi-line regions (lists)

    @property
    def lines(self) -> list[str]:
        """Return the text's lines (each without its ``\\n``), split again if dropped."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def drop_lines(self) -> None:
        """Forget the lines (a second copy of the text) until a deferred part needs them."""
        self._lines = None

    def span(self, start: int, end: int) -> Span:
        """Return the Span of ``[start, end)`` with its 1-based line and column."""
        line = bisect_right(self.line_starts, start)
        return _new(Span, (start, end, line, start - self.line_starts[line - 1] + 1))

    def line_end(self, line: int) -> int:
        """Return the offset after line ``line``'s content (1-based), before ``\\r\\n``."""
        content = self.lines[line - 1]
        return self.line_starts[line - 1] + len(content) - content.endswith("\r")

    def frontmatter(self) -> Frontmatter | None:
        """Return the frontmatter block, with parsed data or the YAML error and its line."""
        if not self.text.startswith("---") or not _FM_FENCE.fullmatch(self.lines[0]):
            return None
        close = next(
            (n for n in range(2, len(self.lines) + 1) if _FM_FENCE.fullmatch(self.lines[n - 1])),
            None,
        )
        if close is None:
            return None
        body_start, body_end = self.line_starts[1], self.line_starts[close - 1]
        data, error, error_line = load_block(self.text[body_start:body_end])
        return Frontmatter(
            span=self.span(0, self.line_end(close)),
            body_span=self.span(body_start, body_end),
            data=data,
            error=error,
            error_line=None if error_line is None else error_line + 2,
        )

    def regions(self, frontmatter: Frontmatter | None) -> tuple[Region, ...]:
        """Return code, comment and frontmatter regions in text order."""
        found = [Region("frontmatter", frontmatter.span)] if frontmatter else []
        text, pos = self.text, frontmatter.span.end if frontmatter else 0
        next_at = {token: at for token in _OPENERS if (at := _find_opener(text, token, pos)) >= 0}
        while next_at:
            token = min(next_at, key=next_at.__getitem__)
            at = next_at[token]
            pos = self._region_end(found, token, at)
            for other, other_at in list(next_at.items()):
                if other_at < pos:
                    next_at[other] = _find_opener(text, other, pos)
                if next_at[other] < 0:
                    del next_at[other]
        return tuple(found)

    def _region_end(self, found: list[Region], token: str, at: int) -> int:
        """Append the region ``token`` at ``at`` opens (if any); return where to scan on."""
        text = self.text
        if token == "%%" or token == "<!--":
            closer = "%%" if token == "%%" else "-->"
            close = text.find(closer, at + len(token))
            end = len(text) if close < 0 else close + len(closer)
            found.append(
                Region("comment_obsidian" if token == "%%" else "comment_html", self.span(at, end))
            )
            return end
        run = _RUN[token[0]].match(text, at).group()  # type: ignore[union-attr]
        line_start = text.rfind("\n", 0, at) + 1
        fence = len(run) >= 3 and not text[line_start:at].strip(" \t")
        if fence and token == "`":
            fence = "`" not in text[at + len(run) : _line_end(text, at)]
        if fence:
            end = self._fence_end(at, run)
            found.append(Region("code_fence", self.span(at, end)))
            return end
        if token != "`":
            return at + len(run)
        span_end = self._code_span_end(at + len(run), len(run))
        if span_end is None:
            return at + len(run)
        found.append(Region("code_inline", self.span(at, span_end)))
        return span_end

    def _code_span_end(self, pos: int, size: int) -> int | None:
        """Return the end of the inline code span whose opening run of ``size`` ends at ``pos``.

        The closer must be in the same paragraph.  The paragraph's end and the run sizes
        without a closer are remembered, so many stray backticks stay linear.
        """
        start, limit = self._paragraph
        if not start <= pos < limit:
            blank = _BLANK_LINE.search(self.text, pos)
            self._paragraph = start, limit = pos, blank.start() if blank else len(self.text)
            self._unclosed = set()
        if size in self._unclosed:
            return None
        closer = _closing_ticks(size).search(self.text, pos, limit)
        if closer is None:
            self._unclosed.add(size)
            return None
        return closer.end()

    def _fence_end(self, at: int, run: str) -> int:
        match = _fence_closer(run).search(self.text, _line_end(self.text, at))
        return len(self.text) if match is None else match.end()

    def outline(
        self, anchored: str, kind: NoteKind
    ) -> tuple[tuple[Heading, ...], tuple[Section, ...]]:
        """Return the note's ATX headings (outside code, comments and frontmatter) and its
        sections, from one pass over the headings.

        A section is a day (``## 1.14``, not in reports) or a paper (``## 📄 Title``).
        """
        headings, source, starts = [], self.text, self.line_starts
        found: list[tuple[str, Heading, int | None, int | None, str]] = []  # section heads
        days = kind != "report"
        for match in _HEADING.finditer(anchored):
            hashes, stop = match.span(2)
            marks = match.end(1) - match.start(1)
            raw = source[hashes - 1 : stop - 1]
            content = raw.rstrip("\r")
            text = content.strip()
            if text.endswith("#"):  # a closing sequence "## Title ##"
                closed = text.rstrip("#")
                if not closed or closed[-1] in " \t":
                    text = closed.rstrip()
            start, end = hashes - marks - 1, stop - 1 - (len(raw) - len(content))
            line = bisect_right(starts, start)  # self.span, inlined: ~13 headings a note
            span = _new(Span, (start, end, line, start - starts[line - 1] + 1))
            heading = _new(Heading, (marks, text, span))
            headings.append(heading)
            if marks == 2:
                if text.startswith(PAPER_ICON):
                    title = text[len(PAPER_ICON) :].lstrip("\ufe0f").strip()
                    found.append(("paper", heading, None, None, title))
                elif days and text[:1].isdigit() and (day := _DAY.fullmatch(text)):
                    found.append(("day", heading, int(day.group(1)), int(day.group(2)), text))
        return tuple(headings), self._sections(found)

    def _sections(
        self, found: list[tuple[str, Heading, int | None, int | None, str]]
    ) -> tuple[Section, ...]:
        """Return the sections headed by ``found``: each runs to the next of its kind."""
        sections: list[Section] = []
        next_start = {"day": len(self.text), "paper": len(self.text)}
        for section_kind, heading, month, day_of, title in reversed(found):
            start, _, line, column = heading.span
            span = _new(Span, (start, next_start[section_kind], line, column))
            sections.append(_new(Section, (section_kind, title, heading, span, month, day_of)))
            next_start[section_kind] = start
        sections.reverse()
        return tuple(sections)

    def list_items(self, body_line: int, regions: tuple[Region, ...]) -> tuple[ListItem, ...]:
        """Return list items with parent index and subtree end, from one pass over lines.

        A line is an item when it starts with ``-``/``*``/``+`` or ``1.``/``1)`` and a
        space (or nothing); it closes every open item indented as deep or deeper.
        """
        inside = self._interior_lines(regions)
        # one record per item: [width, line, marker, marker_at, content, parent, index, last]
        open_items: list[list[Any]] = []
        order: list[list[Any]] = []
        last = body_line
        for number, line in enumerate(self.lines[body_line - 1 :], body_line):
            if inside and number in inside:
                last = number
                continue
            stripped = line.lstrip(" \t")
            if not stripped or stripped == "\r":
                continue
            indent = len(line) - len(stripped)
            width = len(line[:indent].expandtabs(4)) if indent and "\t" in line[:indent] else indent
            while open_items and open_items[-1][0] >= width:
                open_items.pop()[7] = last
            last = number
            marker = _item_marker(line, stripped)
            if marker:
                marker_at = self.line_starts[number - 1] + indent
                after = len(marker)
                content = marker_at + after
                if stripped[after + 1 : after + 2] not in (" ", "\t"):  # at most one space
                    content += stripped[after : after + 1] in (" ", "\t")
                else:
                    rest = stripped[after:]
                    content += len(rest) - len(rest.lstrip(" \t"))
                parent = open_items[-1][6] if open_items else None
                record = [width, number, marker, marker_at, content, parent, len(order), 0]
                open_items.append(record)
                order.append(record)
        for record in open_items:
            record[7] = last
        return self._items(order)

    def item_line(self, body_line: int, regions: tuple[Region, ...], line: int) -> int | None:
        """Return the line of the innermost list item holding ``line``, as ``list_items`` would.

        Walks up from ``line`` instead of running the whole list pass: an item holds the
        line when every non-blank line between them is indented deeper than the item.
        lint's duplicate-paper needs just this line (a mention's ``anchor_line``).
        """
        inside = self._interior_lines(regions)
        shallowest = -1  # the least width walked so far (-1: none yet)
        source, starts, last = self.text, self.line_starts, len(self.line_starts)
        for number in range(line, body_line - 1, -1):
            if number in inside:
                continue
            # the line's text, sliced: splitting the whole note again costs more (lint asks
            # this for about half of all notes, for a few mentions each)
            text = source[starts[number - 1] : starts[number] - 1 if number < last else len(source)]
            stripped = text.lstrip(" \t")
            if not stripped or stripped == "\r":
                continue
            indent = len(text) - len(stripped)
            width = len(text[:indent].expandtabs(4)) if indent and "\t" in text[:indent] else indent
            if (shallowest < 0 or width < shallowest) and _item_marker(text, stripped):
                return number
            if shallowest < 0 or width < shallowest:
                shallowest = width
            if shallowest == 0:
                return None
        return None

    def _items(self, records: list[list[Any]]) -> tuple[ListItem, ...]:
        """Build the ListItems of ``records`` (inlined: a note has ~100 of them)."""
        lines, starts, items = self.lines, self.line_starts, []
        for width, number, marker, at, content, parent, _, last in records:
            line, line_start = lines[number - 1], starts[number - 1]
            span = Span(at, line_start + len(line.rstrip("\r")), number, at - line_start + 1)
            last_line = lines[last - 1]
            end = starts[last - 1] + len(last_line.rstrip("\r"))
            items.append(ListItem(width, marker, span, content, end, parent))
        return tuple(items)

    def _interior_lines(self, regions: tuple[Region, ...]) -> set[int]:
        """Return the lines that start inside a multi-line region (they never close a list)."""
        if self._inside is not None:
            return self._inside
        inside: set[int] = set()
        self._inside = inside
        for region in regions:
            if region.kind != "frontmatter" and region.kind != "code_inline":
                last = bisect_right(self.line_starts, max(region.span.end - 1, region.span.start))
                inside.update(range(region.span.line + 1, last + 1))
        return inside

    def block_ids(self, masked: str) -> tuple[tuple[int, str], ...]:
        """Return ``(line, id)`` for every Obsidian block ID ``^id`` ending a line."""
        if "^" not in masked:
            return ()
        return tuple(
            (bisect_right(self.line_starts, m.start()), m.group(1))
            for m in _BLOCK_ID.finditer(masked)
            if m.start() == 0 or masked[m.start() - 1] in " \t\n"
        )

    def directives(self, regions: tuple[Region, ...]) -> tuple[tuple[int, str], ...]:
        """Return ``(line, text)`` of comments whose content starts with ``vaultbot``."""
        found = []
        for region in regions:
            if region.kind == "comment_obsidian":
                content = self.text[region.span.start + 2 : region.span.end].removesuffix("%%")
            elif region.kind == "comment_html":
                content = self.text[region.span.start + 4 : region.span.end].removesuffix("-->")
            else:
                continue
            content = content.strip()
            if content.startswith("vaultbot"):
                found.append((region.span.line, content))
        return tuple(found)


def _item_marker(line: str, stripped: str) -> str:
    """Return the list marker that starts ``line`` (``stripped``: without its indent), or ""."""
    first = stripped[0]
    if first in "-*+":
        marker = first if stripped[1:2] in _AFTER_MARKER else ""
        if marker and first != "+" and stripped[2:3] in (first, " ", "\t"):
            marker = "" if _THEMATIC.fullmatch(line) else marker  # "- - -", "* * *"
        return marker
    return _ordered_marker(stripped) if first.isdigit() else ""


def _ordered_marker(stripped: str) -> str:
    """Return the ``1.`` / ``1)`` marker that starts ``stripped``, or ""."""
    match = _ORDERED.match(stripped)
    return match.group() if match else ""


def _find_opener(text: str, token: str, pos: int) -> int:
    """Return ``text.find(token, pos)``, searching the rare ``<!--`` and ``~~~`` by their
    first character: CPython searches one character fast, but several characters with a
    generic search that costs ~5 us over a note of CJK text (issue 4 "speed")."""
    if token == "`" or token == "%%":  # one character; '%' is too common in URLs to loop on
        return text.find(token, pos)
    at = text.find(token[0], pos)
    while at >= 0 and not text.startswith(token, at):
        at = text.find(token[0], at + 1)
    return at


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end


@functools.cache
def _closing_ticks(size: int) -> re.Pattern[str]:
    """Return the pattern of a run of exactly ``size`` backticks (an inline code closer)."""
    return re.compile(rf"(?<!`)`{{{size}}}(?!`)")


@functools.cache
def _fence_closer(run: str) -> re.Pattern[str]:
    """Return the pattern of a line closing the fence opened by ``run`` (```, ~~~~, ...)."""
    return re.compile(rf"\n[ \t]*{re.escape(run[0])}{{{len(run)},}}[ \t]*(?=\r?\n|\r?$)")


def _mask(text: str, regions: tuple[Region, ...]) -> str:
    """Return ``text`` with every region blanked to spaces (line endings kept)."""
    if not regions:
        return text
    pieces, cursor = [], 0
    for region in regions:
        pieces.append(text[cursor : region.span.start])
        pieces.append(_blank(text[region.span.start : region.span.end]))
        cursor = region.span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _blank(chunk: str) -> str:
    """Return ``chunk`` as spaces, keeping its line breaks (faster than a regex sub)."""
    if "\n" not in chunk:
        return " " * len(chunk)
    return "\n".join(
        " " * (len(line) - 1) + "\r" if line.endswith("\r") else " " * len(line)
        for line in chunk.split("\n")
    )
