"""The note parser on real seed notes (tests/data/notes) and on tables of real seed lines."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from vaultbot.model import Link, Note
from vaultbot.parser import bare_url_end, parse
from vaultbot.writer import decode

NOTES = Path(__file__).parent / "data" / "notes"
SEED_FILES = sorted([*NOTES.glob("dated-*.md"), *NOTES.glob("report-*.md")])  # the five seed notes

# Lines copied from the seed notes.
BARE_LINE = "- mHC https://arxiv.org/abs/2512.24880"
MD_LINE = "- [JavisGPT](https://www.arxiv.org/abs/2512.22905) "
IMAGE_LINE = "![](asset/Pasted%20image%2020260104183643.png)"
SUB_LINE = "\t- DeepSeek的论文，对于残差流进行了修改，将恒定为1的残差流转换成一个可学习的目标，并且将其进行Manifold-Constrained防止残差流变得过大"
GLUED_LINE = "*   **代码开源**：代码已在 GitHub 开源（https://github.com/kaist-dmlab/Hybridiff）。"
URL_AS_TEXT_LINE = (
    "*   **代码资源**：代码已开源，地址为 [https://github.com/Emilianopp/Privileged-Information-Distillation]"
    "(https://github.com/Emilianopp/Privileged-Information-Distillation)。"
)
INLINE_CODE_LINE = "（如 `<|latent_start|>`），从而进入不同的推理模式。"
CODE_BLOCK = "```python\n(0.1 + 1e20) - 1e20\n>>> 0\n0.1 + (1e20 - 1e20)\n>>> 0.1\n```"


def read(name: str) -> str:
    return (NOTES / name).read_text(encoding="utf-8")


def covered(note: Note, link: Link) -> str:
    return note.text[link.span.start : link.span.end]


def targets(note: Note) -> list[str]:
    return [link.target for link in note.links]


# -- whole seed notes ------------------------------------------------------------------

PAPER_URL = re.compile(
    r"https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/\d{4}\.\d{4,5}"
)


def expected_counts(text: str) -> tuple[int, int, str]:
    """Count paper URLs and section headings grep-style, independently of the parser."""
    in_code = False
    urls = 0
    for line in text.split("\n"):
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code:
            urls += len(PAPER_URL.findall(line))
    papers = len(re.findall(r"^## 📄 ", text, re.MULTILINE))
    days = len(re.findall(r"^## \d{1,2}\.\d{1,2}[ \t]*$", text, re.MULTILINE))
    kind = (
        "report"
        if text.startswith("# Hugging Face Daily Papers Report")
        else "dated"
        if days
        else "plain"
    )
    return urls, papers + days, kind


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_note_mentions_and_sections_match_an_independent_count(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    note = parse(path.name, text)
    urls, sections, kind = expected_counts(text)
    assert (len(note.mentions), len(note.sections), note.kind) == (urls, sections, kind)
    assert urls > 0 and sections > 0


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_every_span_points_at_its_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    note = parse(path.name, text)
    spans = [link.span for link in note.links] + [h.span for h in note.headings]
    spans += [m.span for m in note.mentions] + [r.span for r in note.regions]
    for span in spans:
        line, column = note.position(span.start)
        assert (span.line, span.column) == (line, column)
    for mention in note.mentions:
        assert mention.url in text[mention.span.start : mention.span.end]


def test_dated_note_days_and_bullets() -> None:
    note = parse("dated-2025-12.md", read("dated-2025-12.md"))
    days = [(s.title, s.month, s.day, s.span.line) for s in note.sections[:3]]
    assert days == [("12.3", 12, 3, 1), ("12.8", 12, 8, 10), ("12.10", 12, 10, 21)]
    assert note.sections[0].span.end == note.sections[1].span.start
    first = note.mentions[0]
    assert (first.paper_id, first.bare, first.anchor_line, first.section) == (
        "2512.03036",
        True,
        3,
        0,
    )
    assert (
        first.commentary
        == "VisAudio：基于视频的双耳音频生成，同时还做了一个数据集，包含了上千个视频+音频的数据集"
    )
    second = note.mentions[1]
    assert (
        second.commentary.splitlines()[0]
        == "DeepSeek V3.2：主要介绍了其中的稀疏注意力机制，以及一些在RL中的稳定性机制"
    )
    assert len(second.commentary.splitlines()) == 3
    assert note.list_items[second.list_item].span.line == 5  # type: ignore[index]


def test_dated_note_code_blocks_hide_their_lines() -> None:
    note = parse("dated-2026-01.md", read("dated-2026-01.md"))
    fences = [r for r in note.regions if r.kind == "code_fence"]
    assert [(r.span.line, r.span.column) for r in fences] == [(171, 1), (186, 1)]
    assert note.text[fences[0].span.start : fences[0].span.end] == CODE_BLOCK
    heading_lines = {h.span.line for h in note.headings}
    assert not heading_lines & set(range(171, 177))


def test_report_sections_run_to_the_next_paper_heading() -> None:
    note = parse("report-2025-12-25.md", read("report-2025-12-25.md"))
    assert (note.kind, note.report_date) == ("report", "2025-12-25")
    first = note.sections[0]
    assert (first.kind, first.title) == (
        "paper",
        "Multi-hop Reasoning via Early Knowledge Alignment",
    )
    inner = [h.text for h in note.headings if first.span.start < h.span.start < first.span.end]
    assert inner[:2] == [
        "论文阅读报告：Multi-hop Reasoning via Early Knowledge Alignment",
        "1. 应用领域",
    ]
    assert first.span.end == note.sections[1].heading.span.start
    mention = note.mentions[0]
    assert (mention.paper_id, mention.host, mention.bare) == ("2512.20144", "hf", True)
    assert (mention.anchor_line, mention.section, mention.stated_title) == (9, 0, first.title)
    assert "早期知识对齐（EKA）" in mention.commentary
    assert "**链接**" not in mention.commentary and "📄" not in mention.commentary
    assert not note.sections[0].heading.text.startswith("1.")
    assert all(s.kind == "paper" for s in note.sections)


def test_report_with_level3_numbered_headings_has_no_day_sections() -> None:
    note = parse("report-2026-02-27.md", read("report-2026-02-27.md"))
    assert {s.kind for s in note.sections} == {"paper"}
    assert any(h.text == "1. 应用领域" and h.level == 3 for h in note.headings)
    links = [link for link in note.links if "Hybridiff" in link.target]
    assert [covered(note, link) for link in links] == ["https://github.com/kaist-dmlab/Hybridiff"]


# -- positions, line endings, BOM ------------------------------------------------------


def test_positions_are_one_based_lines_and_character_columns() -> None:
    note = parse("n.md", "## 1.2\n\n" + BARE_LINE + "\n" + SUB_LINE + "\n")
    mention = note.mentions[0]
    assert (mention.span.line, mention.span.column) == (3, 7)
    assert note.text[mention.span.start : mention.span.end] == "https://arxiv.org/abs/2512.24880"
    assert note.line_text(3) == BARE_LINE


def test_crlf_note_parses_like_lf() -> None:
    lf = read("dated-2026-01.md")
    crlf = lf.replace("\n", "\r\n")
    a, b = parse("a.md", lf), parse("b.md", crlf)
    assert b.newline == "\r\n" and a.newline == "\n"
    assert [(h.text, h.span.line, h.span.column) for h in a.headings] == [
        (h.text, h.span.line, h.span.column) for h in b.headings
    ]
    assert [(m.paper_id, m.span.line, m.span.column, m.commentary) for m in a.mentions] == [
        (m.paper_id, m.span.line, m.span.column, m.commentary) for m in b.mentions
    ]
    assert [(r.kind, r.span.line) for r in a.regions] == [(r.kind, r.span.line) for r in b.regions]
    assert [(i.span.line, i.parent) for i in a.list_items] == [
        (i.span.line, i.parent) for i in b.list_items
    ]
    for heading in b.headings:
        assert "\r" not in crlf[heading.span.start : heading.span.end]
    for item in b.list_items:
        assert crlf[item.subtree_end - 1] != "\r"


def test_bom_is_recorded_not_parsed() -> None:
    raw = ("\ufeff---\ntitle: x\n---\n" + BARE_LINE + "\n").encode("utf-8")
    text, bom = decode(raw)
    note = parse("n.md", text, bom=bom)
    assert note.bom is True
    assert note.frontmatter is not None and note.frontmatter.data == {"title": "x"}
    assert note.mentions[0].span.line == 4


# -- frontmatter -----------------------------------------------------------------------

FRONTMATTER_CASES = [
    ("---\ntitle: 论文\ntags: [a, b]\n---\nbody\n", {"title": "论文", "tags": ["a", "b"]}, None),
    ("---\n---\nbody\n", {}, None),
    ("---\ntitle: ok\ntags: [a, b\n---\nbody\n", None, 4),
    ("---\ntitle: ok\nbad: : x\n---\n", None, 3),
    ("---\r\ntitle: ok\r\nbad: : x\r\n---\r\n", None, 3),
    ("---\n- a\n- b\n---\n", None, 2),
    ("---\ntitle: ok\ndate: 2026-13-45\n---\n", None, 3),
    ("---\ntitle: ok\nsources: [a, {b: 2026-02-30}]\n---\n", None, 3),
    ("---\na: {b: [x, 2026-02-30]}\nc: 2026-13-01\n---\n", None, 2),
]


@pytest.mark.parametrize(("text", "data", "error_line"), FRONTMATTER_CASES)
def test_frontmatter_data_or_error_line(text: str, data: object, error_line: int | None) -> None:
    frontmatter = parse("n.md", text).frontmatter
    assert frontmatter is not None
    assert (frontmatter.data, frontmatter.error_line) == (data, error_line)
    assert (frontmatter.error is None) == (error_line is None)
    assert text[frontmatter.span.end - 3 : frontmatter.span.end] == "---"


def test_frontmatter_needs_a_closing_fence_at_line_one() -> None:
    assert parse("n.md", "---\ntitle: x\n").frontmatter is None
    assert parse("n.md", "\n---\ntitle: x\n---\n").frontmatter is None


def test_frontmatter_sources_are_mentions_but_not_links() -> None:
    text = (
        "---\ntitle: reading\nsources:\n  - https://arxiv.org/abs/2512.24880\n"
        '  - "https://huggingface.co/papers/2602.05258"\nnote: see arXiv:2512.22905\n---\n'
        "## 1.2\n\n" + MD_LINE + "\n"
    )
    note = parse("n.md", text)
    front = [(m.paper_id, m.source, m.span.line, m.bare) for m in note.mentions if m.in_frontmatter]
    assert front == [
        ("2512.24880", "url", 4, False),
        ("2602.05258", "url", 5, False),
        ("2512.22905", "text", 6, False),
    ]
    assert targets(note) == ["https://www.arxiv.org/abs/2512.22905"]
    assert note.headings[0].text == "1.2" and note.kind == "dated"


# -- regions: nothing inside code or comments counts -----------------------------------

HIDDEN = [
    ("fence backticks", "```\n" + BARE_LINE + "\n```\n", "code_fence"),
    ("fence tildes", "~~~md\n" + MD_LINE + "\n~~~\n", "code_fence"),
    (
        "long fence holds a short one",
        "````md\n```\n" + BARE_LINE + "\n```\n" + IMAGE_LINE + "\n````\n",
        "code_fence",
    ),
    ("tilde does not close backticks", "```\n~~~\n" + BARE_LINE + "\n```\n", "code_fence"),
    (
        "indented fence in a list",
        "- Attention\n\t```python\n\t" + BARE_LINE + "\n\t```\n",
        "code_fence",
    ),
    ("inline code", "看 `https://arxiv.org/abs/2512.24880` 这里", "code_inline"),
    ("double backtick code", "`` a ` https://arxiv.org/abs/2512.24880 ``", "code_inline"),
    ("obsidian comment", "%% " + BARE_LINE + " %%", "comment_obsidian"),
    (
        "multi-line obsidian comment",
        "%%\n" + BARE_LINE + "\n\n" + IMAGE_LINE + "\n%%\n",
        "comment_obsidian",
    ),
    ("html comment", "<!--\n" + MD_LINE + "\n[[note]]\n-->", "comment_html"),
]


@pytest.mark.parametrize(
    ("text", "kind"), [(t, k) for _, t, k in HIDDEN], ids=[n for n, _, _ in HIDDEN]
)
def test_nothing_inside_code_or_comments_is_a_link(text: str, kind: str) -> None:
    note = parse("n.md", text + "\n" + BARE_LINE + "\n")
    assert kind in {r.kind for r in note.regions}
    last_line = len(text.split("\n")) + 1
    assert [(m.paper_id, m.span.line) for m in note.mentions] == [("2512.24880", last_line)]
    assert [link.span.line for link in note.links] == [last_line]


def test_unclosed_regions_run_to_the_end() -> None:
    for text in (
        "```python\n" + BARE_LINE + "\n",
        "text %%\n" + BARE_LINE + "\n",
        "<!-- x\n" + BARE_LINE,
    ):
        note = parse("n.md", text)
        assert note.regions[-1].span.end == len(text) and note.links == () and note.mentions == ()


def test_lone_backtick_is_literal_and_a_link_after_it_counts() -> None:
    note = parse("n.md", "a ` tick\n\n" + BARE_LINE + " and `code`\n")
    assert [r.kind for r in note.regions] == ["code_inline"]
    assert note.mentions[0].paper_id == "2512.24880"


def test_inline_code_in_seed_line_masks_angle_brackets() -> None:
    note = parse("n.md", INLINE_CODE_LINE)
    assert [(r.kind, r.span.column) for r in note.regions] == [("code_inline", 4)]
    assert note.links == ()


def test_headings_and_list_items_are_not_found_in_code() -> None:
    note = parse(
        "n.md", "```\n## 1.2\n- [x](https://arxiv.org/abs/2512.24880)\n```\n## 1.3\n- item\n"
    )
    assert [h.text for h in note.headings] == ["1.3"]
    assert [i.span.line for i in note.list_items] == [6]


@pytest.mark.parametrize(
    ("text", "directive"),
    [
        ("%% vaultbot-ignore: missing-asset %%", "vaultbot-ignore: missing-asset"),
        ("x <!-- vaultbot-ignore-file --> y", "vaultbot-ignore-file"),
        ("- related: [[a]] %%vaultbot%%", "vaultbot"),
    ],
)
def test_directives_are_vaultbot_comments(text: str, directive: str) -> None:
    note = parse("n.md", "line one\n" + text + "\n%% a user comment %%\n")
    assert note.directives == ((2, directive),)


# -- headings, list items, block IDs ---------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level", "text"),
    [
        ("## 1.14", 2, "1.14"),
        (
            "## 📄 CoPE: Clipped RoPE as A Scalable Free Lunch for Long Context LLMs",
            2,
            "📄 CoPE: Clipped RoPE as A Scalable Free Lunch for Long Context LLMs",
        ),
        ("### 1. **应用领域**", 3, "1. **应用领域**"),
        (
            "# 论文阅读报告：Multi-hop Reasoning via Early Knowledge Alignment",
            1,
            "论文阅读报告：Multi-hop Reasoning via Early Knowledge Alignment",
        ),
        ("## closing hashes ##", 2, "closing hashes"),
        ("## C#", 2, "C#"),
        ("#", 1, ""),
        ("  ## indented up to three spaces", 2, "indented up to three spaces"),
    ],
)
def test_atx_headings(line: str, level: int, text: str) -> None:
    note = parse("n.md", line + "\n")
    assert [(h.level, h.text, h.span.line, h.span.column) for h in note.headings] == [
        (level, text, 1, line.index("#") + 1)
    ]


@pytest.mark.parametrize("line", ["#tag at line start", "####### seven", "    # indented code"])
def test_not_headings(line: str) -> None:
    assert parse("n.md", line + "\n").headings == ()


def test_tab_indented_hash_is_never_a_heading_whatever_else_the_note_holds() -> None:
    """A tab is 4 columns (CommonMark): ``\t# x`` is indented code, alone or not."""
    alone = parse("n.md", "text\n\n\t# not a heading\n")
    beside = parse("n.md", "   # three spaces\n\n\t# not a heading\n\t\t# nor this\n")
    assert alone.headings == ()
    assert [h.text for h in beside.headings] == ["three spaces"]


