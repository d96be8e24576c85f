"""Find links in a note's *masked* text (code and comments blanked): part of the parser.

Kinds (issue 4): markdown links and images ``[t](dest "title")`` with ``<…>``
destinations, nested brackets in the text and balanced parentheses in the destination;
wikilinks and embeds ``[[a#h|alias]]``, ``![[x.png|300]]``; autolinks ``<https://…>``;
and bare URLs ended by GitHub's autolink rules plus CJK punctuation.  Not supported
(rare in notes): reference-style links ``[t][ref]`` and ``www.`` URLs without a scheme.

Candidates are found with ``str.find`` on ``[``, ``<`` and ``http`` rather than one
alternation regex: Python's regex engine cannot skip ahead on an alternation, and the
difference is ~10x on 8 KB notes (bench/bench_parser.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import pairwise
from typing import TYPE_CHECKING
from urllib.parse import unquote

from vaultbot.model import Link, Span

if TYPE_CHECKING:
    from vaultbot.parser import _Scan

_WIKILINK = re.compile(r"\[\[([^\[\]\r\n]+?)\]\]")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*)>")
_BRACKET = re.compile(r"\\.|[\[\]]|\n[ \t]*\r?\n", re.DOTALL)
_ANGLE_DEST = re.compile(r"<((?:[^<>\\\r\n]|\\.)*)>")
_RAW_DEST = re.compile(r"(?:[^\s()\\\x00-\x1f]|\\[^\s]|\((?:[^\s()\\]|\\[^\s])*\))*")
_TITLE = re.compile(
    r"""[ \t]*\r?\n?[ \t]*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\))"""
)
_CLOSE = re.compile(r"[ \t]*\r?\n?[ \t]*\)")
_SPACE = re.compile(r"[ \t]*\r?\n?[ \t]*")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# The common markdown link in one match: plain text, then ``(dest)`` with no spaces,
# parentheses, escapes or ``<``; anything else takes the careful path (``_matching_bracket``
# and ``_destination``), which finds the same link for these (tests/test_mdlinks.py).
_SIMPLE_MARKDOWN = re.compile(r"\[([^\[\]\\\n]{0,3998})\]\((?!<)([^\s()\\\x00-\x1f]*)\)")
# A bare URL runs over non-space characters and stops at '<' and at CJK punctuation,
# full-width forms and CJK script: notes glue URLs to Chinese text ("链接：https://...").
URL_STOP = (
    r"\s<\x00-\x1f\u2010-\u2027\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_URL_BODY = re.compile(rf"https?://[^{URL_STOP}]+")
_TRAILING = "?!.,:*_~'\""
_MAX_LINK_TEXT = 4000
_NONE = 1 << 62  # "no such candidate left": larger than any offset
_NONE_MOD = _NONE + 1  # find()'s -1 % _NONE_MOD is _NONE; any offset stays itself
_new = tuple.__new__  # builds a Link without its Python-level __new__ (~32 links a note)
_URL_END_KEEP = frozenset(_TRAILING + ")]")
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def find_links(scan: _Scan, masked: str, start: int) -> tuple[Link, ...]:
    """Return the links of ``masked[start:]`` in text order."""
    found: list[Link] = []
    _scan(scan, masked, start, len(masked), found, images_only=False)
    if any(a.span.start > b.span.start for a, b in pairwise(found)):
        found.sort(key=lambda link: link.span.start)  # images inside link text come late
    return tuple(found)


def bare_url_end(text: str, start: int) -> int | None:
    """Return where a bare URL starting at ``start`` ends, by GitHub's autolink rules.

    Trailing ``?!.,:*_~'"`` are not part of it, nor is an unbalanced closing ``)`` (or
    ``]``); it also stops at whitespace, ``<``, dashes and curly quotes, CJK punctuation,
    full-width forms and CJK script.
    """
    match = _URL_BODY.match(text, start)
    if match is None:
        return None
    url = match.group()
    while url[-1] in _URL_END_KEEP:  # the common case skips the loop: no trailing mark
        if url[-1] in _TRAILING or url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        elif url[-1] == "]" and url.count("]") > url.count("["):
            url = url[:-1]  # not GitHub's rule: "[see https://x.org]" is common in notes
        else:
            break
        if not url:
            return None
    host_at = url.index("//") + 2
    if host_at >= len(url) or url[host_at] in "./":
        return None
    return start + len(url)


def _scan(
    scan: _Scan, masked: str, pos: int, stop: int, out: list[Link], images_only: bool
) -> None:
    """Append the links between ``pos`` and ``stop``; inside link text, images only.

    ``_NONE`` stands for a candidate kind with no occurrence left, so the nearest one is a
    plain ``min`` (no per-candidate helper call: ~20 candidates a note).
    """
    find = masked.find
    bracket = find("[", pos, stop)
    angle = -1 if images_only else find("<", pos, stop)
    http = -1 if images_only else find("http", pos, stop)
    bracket, angle, http = (_NONE if at < 0 else at for at in (bracket, angle, http))
    while True:
        at = min(bracket, angle, http)
        if at == _NONE:
            return
        if at == bracket:
            link, end = _bracketed(scan, masked, at, stop, out, images_only)
        else:
            link, end = _autolink(scan, masked, at) if at == angle else _bare(scan, masked, at)
            if link is not None:
                out.append(link)
        pos = end if link is not None else at + 1
        if bracket < pos:
            bracket = find("[", pos, stop) % _NONE_MOD
        if angle < pos:
            angle = find("<", pos, stop) % _NONE_MOD
        if http < pos:
            http = find("http", pos, stop) % _NONE_MOD


def _bracketed(
    scan: _Scan, masked: str, at: int, stop: int, out: list[Link], images_only: bool
) -> tuple[Link | None, int]:
    if at and masked[at - 1] == "\\":
        return None, at + 1
    embed = at > 0 and masked[at - 1] == "!"
    if images_only and not embed:
        return None, at + 1
    start = at - 1 if embed else at
    link, end = _wikilink(scan, masked, start, at) if masked.startswith("[[", at) else (None, 0)
    if link is None:  # "[[a] b](c)" is a markdown link whose text starts with a bracket
        link, end = _markdown(scan, masked, start, at, stop)
    if link is not None:
        out.append(link)
        if link.kind == "markdown" and not embed and link.text and "![" in link.text:
            _scan(scan, masked, at + 1, at + 1 + len(link.text), out, images_only=True)
    return link, end


def _wikilink(scan: _Scan, masked: str, start: int, at: int) -> tuple[Link | None, int]:
    match = _WIKILINK.match(masked, at)
    if match is None:
        return None, at + 1
    inner = scan.text[match.start(1) : match.end(1)]
    target, bar, alias = inner.partition("|")
    target = target.removesuffix("\\")  # "[[a\|b]]" inside a table
    path, hashmark, sub = target.partition("#")
    link = _new(
        Link,
        (
            "wikilink",
            start != at,
            target,
            path.strip(),
            hashmark + sub if hashmark else None,  # subpath
            alias if bar else None,  # text
            None,  # title
            scan.span(start, match.end()),
            scan.span(match.start(1), match.start(1) + len(target)),  # target_span
        ),
    )
    return link, match.end()


def _markdown(scan: _Scan, masked: str, start: int, at: int, stop: int) -> tuple[Link | None, int]:
    simple = _SIMPLE_MARKDOWN.match(masked, at)
    if simple is not None and simple.end(1) < stop:  # one line: both spans share it
        close_at, (dest_start, dest_end), title, end = simple.end(1), simple.span(2), None, simple.end()
        starts = scan.line_starts
        line = bisect_right(starts, start)
        column = start - starts[line - 1] + 1
        span = _new(Span, (start, end, line, column))
        target_span = _new(Span, (dest_start, dest_end, line, column + dest_start - start))
    else:
        close_at = _matching_bracket(masked, at, stop)
        if close_at is None or not masked.startswith("(", close_at + 1):
            return None, at + 1
        dest = _destination(masked, close_at + 2)
        if dest is None:
            return None, at + 1
        dest_start, dest_end, title, end = dest
        span, target_span = scan.span(start, end), scan.span(dest_start, dest_end)
    target = scan.text[dest_start:dest_end]
    path, hashmark, sub = (_ESCAPE.sub(r"\1", target) if "\\" in target else target).partition("#")
    link = _new(
        Link,
        (
            "markdown",
            start != at,  # embed
            target,
            _percent_decoded(path) if "%" in path else path,
            "#" + unquote(sub) if hashmark else None,  # subpath
            scan.text[at + 1 : close_at],  # text
            title,
            span,
            target_span,
        ),
    )
    return link, end


def _percent_decoded(path: str) -> str:
    """Return ``unquote(path)``; Obsidian's own ``%20`` alone is decoded without it (~10x faster)."""
    if path.count("%") == path.count("%20"):
        return path.replace("%20", " ")
    return unquote(path)


