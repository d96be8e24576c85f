"""Parse one note's text into the immutable ``Note`` model, in one pass and without I/O.

The scanner is a small set of line-oriented regexes, not a CommonMark parser: a full
Markdown parse (markdown-it-py) costs ~65x the time of reading the files, this ~3x, and
vaultbot needs positions of a few constructs, not HTML.  The steps:

1. frontmatter: a ``---`` line at line 1 up to the next ``---`` line (python-frontmatter's
   rule), YAML loaded with python-frontmatter's loader; broken YAML is kept as an error.
2. regions in which nothing is a link: frontmatter, fenced code (``` or ~~~, any length;
   the closing fence uses the same character and is at least as long; unclosed runs to
   the end), inline code (equal backtick runs inside one paragraph), Obsidian ``%%``
   comments and HTML comments (unclosed ones run to the end, as Obsidian renders them).
   They are scanned left to right, so whichever opens first wins.
3. every other regex runs on a *masked* copy of the text in which the regions are
   blanked out (newlines kept), so offsets stay valid and code never yields a link.
4. list items get parents and subtree ends from one pass over the lines (a tab counts 4
   columns; a non-blank line indented no deeper than an item closes it).
5. sections (day headings, report paper sections) come from the headings; paper mentions
   and their commentary from links, text and frontmatter (``vaultbot.mentions``).

Conventions: ``ListItem.span`` and ``Heading.span`` run from the marker to the end of the
line's content; ``subtree_end`` is the end of the content of the item's last non-blank
line; ``Link.subpath`` keeps its ``#``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any, Iterator
from urllib.parse import unquote

from vaultbot.model import (
    Frontmatter,
    Heading,
    Link,
    ListItem,
    Note,
    PaperMention,
    Region,
    Section,
    Span,
)
from vaultbot.mentions import collect
from vaultbot.writer import detect_newline

_OPENER = re.compile(r"^[ \t]*(?P<fence>`{3,}(?=[^`\r\n]*\r?$)|~{3,})|(?P<tick>`+)|(?P<pct>%%)|(?P<html><!--)", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\r?(?:\n|$)")
_NOT_NEWLINE = re.compile(r"[^\r\n]")
_FM_FENCE = re.compile(r"^-{3,}[ \t]*\r?$", re.M)
_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})(?=[ \t]|\r?$)[ \t]*(.*?)(?:[ \t]+#+)?[ \t]*\r?$", re.M)
_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+|(?=\r?$))", re.M)
_THEMATIC = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*\r?")
_BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*\r?$", re.M)
_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})")
_REPORT_DATE = re.compile(r"^\*\*Date\*\*[ \t]*[:：][ \t]*(\d{4}-\d{2}-\d{2})", re.M)
_REPORT_TITLE = "Hugging Face Daily Papers Report"
_PAPER_ICON = "📄"

_LINK_START = re.compile(
    r"(?<!\\)(?P<wiki>!?\[\[)|(?<!\\)(?P<md>!?\[)|<(?P<auto>[A-Za-z][A-Za-z0-9+.\-]{1,31}:)"
    r"|(?<![A-Za-z0-9])(?P<bare>https?://)"
)
_WIKILINK = re.compile(r"!?\[\[([^\[\]\r\n]+?)\]\]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*)>")
_BRACKET = re.compile(r"\\.|[\[\]]|\n[ \t]*\r?\n", re.S)
_ANGLE_DEST = re.compile(r"<((?:[^<>\\\r\n]|\\.)*)>")
_TITLE = re.compile(r"""[ \t]*\r?\n?[ \t]*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))""")
_CLOSE = re.compile(r"[ \t]*\r?\n?[ \t]*\)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# A bare URL runs over non-space characters and stops at '<' and at CJK punctuation,
# full-width forms and CJK script: notes glue URLs to Chinese text ("链接：https://...").
_URL_BODY = re.compile(
    r"https?://[^\s<\u2018-\u201f\u2026\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)
_TRAILING = "?!.,:*_~'\""


def parse(path: str, text: str, *, bom: bool = False) -> Note:
    """Return the ``Note`` for ``text`` (decoded, without BOM, original line endings)."""
    scan = _Scan(text)
    frontmatter = scan.frontmatter()
    regions = scan.regions(frontmatter)
    masked = _mask(text, regions)
    headings = scan.headings(masked)
    items = scan.list_items(masked, regions)
    links = scan.links(masked, frontmatter.span.end if frontmatter else 0)
    kind, report_date = _kind(masked, headings)
    sections = scan.sections(headings, kind)
    mentions = scan.mentions(masked, frontmatter, links, items, sections)
    return Note(
        path=path,
        text=text,
        bom=bom,
        newline=detect_newline(text),
        line_starts=scan.line_starts,
        frontmatter=frontmatter,
        headings=headings,
        list_items=items,
        regions=regions,
        links=links,
        mentions=mentions,
        sections=sections,
        block_ids=scan.block_ids(masked),
        kind=kind,
        report_date=report_date,
        directives=scan.directives(regions),
    )


class _Scan:
    """Per-note scanning state: the text, its lines and offset -> position lookup."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.line_starts = tuple(accumulate((len(line) + 1 for line in self.lines[:-1]), initial=0))

    def span(self, start: int, end: int) -> Span:
        """Return the Span of ``[start, end)`` with its 1-based line and column."""
        line = bisect_right(self.line_starts, start)
        return Span(start, end, line, start - self.line_starts[line - 1] + 1)

    def line_end(self, line: int) -> int:
        """Return the offset after line ``line``'s content (1-based), before ``\\r\\n``."""
        content = self.lines[line - 1]
        return self.line_starts[line - 1] + len(content) - content.endswith("\r")

    # -- frontmatter ------------------------------------------------------------------

    def frontmatter(self) -> Frontmatter | None:
        """Return the frontmatter block, with parsed data or the YAML error and its line."""
        text = self.text
        first = _FM_FENCE.match(text)
        if first is None:
            return None
        body_start = first.end() + 1
        close = _FM_FENCE.search(text, body_start) if body_start <= len(text) else None
        if close is None:
            return None
        data, error, error_line = _load_yaml(text[body_start : close.start()])
        return Frontmatter(
            span=self.span(0, close.end() - text[close.start() : close.end()].endswith("\r")),
            body_span=self.span(body_start, close.start()),
            data=data,
            error=error,
            error_line=None if error_line is None else error_line + 2,
        )

    # -- regions ----------------------------------------------------------------------

    def regions(self, frontmatter: Frontmatter | None) -> tuple[Region, ...]:
        """Return code, comment and frontmatter regions in text order."""
        found = [Region("frontmatter", frontmatter.span)] if frontmatter else []
        text, pos = self.text, frontmatter.span.end if frontmatter else 0
        while (match := _OPENER.search(text, pos)) is not None:
            region = self._region_at(match)
            if region is None:
                pos = match.end()
                continue
            found.append(region)
            pos = max(region.span.end, match.end())
        return tuple(found)

    def _region_at(self, match: re.Match[str]) -> Region | None:
        text = self.text
        if match.group("fence"):
            return Region("code_fence", self.span(match.start("fence"), self._fence_end(match)))
        if match.group("tick"):
            end = _code_span_end(text, match.end(), len(match.group("tick")))
            return None if end is None else Region("code_inline", self.span(match.start(), end))
        if match.group("pct"):
            close = text.find("%%", match.end())
            end = len(text) if close < 0 else close + 2
            return Region("comment_obsidian", self.span(match.start(), end))
        close = text.find("-->", match.end())
        end = len(text) if close < 0 else close + 3
        return Region("comment_html", self.span(match.start(), end))

    def _fence_end(self, match: re.Match[str]) -> int:
        fence = match.group("fence")
        char, size = fence[0], len(fence)
        closing = re.compile(rf"^[ \t]*{re.escape(char)}{{{size},}}[ \t]*\r?$", re.M)
        line_end = self.text.find("\n", match.end())
        if line_end < 0:
            return len(self.text)
        close = closing.search(self.text, line_end + 1)
        if close is None:
            return len(self.text)
        return close.end() - self.text[close.start() : close.end()].endswith("\r")

    # -- headings and list items ------------------------------------------------------

    def headings(self, masked: str) -> tuple[Heading, ...]:
        """Return the ATX headings outside code, comments and frontmatter."""
        return tuple(
            Heading(len(m.group(1)), self.text[m.start(2) : m.end(2)].strip(), self.span(m.start(1), self._content_end(m)))
            for m in _HEADING.finditer(masked)
        )

    def _content_end(self, match: re.Match[str]) -> int:
        return match.end() - (self.text[match.end() - 1 : match.end()] == "\r")

    def list_items(self, masked: str, regions: tuple[Region, ...]) -> tuple[ListItem, ...]:
        """Return list items with parent index and subtree end, from one pass over lines."""
        markers = {}
        for m in _ITEM.finditer(masked):
            if _THEMATIC.fullmatch(self.lines[bisect_right(self.line_starts, m.start()) - 1]):
                continue
            markers[bisect_right(self.line_starts, m.start())] = m
        if not markers:
            return ()
        inside = self._interior_lines(regions)
        return tuple(self._build_items(markers, inside))

    def _build_items(self, markers: dict[int, re.Match[str]], inside: set[int]) -> list[ListItem]:
        items: list[Any] = []  # [indent, marker, start, content_start, line, subtree_end, parent]
        stack: list[int] = []
        last_end = 0
        for number in range(min(markers), len(self.lines) + 1):
            line = self.lines[number - 1]
            if number in inside or not line.strip():
                if number in inside:
                    last_end = self.line_end(number)
                continue
            indent = _indent(line)
            while stack and items[stack[-1]][0] >= indent:
                items[stack.pop()][5] = last_end
            match = markers.get(number)
            if match is not None:
                parent = stack[-1] if stack else None
                stack.append(len(items))
                items.append([indent, match.group(2), match.start(2), match.end(), number, 0, parent])
            last_end = self.line_end(number)
        for index in stack:
            items[index][5] = last_end
        return [
            ListItem(indent, marker, self.span(start, self.line_end(number)), content, end, parent)
            for indent, marker, start, content, number, end, parent in items
        ]

    def _interior_lines(self, regions: tuple[Region, ...]) -> set[int]:
        """Return the lines that start inside a multi-line region (they never close a list)."""
        inside: set[int] = set()
        for region in regions:
            if region.kind != "frontmatter":
                last = bisect_right(self.line_starts, max(region.span.end - 1, region.span.start))
                inside.update(range(region.span.line + 1, last + 1))
        return inside

    # -- links ------------------------------------------------------------------------

    def links(self, masked: str, body_start: int) -> tuple[Link, ...]:
        """Return markdown links/images, wikilinks/embeds, autolinks and bare URLs."""
        return tuple(sorted(self._scan_links(masked, body_start, len(masked), False), key=_link_key))

    def _scan_links(self, masked: str, pos: int, stop: int, images_only: bool) -> Iterator[Link]:
        while (match := _LINK_START.search(masked, pos, stop)) is not None:
            kind = match.lastgroup
            if images_only and not (kind == "md" and match.group("md") == "!["):
                pos = match.end()
                continue
            if kind == "wiki":
                link, pos = self._wikilink(masked, match.start())
            elif kind == "md":
                link, pos = self._markdown(masked, match.start(), stop)
                if link is not None and link.text:
                    text_start = match.end()
                    yield from self._scan_links(masked, text_start, text_start + len(link.text), True)
            elif kind == "auto":
                link, pos = self._autolink(masked, match.start())
            else:
                link, pos = self._bare(masked, match.start())
            if link is not None:
                yield link
            else:
                pos = match.start() + 1

    def _wikilink(self, masked: str, start: int) -> tuple[Link | None, int]:
        match = _WIKILINK.match(masked, start)
        if match is None:
            return None, start + 1
        inner = self.text[match.start(1) : match.end(1)]
        target, bar, alias = inner.partition("|")
        target = target.removesuffix("\\")  # "[[a\|b]]" inside a table
        path, hashmark, sub = target.partition("#")
        return Link(
            kind="wikilink",
            embed=masked[start] == "!",
            target=target,
            path=path.strip(),
            subpath=hashmark + sub if hashmark else None,
            text=alias if bar else None,
            title=None,
            span=self.span(start, match.end()),
            target_span=self.span(match.start(1), match.start(1) + len(target)),
        ), match.end()

    def _markdown(self, masked: str, start: int, stop: int) -> tuple[Link | None, int]:
        open_at = start + (masked[start] == "!")
        close_at = _matching_bracket(masked, open_at, stop)
        if close_at is None or masked[close_at + 1 : close_at + 2] != "(":
            return None, start + 1
        dest = _destination(masked, close_at + 2)
        if dest is None:
            return None, start + 1
        dest_start, dest_end, title, end = dest
        target = self.text[dest_start:dest_end]
        path, hashmark, sub = _ESCAPE.sub(r"\1", target).partition("#")
        return Link(
            kind="markdown",
            embed=open_at != start,
            target=target,
            path=unquote(path),
            subpath="#" + unquote(sub) if hashmark else None,
            text=self.text[open_at + 1 : close_at],
            title=title,
            span=self.span(start, end),
            target_span=self.span(dest_start, dest_end),
        ), end

    def _autolink(self, masked: str, start: int) -> tuple[Link | None, int]:
        match = _AUTOLINK.match(masked, start)
        if match is None:
            return None, start + 1
        return _plain_link(self, "autolink", match.start(1), match.end(1), match.end()), match.end()

    def _bare(self, masked: str, start: int) -> tuple[Link | None, int]:
        end = bare_url_end(masked, start)
        if end is None:
            return None, start + 1
        return _plain_link(self, "bare", start, end, end), end

    # -- sections, mentions, block IDs, directives ------------------------------------

    def sections(self, headings: tuple[Heading, ...], kind: str) -> tuple[Section, ...]:
        """Return day sections (dated notes) or paper sections (``## 📄 Title``)."""
        found: list[tuple[str, Heading, int | None, int | None, str]] = []
        for heading in headings:
            if heading.level != 2:
                continue
            if heading.text.startswith(_PAPER_ICON):
                title = heading.text[len(_PAPER_ICON) :].lstrip("\ufe0f").strip()
                found.append(("paper", heading, None, None, title))
            elif kind != "report" and (day := _DAY.fullmatch(heading.text)):
                found.append(("day", heading, int(day.group(1)), int(day.group(2)), heading.text))
        sections = []
        for index, (section_kind, heading, month, day_of, title) in enumerate(found):
            later = [h for k, h, *_ in found[index + 1 :] if k == section_kind]
            end = later[0].span.start if later else len(self.text)
            span = self.span(heading.span.start, end)
            sections.append(Section(section_kind, title, heading, span, month, day_of))  # type: ignore[arg-type]
        return tuple(sections)

    def block_ids(self, masked: str) -> tuple[tuple[int, str], ...]:
        """Return ``(line, id)`` for every Obsidian block ID ``^id`` ending a line."""
        return tuple(
            (bisect_right(self.line_starts, m.start(1)), m.group(1)) for m in _BLOCK_ID.finditer(masked)
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

    def mentions(
        self,
        masked: str,
        frontmatter: Frontmatter | None,
        links: tuple[Link, ...],
        items: tuple[ListItem, ...],
        sections: tuple[Section, ...],
    ) -> tuple[PaperMention, ...]:
        """Return every paper mention: frontmatter URLs/IDs, body links, ``arXiv:ID`` text."""
        return tuple(collect(self, masked, frontmatter, links, items, sections))


def bare_url_end(text: str, start: int) -> int | None:
    """Return where a bare URL starting at ``start`` ends, by GitHub's autolink rules.

    Trailing ``?!.,:*_~'"`` are not part of it, nor is an unbalanced closing ``)``; it
    also stops at whitespace, ``<``, CJK punctuation, full-width forms and CJK script.
    """
    match = _URL_BODY.match(text, start)
    if match is None:
        return None
    url = match.group()
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    if len(url) <= url.index("//") + 2:
        return None
    return start + len(url)


def _plain_link(scan: _Scan, kind: str, start: int, end: int, span_end: int) -> Link:
    target = scan.text[start:end]
    span_start = start - 1 if kind == "autolink" else start
    return Link(
        kind=kind,  # type: ignore[arg-type]
        embed=False,
        target=target,
        path=target.split("#", 1)[0],
        subpath="#" + target.split("#", 1)[1] if "#" in target else None,
        text=None,
        title=None,
        span=scan.span(span_start, span_end),
        target_span=scan.span(start, end),
    )


def _link_key(link: Link) -> int:
    return link.span.start


def _matching_bracket(masked: str, open_at: int, stop: int) -> int | None:
    """Return the offset of the ``]`` closing ``[`` at ``open_at`` (nested brackets count)."""
    depth = 0
    for match in _BRACKET.finditer(masked, open_at, stop):
        token = match.group()
        if token == "[":
            depth += 1
        elif token == "]":
            depth -= 1
            if depth == 0:
                return match.start()
        elif token[0] == "\n":
            return None  # a blank line ends the paragraph
    return None


def _destination(masked: str, pos: int) -> tuple[int, int, str | None, int] | None:
    """Parse ``dest "title")`` at ``pos``: return dest span, title and the end offset."""
    while masked[pos : pos + 1] in (" ", "\t"):
        pos += 1
    angle = _ANGLE_DEST.match(masked, pos)
    if angle is not None:
        dest_start, dest_end, pos = angle.start(1), angle.end(1), angle.end()
    else:
        dest_start = pos
        depth = 0
        while pos < len(masked):
            char = masked[pos]
            if char == "\\" and pos + 1 < len(masked) and masked[pos + 1] not in "\r\n":
                pos += 2
                continue
            if char.isspace() or ord(char) < 0x20:
                break
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            pos += 1
        if depth:
            return None
        dest_end = pos
    title = None
    title_match = _TITLE.match(masked, pos)
    if title_match is not None and (pos > dest_start or angle is not None):
        title, pos = title_match.group(1)[1:-1], title_match.end()
    close = _CLOSE.match(masked, pos)
    if close is None:
        return None
    return dest_start, dest_end, title, close.end()


def _code_span_end(text: str, pos: int, size: int) -> int | None:
    """Return the end of an inline code span whose opening run of ``size`` ends at ``pos``."""
    blank = _BLANK_LINE.search(text, pos)
    limit = blank.start() if blank else len(text)
    closer = _closing_ticks(size).search(text, pos, limit)
    return None if closer is None else closer.end()


_TICK_CACHE: dict[int, re.Pattern[str]] = {}


def _closing_ticks(size: int) -> re.Pattern[str]:
    pattern = _TICK_CACHE.get(size)
    if pattern is None:
        pattern = _TICK_CACHE[size] = re.compile(rf"(?<!`)`{{{size}}}(?!`)")
    return pattern


def _mask(text: str, regions: tuple[Region, ...]) -> str:
    """Return ``text`` with every region blanked to spaces (line endings kept)."""
    if not regions:
        return text
    pieces, cursor = [], 0
    for region in regions:
        pieces.append(text[cursor : region.span.start])
        pieces.append(_NOT_NEWLINE.sub(" ", text[region.span.start : region.span.end]))
        cursor = region.span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _indent(line: str) -> int:
    stripped = line.lstrip(" \t")
    prefix = line[: len(line) - len(stripped)]
    return len(prefix.expandtabs(4)) if "\t" in prefix else len(prefix)


def _kind(masked: str, headings: tuple[Heading, ...]) -> tuple[str, str | None]:
    date = _REPORT_DATE.search(masked)
    titled = any(h.level == 1 and h.text.startswith(_REPORT_TITLE) for h in headings)
    if date or titled:
        return "report", date.group(1) if date else None
    if any(h.level == 2 and _DAY.fullmatch(h.text) for h in headings):
        return "dated", None
    return "plain", None


def _load_yaml(block: str) -> tuple[dict[str, Any] | None, str | None, int | None]:
    """Load a frontmatter block as python-frontmatter does; return data or error and line."""
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    try:
        data = YAMLHandler().load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        message = f"{context}: {problem}" if context else str(problem)
        return None, message, mark.line if mark is not None else 0
    if data is None:
        return {}, None, None
    if not isinstance(data, dict):
        return None, f"frontmatter is a {type(data).__name__}, not a mapping of keys", 0
    return data, None, None