@pytest.mark.parametrize(
    ("heading", "day"),
    [
        ("## 1.14", (1, 14)),
        ("## 12.3", (12, 3)),
        ("## 1. 应用领域", None),
        ("### 1. 应用领域", None),
        ("### 1.2", None),
    ],
)
def test_day_headings(heading: str, day: tuple[int, int] | None) -> None:
    note = parse("n.md", heading + "\n\n" + BARE_LINE + "\n")
    found = [(s.month, s.day) for s in note.sections if s.kind == "day"]
    assert found == ([day] if day else [])
    assert note.kind == ("dated" if day else "plain")


def test_list_items_parents_indents_and_subtrees() -> None:
    text = (
        "- KV-cache\n"
        "\t- [MTLA](https://arxiv.org/pdf/2505.13544) Multi-head temporal latent attention\n"
        "\t\t- VAE的特性：只关注重建\n"
        "    - 这种方案不是Training-Free的\n"
        "\n"
        "+ plus\n"
        "* star\n"
        "1. **应用领域**：NLP\n"
        "2) second\n"
        "* * *\n"
        "**链接** is bold, not an item\n"
    )
    note = parse("n.md", text)
    got = [(i.marker, i.indent, i.parent, i.span.line) for i in note.list_items]
    assert got == [
        ("-", 0, None, 1),
        ("-", 4, 0, 2),
        ("-", 8, 1, 3),
        ("-", 4, 0, 4),
        ("+", 0, None, 6),
        ("*", 0, None, 7),
        ("1.", 0, None, 8),
        ("2)", 0, None, 9),
    ]
    top = note.list_items[0]
    assert text[top.subtree_end - len("Training-Free的") : top.subtree_end] == "Training-Free的"
    assert note.list_items[2].subtree_end == note.line_end(3)
    assert text[note.list_items[1].content_start :].startswith("[MTLA]")


