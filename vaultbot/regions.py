"""vaultbot-owned text inside notes: the "related" line, block IDs, link's frontmatter key.

Everything ``vaultbot link`` writes is recognisable from the text alone, so a rerun can
update it and ``vaultbot clean`` can remove it byte for byte (issue 6):

* the related line, a sub-bullet under the paper's bullet (or under a report's
  ``**链接**`` line), one per line, always in this exact shape::

      <indent>- related: <link> · <link> · ... %%vaultbot%%

  ``%%vaultbot%%`` is an Obsidian comment, hidden in reading view; a wikilink is
  ``[[Note#^arxiv-2601-10355|Short title]]``, with ``useMarkdownLinks`` a Markdown link
  ``[Short title](Note%20name.md#^arxiv-2601-10355)``;
* block IDs ``^arxiv-2601-10355`` appended (after one space) to the line that carries a
  paper's first mention; the IDs vaultbot added are listed in the note's frontmatter key
  ``vaultbot-block-ids`` so ``clean`` never removes an ID the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from vaultbot.diagnostics import Edit
from vaultbot.model import Note

MARKER = "%%vaultbot%%"
RELATED_PREFIX = "- related: "
SEPARATOR = " · "
BLOCK_IDS_KEY = "vaultbot-block-ids"  # link's own frontmatter key: the block IDs it added
OPT_OUT_KEY = "vaultbot-link"  # `vaultbot-link: false` in a note's frontmatter: link skips it
IGNORE_KEY = "vaultbot-link-ignore"  # list of paper IDs that get no related links
IGNORE_COMMENT = re.compile(r"%%\s*vaultbot-ignore:\s*link\s*%%")  # same, on a paper's line
SHORT_TITLE_MAX = 60
EMPTY_NOTE = "  # vaultbot: this frontmatter was empty"  # see set_recorded_block_ids

RELATED_LINE = re.compile(r"^(?P<indent>[ \t]*)- related: (?P<body>.*) %%vaultbot%%[ \t]*\r?$", re.MULTILINE)
BLOCK_ID_AT_END = re.compile(r"(?:^|[ \t])\^(?P<id>[A-Za-z0-9-]+)[ \t]*$")
LINKED_BLOCK = re.compile(r"#\^(?P<id>[A-Za-z0-9-]+)(?:\||\))")
_KEY_LINE = re.compile(rf"^{re.escape(BLOCK_IDS_KEY)}[ \t]*:.*(?:\r?\n(?:[ \t]+.*|-[ \t].*))*(?:\r?\n)?", re.MULTILINE)
_ALIAS_SWAPS = str.maketrans({"[": "(", "]": ")", "|": "/", "\n": " ", "\r": " ", "\t": " "})
_PATH_SAFE = re.compile(r"[ %()#^\[\]<>|]")


@dataclass(frozen=True, slots=True)
class RelatedLine:
    """One related line found in a note: its 1-based line, offsets of its content, indent."""

    line: int
    start: int
    end: int
    indent: str
    text: str

    @property
    def block_ids(self) -> tuple[str, ...]:
        """Return the block IDs the line links to, in order (what it lists)."""
        return tuple(m.group("id") for m in LINKED_BLOCK.finditer(self.text))


@dataclass(frozen=True, slots=True)
class Target:
    """Where a paper is written: the note's link path and the block ID of its line."""

    link_path: str
    block_id: str
    title: str


# -- rendering --------------------------------------------------------------------------