def _matching_bracket(masked: str, open_at: int, stop: int) -> int | None:
    """Return the offset of the ``]`` closing ``[`` at ``open_at`` (nested brackets count).

    Link text is searched at most ``_MAX_LINK_TEXT`` characters far, which keeps a huge
    paragraph full of stray brackets linear.
    """
    stop = min(stop, open_at + _MAX_LINK_TEXT)
    close = masked.find("]", open_at, stop)
    if close < 0:
        return None
    if (
        masked.find("[", open_at + 1, close) < 0
        and "\\" not in masked[open_at:close]
        and "\n" not in masked[open_at:close]
    ):
        return close  # the common case: no nesting, escapes or line breaks
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
    """Parse ``dest "title")`` at ``pos``: return the dest span, the title and the end."""
    pos = _SPACE.match(masked, pos).end()  # type: ignore[union-attr]
    angle = _ANGLE_DEST.match(masked, pos)
    if angle is not None:
        dest_start, dest_end = angle.start(1), angle.end(1)
    else:
        raw = _RAW_DEST.match(masked, pos)
        dest_start = dest_end = pos
        if raw is not None:
            dest_end = raw.end()
    pos = angle.end() if angle is not None else dest_end
    title = None
    if pos > dest_start or angle is not None:
        title_match = _TITLE.match(masked, pos)
        if title_match is not None:
            title, pos = title_match.group(1)[1:-1], title_match.end()
    close = _CLOSE.match(masked, pos)
    if close is None:
        return None
    return dest_start, dest_end, title, close.end()