@pytest.mark.parametrize(
    "line",
    [
        "-  https://dagroup-pku.github.io/ReVidgen.github.io/",  # seed 000: two spaces
        "- [Loza](https://arxiv.org/pdf/2512.23966v1)",
        "*   **代码开源**：代码已在 GitHub 开源",  # reports: three spaces
        "1.  **预检索**：在模型开始",
        "-\tVisAudio：基于视频的双耳音频生成",
        "-",
        "- ",
    ],
)
def test_list_item_content_starts_after_marker_and_spacing(line: str) -> None:
    for newline in ("\n", "\r\n"):
        text = "前文\n\n" + line + newline
        item = parse("n.md", text).list_items[0]
        after = line[len(line.split()[0]) :]
        expected = text.index(line) + len(line) - len(after.lstrip(" \t"))
        assert item.content_start == expected


def test_fence_at_column_zero_ends_a_list_but_an_indented_one_does_not() -> None:
    text = (
        "- Attention\n\t- [Gated Attention](https://arxiv.org/pdf/2505.06708)\n\n"
        + CODE_BLOCK
        + "\n"
    )
    note = parse("n.md", text)
    assert note.list_items[0].subtree_end == note.line_end(2)
    nested = "- Attention\n\t```python\nx = 1\n\t```\n- next\n"
    note = parse("n.md", nested)
    assert note.list_items[0].subtree_end == note.line_end(4)