def short_title(title: str, max_len: int = SHORT_TITLE_MAX) -> str:
    """Return the display text of a related link: the title's part before ``:``.

    Papers are usually named ``Name: what it does``; the name alone keeps the line short.
    A name of under 3 characters keeps the whole title.  Characters that would end a
    wikilink alias or a Markdown link text (``[ ] |``) and ``%%`` (which would end the
    hidden marker) are replaced, never dropped, so the text still reads the same.
    """
    text = " ".join(title.translate(_ALIAS_SWAPS).split()).replace("%%", "%")
    head = re.split(r"[:：]", text, maxsplit=1)[0].strip()
    if len(head) >= 3:
        text = head
    if len(text) > max_len:
        cut = text[: max_len - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut[max_len // 2 :] else cut).rstrip() + "…"
    return text


def render_link(target: Target, markdown: bool) -> str:
    """Return one related link, as a wikilink or (``useMarkdownLinks``) a Markdown link."""
    alias = short_title(target.title)
    if markdown:
        path = _PATH_SAFE.sub(lambda m: f"%{ord(m.group()):02X}", target.link_path + ".md")
        return f"[{alias}]({path}#^{target.block_id})"
    return f"[[{target.link_path}#^{target.block_id}|{alias}]]"


def render_related(indent: str, targets: Sequence[Target], markdown: bool) -> str:
    """Return the full related line (without line ending) for ``targets``, in order."""
    links = SEPARATOR.join(render_link(t, markdown) for t in targets)
    return f"{indent}{RELATED_PREFIX}{links} {MARKER}"


def name_counts(note_paths: Iterable[str]) -> dict[str, int]:
    """Return how many notes share each note name (casefolded), for ``link_path``."""
    counts: dict[str, int] = {}
    for path in note_paths:
        name = path[:-3].rsplit("/", 1)[-1].casefold()
        counts[name] = counts.get(name, 0) + 1
    return counts


def link_path(target_rel: str, names: Mapping[str, int], absolute: bool) -> str:
    """Return how a link names note ``target_rel``: its name, or its path when ambiguous.

    Mirrors Obsidian's ``newLinkFormat``: "shortest" writes the bare note name when no
    other note has that name (case-insensitive, as Obsidian matches), "absolute" always
    writes the vault path.  The ``.md`` suffix is left out (added back for Markdown links).
    """
    stem = target_rel[:-3] if target_rel.lower().endswith(".md") else target_rel
    if absolute:
        return stem
    name = stem.rsplit("/", 1)[-1]
    return name if names.get(name.casefold(), 0) <= 1 else stem


# -- finding ----------------------------------------------------------------------------


def find_related_lines(note: Note) -> list[RelatedLine]:
    """Return every related line of ``note`` (outside frontmatter), in order."""
    if MARKER not in note.text:
        return []
    found = []
    for match in RELATED_LINE.finditer(note.text, note.body_start):
        start = match.start()
        end = start + len(match.group(0).rstrip("\r"))
        line = note.line_of(start)
        found.append(RelatedLine(line, start, end, match.group("indent"), note.text[start:end]))
    return found


def block_id_of(line_text: str) -> str | None:
    """Return the block ID written at the end of a line (``... ^abc-1``), if any."""
    match = BLOCK_ID_AT_END.search(line_text)
    return match.group("id") if match else None


def is_related_line(line_text: str) -> bool:
    """Return True when a line is a vaultbot related line."""
    return MARKER in line_text and RELATED_LINE.fullmatch(line_text) is not None


# -- edits ------------------------------------------------------------------------------


def remove_line(note: Note, line: int) -> Edit:
    """Return the Edit deleting line ``line`` together with the line break before it.

    Deleting the break *before* the line undoes an insertion made at the end of the
    previous line exactly, also on a last line without a trailing newline.
    """
    end = note.line_end(line)
    start = note.line_end(line - 1) if line > 1 else note.line_starts[line - 1]
    if line == 1:
        end = note.line_starts[1] if len(note.line_starts) > 1 else len(note.text)
    return Edit(note.path, start, end, note.text[start:end], "")


def insert_after_line(note: Note, line: int, new_line: str) -> Edit:
    """Return the Edit inserting ``new_line`` as a line of its own after line ``line``."""
    at = note.line_end(line)
    return Edit(note.path, at, at, "", "\n" + new_line)


def append_block_id(note: Note, line: int, block_id: str) -> Edit:
    """Return the Edit appending `` ^block_id`` to line ``line`` (user text stays intact)."""
    at = note.line_end(line)
    return Edit(note.path, at, at, "", f" ^{block_id}")


def strip_block_id(note: Note, line: int, block_id: str) -> Edit | None:
    """Return the Edit removing `` ^block_id`` that vaultbot appended to line ``line``."""
    text = note.line_text(line)
    suffix = f" ^{block_id}"
    if not text.endswith(suffix):
        return None
    end = note.line_end(line)
    return Edit(note.path, end - len(suffix), end, suffix, "")


def find_block_line(note: Note, block_id: str) -> int | None:
    """Return the body line that ends with `` ^block_id``, if any."""
    needle = f" ^{block_id}"
    at = note.text.find(needle, note.body_start)
    while at >= 0:
        line = note.line_of(at)
        if note.line_text(line).endswith(needle):
            return line
        at = note.text.find(needle, at + 1)
    return None


# -- link's frontmatter key --------------------------------------------------------------


def recorded_block_ids(note: Note) -> tuple[str, ...] | None:
    """Return the IDs listed under ``vaultbot-block-ids`` (None when the YAML is broken)."""
    if note.frontmatter is None:
        return ()
    if note.frontmatter.data is None:
        return None
    value = note.frontmatter.data.get(BLOCK_IDS_KEY) or []
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value)


def render_key(ids: Iterable[str]) -> str:
    """Return the frontmatter line recording ``ids`` (plain YAML strings, sorted)."""
    return f"{BLOCK_IDS_KEY}: [{', '.join(sorted(set(ids)))}]"


def set_recorded_block_ids(note: Note, ids: Iterable[str]) -> Edit | None:
    """Return the Edit that makes ``vaultbot-block-ids`` list ``ids`` (None if it does).

    The key is a textual splice: one line appended at the end of the user's YAML, or a
    new frontmatter holding only that line; with no IDs left, the line (or that
    frontmatter) is removed again, so ``clean`` restores the note byte for byte.  In a
    frontmatter the user left empty the line carries ``EMPTY_NOTE`` so that removing it
    keeps the user's empty block.
    """
    ids = sorted(set(ids))
    current = _key_match(note)
    if not ids:
        return _remove_key(note, current) if current else None
    line = render_key(ids)
    if note.frontmatter is None:
        return Edit(note.path, 0, 0, "", f"---\n{line}\n---\n")
    if current is None:
        at = _closing_fence_start(note)
        empty = not note.text[note.frontmatter.body_span.start : at].strip()
        return Edit(note.path, at, at, "", line + (EMPTY_NOTE if empty else "") + "\n")
    old = current.group(0)
    new = line + (EMPTY_NOTE if EMPTY_NOTE in old else "") + ("\n" if old.endswith("\n") else "")
    if old.replace("\r\n", "\n") == new:
        return None
    return Edit(note.path, current.start(), current.end(), old, new)


def _key_match(note: Note) -> re.Match[str] | None:
    fm = note.frontmatter
    if fm is None:
        return None
    return _KEY_LINE.search(note.text, fm.body_span.start, _closing_fence_start(note))


def _remove_key(note: Note, match: re.Match[str]) -> Edit:
    """Remove the key line; remove the whole frontmatter when link alone created it."""
    fm = note.frontmatter
    assert fm is not None
    start, end = match.start(), match.end()
    alone = start == fm.body_span.start and end == _closing_fence_start(note)
    if alone and fm.span.start == 0 and EMPTY_NOTE not in match.group(0):
        start, end = 0, _after_closing_fence(note)
    return Edit(note.path, start, end, note.text[start:end], "")


def _closing_fence_start(note: Note) -> int:
    """Return the offset where the closing ``---`` line of the frontmatter starts."""
    fm = note.frontmatter
    assert fm is not None
    close_line = note.line_of(max(fm.span.end - 1, 0))
    if note.line_text(close_line).strip() == "":
        close_line -= 1
    return note.line_starts[close_line - 1]


def _after_closing_fence(note: Note) -> int:
    """Return the offset just after the closing fence line and its line break."""
    fm = note.frontmatter
    assert fm is not None
    close_line = note.line_of(_closing_fence_start(note))
    return note.line_starts[close_line] if close_line < len(note.line_starts) else len(note.text)


def iter_lines(note: Note, first: int, last: int) -> Iterator[tuple[int, str]]:
    """Yield ``(line, text)`` for lines ``first..last`` (1-based, inclusive)."""
    for line in range(first, last + 1):
        yield line, note.line_text(line)