def _autolink(scan: _Scan, masked: str, at: int) -> tuple[Link | None, int]:
    match = _AUTOLINK.match(masked, at)
    if match is None:
        return None, at + 1
    return _plain_link(scan, "autolink", match.start(1), match.end(1), match.end()), match.end()


def _bare(scan: _Scan, masked: str, at: int) -> tuple[Link | None, int]:
    if at and masked[at - 1] in _ASCII_WORD:
        return None, at + 1
    end = bare_url_end(masked, at)
    if end is None:
        return None, at + 1
    return _plain_link(scan, "bare", at, end, end), end


def _plain_link(scan: _Scan, kind: str, start: int, end: int, span_end: int) -> Link:
    target = scan.text[start:end]
    path, hashmark, sub = target.partition("#") if "#" in target else (target, "", "")
    starts = scan.line_starts  # scan.span, inlined: ~20 bare URLs a note
    line = bisect_right(starts, start)
    column = start - starts[line - 1] + 1
    target_span = _new(Span, (start, end, line, column))
    span = target_span if kind == "bare" else _new(Span, (start - 1, span_end, line, column - 1))
    subpath = hashmark + sub if hashmark else None
    return _new(Link, (kind, False, target, path, subpath, None, None, span, target_span))  # type: ignore[no-any-return]