def test_block_ids() -> None:
    text = "- [Inference Physics](https://arxiv.org/pdf/2601.10553) ^arxiv-2601-10553\n^standalone\nnot^this\n`code ^x`\n"
    assert parse("n.md", text).block_ids == ((1, "arxiv-2601-10553"), (2, "standalone"))


# -- links -----------------------------------------------------------------------------

LINKS = [
    # (markdown, kind, embed, target, path, subpath, text, title, covered text)
    (
        MD_LINE,
        "markdown",
        False,
        "https://www.arxiv.org/abs/2512.22905",
        "https://www.arxiv.org/abs/2512.22905",
        None,
        "JavisGPT",
        None,
        "[JavisGPT](https://www.arxiv.org/abs/2512.22905)",
    ),
    (
        IMAGE_LINE,
        "markdown",
        True,
        "asset/Pasted%20image%2020260104183643.png",
        "asset/Pasted image 20260104183643.png",
        None,
        "",
        None,
        IMAGE_LINE,
    ),
    (
        '![图 1](<asset/Pasted image 1.png> "标题")',
        "markdown",
        True,
        "asset/Pasted image 1.png",
        "asset/Pasted image 1.png",
        None,
        "图 1",
        "标题",
        '![图 1](<asset/Pasted image 1.png> "标题")',
    ),
    (
        "[a [nested] text](note.md#Some%20Heading)",
        "markdown",
        False,
        "note.md#Some%20Heading",
        "note.md",
        "#Some Heading",
        "a [nested] text",
        None,
        "[a [nested] text](note.md#Some%20Heading)",
    ),
    (
        "[wiki](https://en.wikipedia.org/wiki/Foo_(bar))。",
        "markdown",
        False,
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        None,
        "wiki",
        None,
        "[wiki](https://en.wikipedia.org/wiki/Foo_(bar))",
    ),
    (
        "[t](a%23b.md 'single')",
        "markdown",
        False,
        "a%23b.md",
        "a#b.md",
        None,
        "t",
        "single",
        "[t](a%23b.md 'single')",
    ),
    (
        "[[Recursive Language Model#方法|RLM]]",
        "wikilink",
        False,
        "Recursive Language Model#方法",
        "Recursive Language Model",
        "#方法",
        "RLM",
        None,
        "[[Recursive Language Model#方法|RLM]]",
    ),
    (
        "![[Pasted image 20260104183643.png|300]]",
        "wikilink",
        True,
        "Pasted image 20260104183643.png",
        "Pasted image 20260104183643.png",
        None,
        "300",
        None,
        "![[Pasted image 20260104183643.png|300]]",
    ),
    (
        "<https://arxiv.org/abs/2512.24880>",
        "autolink",
        False,
        "https://arxiv.org/abs/2512.24880",
        "https://arxiv.org/abs/2512.24880",
        None,
        None,
        None,
        "<https://arxiv.org/abs/2512.24880>",
    ),
    (
        BARE_LINE,
        "bare",
        False,
        "https://arxiv.org/abs/2512.24880",
        "https://arxiv.org/abs/2512.24880",
        None,
        None,
        None,
        "https://arxiv.org/abs/2512.24880",
    ),
    (
        GLUED_LINE,
        "bare",
        False,
        "https://github.com/kaist-dmlab/Hybridiff",
        "https://github.com/kaist-dmlab/Hybridiff",
        None,
        None,
        None,
        "https://github.com/kaist-dmlab/Hybridiff",
    ),
]


@pytest.mark.parametrize(
    ("line", "kind", "embed", "target", "path", "subpath", "text", "title", "whole"), LINKS
)
def test_links(
    line: str,
    kind: str,
    embed: bool,
    target: str,
    path: str,
    subpath: str | None,
    text: str | None,
    title: str | None,
    whole: str,
) -> None:
    note = parse("n.md", "前文\n" + line + "\n")
    assert len(note.links) == 1
    link = note.links[0]
    assert (link.kind, link.embed, link.target, link.path, link.subpath, link.text, link.title) == (
        kind,
        embed,
        target,
        path,
        subpath,
        text,
        title,
    )
    assert covered(note, link) == whole
    assert note.text[link.target_span.start : link.target_span.end] == target
    assert (link.span.line, link.span.column) == (2, line.index(whole[0]) + 1)


def test_link_text_may_start_with_a_bracket() -> None:
    note = parse("n.md", "[[v2] Recursive Language Model](https://arxiv.org/pdf/2512.24601v1)")
    assert [(link.kind, link.text) for link in note.links] == [
        ("markdown", "[v2] Recursive Language Model")
    ]


def test_url_in_link_text_is_not_another_link() -> None:
    note = parse("n.md", URL_AS_TEXT_LINE)
    assert [(link.kind, link.text) for link in note.links] == [
        ("markdown", "https://github.com/Emilianopp/Privileged-Information-Distillation")
    ]


def test_image_inside_link_text_is_an_embed_too() -> None:
    note = parse("n.md", "[![badge](asset/b.png)](https://arxiv.org/abs/2512.24880)")
    assert [(link.kind, link.embed, link.target) for link in note.links] == [
        ("markdown", False, "https://arxiv.org/abs/2512.24880"),
        ("markdown", True, "asset/b.png"),
    ]
    assert [m.link for m in note.mentions] == [0]


@pytest.mark.parametrize(
    "text",
    [
        "[text] (https://x.org)",
        "\\[x](https://x.org/a b)",
        "[open(https://x.org",
        "- [ ] task",
        "[a\n\nb](c.md)",
    ],
)
def test_not_markdown_links(text: str) -> None:
    assert [link.kind for link in parse("n.md", text).links if link.kind == "markdown"] == []


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("链接：https://arxiv.org/abs/2512.1", "https://arxiv.org/abs/2512.1"),
        ("see https://arxiv.org/abs/2512.24880.", "https://arxiv.org/abs/2512.24880"),
        ("(https://arxiv.org/abs/2512.24880)", "https://arxiv.org/abs/2512.24880"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)!", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("https://arxiv.org/abs/2512.24880，很好", "https://arxiv.org/abs/2512.24880"),
        ("https://arxiv.org/abs/2512.24880。", "https://arxiv.org/abs/2512.24880"),
        ("【https://arxiv.org/abs/2512.24880】", "https://arxiv.org/abs/2512.24880"),
        ("「https://arxiv.org/abs/2512.24880」", "https://arxiv.org/abs/2512.24880"),
        ("https://arxiv.org/abs/2512.24880？", "https://arxiv.org/abs/2512.24880"),
        ("https://arxiv.org/abs/2512.24880这篇论文", "https://arxiv.org/abs/2512.24880"),
        ("'https://arxiv.org/abs/2512.24880'", "https://arxiv.org/abs/2512.24880"),
        ("https://x.org/a?b=1&c=2#frag,", "https://x.org/a?b=1&c=2#frag"),
        ("https://x.org/a_b_", "https://x.org/a_b"),
        ("https://x.org/<tag>", "https://x.org/"),
        ("[see https://arxiv.org/abs/2512.24880]", "https://arxiv.org/abs/2512.24880"),
        ("见https://arxiv.org/abs/2512.24880——很好", "https://arxiv.org/abs/2512.24880"),
        ("“https://arxiv.org/abs/2512.24880”", "https://arxiv.org/abs/2512.24880"),
        ("**https://arxiv.org/abs/2512.24880**", "https://arxiv.org/abs/2512.24880"),
    ],
)
def test_bare_url_ends(text: str, url: str) -> None:
    start = text.index("http")
    assert text[start : bare_url_end(text, start)] == url
    note = parse("n.md", text)
    assert [covered(note, link) for link in note.links] == [url]


def test_bare_url_needs_a_host() -> None:
    assert parse("n.md", "https://.").links == () and parse("n.md", "xhttps://x.org").links == ()


# -- paper mentions --------------------------------------------------------------------


def test_mention_kinds_from_seed_lines() -> None:
    lines = [
        BARE_LINE,
        MD_LINE,
        IMAGE_LINE,
        "<https://arxiv.org/abs/2512.24873>",
        "文中 arXiv:2512.24601v1 提到",
        "DOI 10.48550/arXiv.2601.10355",
        "",
    ]
    text = "\n".join(lines)
    note = parse("n.md", text)
    got = [(m.paper_id, m.version, m.source, m.host, m.bare, m.link) for m in note.mentions]
    assert got == [
        ("2512.24880", "", "url", "arxiv", True, 0),
        ("2512.22905", "", "url", "arxiv", False, 1),
        ("2512.24873", "", "url", "arxiv", True, 3),
        ("2512.24601", "v1", "text", "text", False, None),
        ("2601.10355", "", "doi", "doi", False, None),
    ]


def test_doi_url_is_one_mention_not_two() -> None:
    note = parse(
        "n.md",
        "- https://doi.org/10.48550/arXiv.2512.24880\n- [arXiv:2512.22905](https://arxiv.org/abs/2512.22905)\n",
    )
    assert [(m.paper_id, m.host, m.source) for m in note.mentions] == [
        ("2512.24880", "doi", "url"),
        ("2512.22905", "arxiv", "url"),
    ]


def test_commentary_skips_vaultbot_lines_and_rest_of_line_outside_lists() -> None:
    text = (
        BARE_LINE + "\n" + SUB_LINE + "\n\t- related: [[Other]] %%vaultbot%%\n\n"
        "链接：https://arxiv.org/abs/2512.22905 好文章\n"
    )
    note = parse("n.md", text)
    first, second = note.mentions
    assert first.commentary == SUB_LINE.strip()[2:]
    assert (first.anchor_line, first.list_item) == (1, 0)
    assert (second.commentary, second.anchor_line, second.list_item) == ("链接： 好文章", 5, None)


def test_mention_in_a_sub_bullet_anchors_on_that_bullet() -> None:
    text = "- Attention\n\t- [Gated Attention](https://arxiv.org/pdf/2505.06708) Qwen的工作\n\t- 核心操作在于在Attention计算之后\n"
    note = parse("n.md", text)
    mention = note.mentions[0]
    assert (mention.anchor_line, mention.list_item, mention.commentary) == (2, 1, "")


def test_arxiv_text_in_a_non_paper_links_text_is_a_mention() -> None:
    text = "- [arXiv:2512.24880](https://www.alphaxiv.org/overview/2512.24880)\n- [arXiv:2512.22905](https://arxiv.org/abs/2512.22905)\n"
    note = parse("n.md", text)
    assert [(m.paper_id, m.source, m.link) for m in note.mentions] == [
        ("2512.24880", "text", None),
        ("2512.22905", "url", 1),
    ]


def test_frontmatter_flow_list_of_urls() -> None:
    text = (
        '---\nsources: ["https://arxiv.org/abs/2512.24880", https://hf.co/papers/2602.05258]\n---\n'
    )
    note = parse("n.md", text)
    line = text.split("\n")[1]
    urls = ["https://arxiv.org/abs/2512.24880", "https://hf.co/papers/2602.05258"]
    assert [(m.url, m.span.line, m.span.column) for m in note.mentions] == [
        (url, 2, line.index(url) + 1) for url in urls
    ]
    assert all(m.in_frontmatter and not m.bare for m in note.mentions)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a ` b `` c ` d", ["` b `` c `"]),
        ("x `` y ` z `` w", ["`` y ` z ``"]),
        ("` a\n\n` b `", ["` b `"]),
        ("` a\n\n`` b ` c ``", ["`` b ` c ``"]),
        ("`a\nb` c", ["`a\nb`"]),
        ("```not a fence` here `x`", ["` here `"]),
    ],
)
def test_inline_code_pairs_equal_runs_within_a_paragraph(text: str, code: list[str]) -> None:
    note = parse("n.md", text)
    assert [
        text[r.span.start : r.span.end] for r in note.regions if r.kind == "code_inline"
    ] == code


# -- the syntax tour: one real-lines fixture holding every construct -------------------


def tour_lines() -> list[str]:
    return read("syntax-tour.md").split("\n")


def line_of(needle: str) -> int:
    """Return the 1-based line of the fixture holding ``needle`` (so no magic numbers)."""
    return next(n for n, line in enumerate(tour_lines(), 1) if needle in line)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_syntax_tour(newline: str) -> None:
    text = read("syntax-tour.md").replace("\n", newline)
    note = parse("syntax-tour.md", text)
    assert note.newline == newline and note.kind == "dated"
    assert note.frontmatter is not None and note.frontmatter.data["title"] == "阅读笔记 2026-01"  # type: ignore[index]
    kinds = [(r.kind, r.span.line) for r in note.regions]
    assert kinds == [
        ("frontmatter", 1),
        ("comment_obsidian", line_of("vaultbot-ignore")),
        ("comment_obsidian", line_of("%%vaultbot%%")),
        ("code_fence", line_of("```python")),
        ("code_fence", line_of("~~~~md")),
        ("code_inline", line_of("latent_start")),
        ("comment_html", line_of("<!--")),
    ]
    mentions = [
        (m.paper_id, m.source, m.bare, m.in_frontmatter, m.anchor_line) for m in note.mentions
    ]
    assert mentions == [
        ("2512.24880", "url", False, True, line_of("  - https://arxiv.org/abs/2512.24880")),
        ("2602.05258", "url", False, True, line_of("huggingface.co/papers/2602.05258")),
        ("2512.24880", "url", True, False, line_of("- mHC")),
        ("2512.22905", "url", False, False, line_of("JavisGPT")),
        ("2512.24873", "url", True, False, line_of("<https://arxiv.org/pdf/2512.24873>")),
        ("2601.08521", "text", False, False, line_of("arXiv:2601.08521")),
        ("2601.10079", "doi", False, False, line_of("arXiv:2601.08521")),
    ]
    kinds_of_links = [(link.kind, link.embed, link.span.line) for link in note.links]
    assert kinds_of_links == [
        ("bare", False, line_of("- mHC")),
        ("wikilink", False, line_of("related:")),
        ("markdown", False, line_of("JavisGPT")),
        ("markdown", True, line_of("Pasted%20image")),
        ("autolink", False, line_of("<https://arxiv.org/pdf/2512.24873>")),
        ("bare", False, line_of("Hybridiff")),
        ("bare", False, line_of("链接：")),
        ("wikilink", True, line_of("![[Pasted")),
        ("wikilink", False, line_of("![[Pasted")),
    ]
    assert note.block_ids == ((line_of("^arxiv-2512-22905"), "arxiv-2512-22905"),)
    assert note.directives == (
        (line_of("vaultbot-ignore"), "vaultbot-ignore: missing-asset"),
        (line_of("%%vaultbot%%"), "vaultbot"),
    )
    assert [(s.title, s.span.line) for s in note.sections] == [
        ("1.2", line_of("## 1.2")),
        ("1.4", line_of("## 1.4")),
    ]
    bullet = note.mentions[2]
    assert bullet.commentary.startswith("DeepSeek的论文") and "related" not in bullet.commentary


def test_code_and_comment_marks_only_in_frontmatter_do_not_open_regions() -> None:
    text = '---\ntitle: "a `b` %% c <!-- d ~~~"\n---\n' + BARE_LINE + "\n"
    note = parse("n.md", text)
    assert [r.kind for r in note.regions] == ["frontmatter"]
    assert [m.span.line for m in note.mentions] == [4]


# -- robustness: any text parses, and every position is consistent ---------------------

PIECES = [
    *("`", "```", "~~~", "%%", "<!--", "-->", "[", "]", "(", ")", "![", "[[", "]]", "<", ">"),
    *("http://", "https://arxiv.org/abs/2512.24880", "arXiv:2301.10000", "\n", "\r\n", "\n\n"),
    *(" ", "\t", "- ", "* ", "1. ", "# ", "## 1.2", "## 📄 T", "---", '"', "'", "|", "#", "^ab"),
    *("，", "。", "链接：", "a", "\\", "**链接**: ", "**Date**: 2026-01-01", "\x00"),
]


@pytest.mark.parametrize("seed", range(4))
def test_random_markdown_soup_parses_with_consistent_spans(seed: int) -> None:
    import random

    rng = random.Random(seed)
    for _ in range(250):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 60)))
        note = parse("soup.md", text)
        spans = [r.span for r in note.regions] + [h.span for h in note.headings]
        spans += [link.span for link in note.links] + [link.target_span for link in note.links]
        spans += [m.span for m in note.mentions] + [s.span for s in note.sections]
        spans += [item.span for item in note.list_items]
        for span in spans:
            assert 0 <= span.start <= span.end <= len(text), (text, span)
            assert (span.line, span.column) == note.position(span.start), (text, span)
        for item in note.list_items:
            assert item.span.start < item.content_start <= item.span.end <= item.subtree_end


# -- the model's deferred parts (issue 4 "speed": lint skips the list pass) ------------


def places(note: Note) -> list[tuple[object, ...]]:
    return [
        (m.list_item, m.section, m.anchor_line, m.stated_title, m.commentary) for m in note.mentions
    ]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_deferred_parts_agree_whichever_is_asked_first(path: Path) -> None:
    text = read(path.name)
    items_first, places_first = parse(path.name, text), parse(path.name, text)
    items = items_first.list_items
    assert places(places_first) == places(items_first)
    assert places_first.list_items == items
    assert places_first == items_first and places_first.mentions == items_first.mentions


def test_mention_commentary_without_the_list_pass_matches_seed() -> None:
    note = parse("dated-2025-12.md", read("dated-2025-12.md"))
    second = note.mentions[1]  # its commentary is asked before anything else
    assert second.commentary.splitlines()[0] == (
        "DeepSeek V3.2：主要介绍了其中的稀疏注意力机制，以及一些在RL中的稳定性机制"
    )
    assert note.list_items[second.list_item].span.line == second.anchor_line == 5  # type: ignore[index]


def test_note_is_immutable_and_survives_pickling() -> None:
    import pickle

    note = parse("dated-2025-12.md", read("dated-2025-12.md"))
    with pytest.raises(AttributeError):
        note.path = "other.md"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        note.list_items = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del note.text
    copy = pickle.loads(pickle.dumps(note))
    assert copy == note and places(copy) == places(note)


TRICKY_LIST = """## 1.2

- https://arxiv.org/abs/2512.24880
\t- sub https://arxiv.org/abs/2512.24880
  continuation https://arxiv.org/abs/2512.22905
<!-- a comment
https://arxiv.org/abs/2512.22905 -->  https://arxiv.org/abs/2512.03036
- - -
1. https://arxiv.org/abs/2512.03036
   ```
   code
   ```
   after the fence https://arxiv.org/abs/2512.03036
not indented https://arxiv.org/abs/2512.24880
    * deep https://arxiv.org/abs/2512.24880

  * shallower https://arxiv.org/abs/2512.22905
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [(p.name, read(p.name)) for p in SEED_FILES] + [("tricky.md", TRICKY_LIST)],
    ids=lambda v: v if len(v) < 40 else "",
)
def test_anchor_asked_first_matches_the_list_pass(name: str, text: str) -> None:
    walked = [m.anchor_line for m in parse(name, text).mentions]  # without the list pass
    full = parse(name, text)
    assert [(m.list_item, m.anchor_line)[1] for m in full.mentions] == walked


@pytest.mark.parametrize(
    ("destination", "path"),
    [
        ("asset/Pasted%20image%2020260104183643.png", "asset/Pasted image 20260104183643.png"),
        ("asset/a%20b%2520c.png", "asset/a b%20c.png"),  # %25 is '%': not a %20 fast path
        ("asset/%E5%9B%BE%201.png", "asset/图 1.png"),
        ("asset/50%25%20off.png", "asset/50% off.png"),
        ("asset/bad%zz.png", "asset/bad%zz.png"),
    ],
)
def test_markdown_destination_is_percent_decoded_like_unquote(destination: str, path: str) -> None:
    note = parse("n.md", f"![]({destination})\n")
    assert [link.path for link in note.links] == [path]


def test_frontmatter_mention_has_no_commentary() -> None:
    text = "---\nsources:\n  - https://arxiv.org/abs/2512.24880 extra words\n---\n- https://arxiv.org/abs/2512.22905\n\t- 评论\n"
    found = [(m.in_frontmatter, m.commentary, m.anchor_line) for m in parse("n.md", text).mentions]
    assert found == [(True, "", 3), (False, "评论", 5)]


# -- kind and day numbers without the heading pass (issue 4 "speed") --------------------

DAY_TEXT = re.compile(r"(\d{1,2})\.(\d{1,2})")
HEADING_SOUP = [
    "#", "##", "###", " ", "  ", "   ", "    ", "\t", "\u3000", "\r", "1", "12", "3.4", ".", "7",
    "📄", "Hugging Face Daily Papers Report", " ##", "#", "x", "```", "%%", "\\", "١٢",
    "## 1.2", "## 3.4 ##", "## 12.31\t", "# Hugging Face Daily Papers Report",
]


def kind_and_days_from_headings(note: Note) -> tuple[str, tuple[tuple[int, int], ...]]:
    """What the heading pass says: a report by its title, else dated by its day headings."""
    titled = any(h.level == 1 and h.text.startswith("Hugging Face Daily Papers Report") for h in note.headings)
    days = tuple(
        (int(m.group(1)), int(m.group(2)))
        for h in note.headings
        if h.level == 2 and (m := DAY_TEXT.fullmatch(h.text))
    )
    if titled:
        return "report", ()
    return ("dated" if days else "plain"), days


def test_kind_and_days_agree_with_the_heading_pass_on_seeds() -> None:
    for path in SEED_FILES:
        note = parse(path.name, read(path.name))
        assert note.days == tuple((s.month, s.day) for s in note.sections if s.kind == "day")
        if note.report_date is None:
            assert (note.kind, note.days) == kind_and_days_from_headings(note)


@pytest.mark.parametrize("seed", range(4))
def test_kind_and_days_agree_with_the_heading_pass_on_soup(seed: int) -> None:
    rng = random.Random(seed)
    found = set()
    for _ in range(1500):
        lines = ["".join(rng.choice(HEADING_SOUP) for _ in range(rng.randint(0, 7))) for _ in range(rng.randint(1, 6))]
        note = parse("n.md", rng.choice(["\n", "\r\n"]).join(lines))
        assert (note.kind, note.days) == kind_and_days_from_headings(note), lines
        assert note.days == tuple((s.month, s.day) for s in note.sections if s.kind == "day")
        found.add(note.kind)
    assert found == {"report", "dated", "plain"}
