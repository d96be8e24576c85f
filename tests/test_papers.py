"""Paper-ID extraction and validation, from URLs and text users really paste."""

from __future__ import annotations

import re

import pytest

from vaultbot import papers
from vaultbot.papers import PaperRef, block_id_for, find_text_ids, is_valid_id, paper_from_url

# (url, paper_id, version, host).  The first rows are copied from the seed notes
# (tests/data/notes), the rest are the other forms issue 4 names.
PAPER_URLS = [
    ("https://arxiv.org/abs/2512.24880", "2512.24880", "", "arxiv"),
    ("https://www.arxiv.org/abs/2512.22905", "2512.22905", "", "arxiv"),
    ("https://arxiv.org/pdf/2512.24873", "2512.24873", "", "arxiv"),
    ("https://arxiv.org/pdf/2512.24601v1", "2512.24601", "v1", "arxiv"),
    ("https://huggingface.co/papers/2602.05258", "2602.05258", "", "hf"),
    ("https://arxiv.org/pdf/2512.24601v1.pdf", "2512.24601", "v1", "arxiv"),
    ("https://arxiv.org/pdf/2512.24873.pdf", "2512.24873", "", "arxiv"),
    ("http://arxiv.org/abs/2512.24880v3", "2512.24880", "v3", "arxiv"),
    ("https://export.arxiv.org/abs/2512.24880", "2512.24880", "", "arxiv"),
    ("https://arxiv.org/html/2512.24880v2", "2512.24880", "v2", "arxiv"),
    ("https://arxiv.org/html/2512.24880v2/", "2512.24880", "v2", "arxiv"),
    ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001", "", "arxiv"),
    ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", "hep-th/9901001", "v2", "arxiv"),
    ("https://arxiv.org/abs/math.GT/0309136", "math/0309136", "", "arxiv"),
    ("https://arxiv.org/e-print/2512.24880", "2512.24880", "", "arxiv"),
    ("https://ar5iv.org/abs/2512.24880", "2512.24880", "", "arxiv"),
    ("https://ar5iv.labs.arxiv.org/html/2512.24880", "2512.24880", "", "arxiv"),
    ("https://hf.co/papers/2602.05258", "2602.05258", "", "hf"),
    ("https://huggingface.co/papers/2602.05258#community", "2602.05258", "", "hf"),
    ("https://doi.org/10.48550/arXiv.2512.24880", "2512.24880", "", "doi"),
    ("https://arxiv.org/abs/2512.24880?context=cs.CL", "2512.24880", "", "arxiv"),
    ("https://arxiv.org/abs/2512.24880#S3", "2512.24880", "", "arxiv"),
    ("HTTPS://ArXiv.org/abs/2512.24880", "2512.24880", "", "arxiv"),
    ("arxiv.org/abs/0704.0001", "0704.0001", "", "arxiv"),
    ("http://xxx.lanl.gov/abs/hep-th/9901001", "hep-th/9901001", "", "arxiv"),
    ("https://arxiv.org/format/2512.24880", "2512.24880", "", "arxiv"),
    ("  https://arxiv.org/abs/2512.24880  ", "2512.24880", "", "arxiv"),
]

# URLs that are not papers; the first rows are from the seed notes.
NOT_PAPERS = [
    "https://huggingface.co/papers/date/2026-02-07",
    "https://huggingface.co/datasets/MiniMaxAI/OctoCodingBench",
    "https://github.com/deepseek-ai/Engram/tree/main",
    "https://nitrogen.minedojo.org/",
    "https://cdn.openai.com/pdf/41df8f28-d4ef-43e9-aed2-823f9393e470/circuit-sparsity-paper.pdf",
    "https://huggingface.co/models/2602.05258",
    "https://arxiv.org/abs/2512.1",  # a URL cut short by Chinese text glued to it
    "https://arxiv.org/list/cs.CL/recent",
    "https://arxiv.org/abs/2512.248801",
    "https://example.org/abs/2512.24880",
    "https://arxiv.org/",
    "https://doi.org/10.1145/3442188.3445922",
    "https://notarxiv.org/abs/2512.24880",
    "https://arxiv.org.example.com/abs/2512.24880",
    "https://huggingface.co/papers/hep-th/9901001",
    "https://arxiv.org/abs/2512.24880/figures/1.png",
    "https://arxiv.org/abs/2512.24880v2x",
]


@pytest.mark.parametrize(("url", "paper_id", "version", "host"), PAPER_URLS)
def test_paper_from_url_normalises_every_form(
    url: str, paper_id: str, version: str, host: str
) -> None:
    assert paper_from_url(url) == PaperRef(paper_id, version, host)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", NOT_PAPERS)
def test_paper_from_url_rejects_other_pages(url: str) -> None:
    assert paper_from_url(url) is None


MORE_FORMS = [
    *(
        f"{scheme}://{www}{host}/{kind}/2512.24880{v}{pdf}{slash}"
        for scheme in ("http", "https", "HTTPS")
        for www in ("", "www.")
        for host in ("arxiv.org", "huggingface.co", "ArXiv.org")
        for kind in ("abs", "pdf", "papers", "html")
        for v in ("", "v2")
        for pdf in ("", ".pdf")
        for slash in ("", "/")
    ),
    "https://arxiv.org/abs/2512.2488",
    "https://arxiv.org/abs/251.24880",
    "https://arxiv.org/abs/2512.24880v",
    "https://huggingface.co/papers/2512.24880?x=1",
]


@pytest.mark.parametrize("url", [u for u, *_ in PAPER_URLS] + NOT_PAPERS + MORE_FORMS)
def test_common_url_fast_path_agrees_with_the_full_pattern(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = papers._paper_from_url(url)
    monkeypatch.setattr(papers, "_COMMON_PAPER_URL", re.compile(r"(?!)"))
    assert fast == papers._paper_from_url(url)


def test_remembered_answers_are_the_same_answers() -> None:
    papers._URL_MEMO.clear()
    first = [paper_from_url(u) for u, *_ in PAPER_URLS] + [paper_from_url(u) for u in NOT_PAPERS]
    second = [paper_from_url(u) for u, *_ in PAPER_URLS] + [paper_from_url(u) for u in NOT_PAPERS]
    assert first == second and len(papers._URL_MEMO) == len(PAPER_URLS) + len(NOT_PAPERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see arXiv:2301.10000 for details", [("2301.10000", "", "text", "arXiv:2301.10000")]),
        ("(arXiv:hep-th/9901001v2)", [("hep-th/9901001", "v2", "text", "arXiv:hep-th/9901001v2")]),
        ("ARXIV:2512.24880v1，很好", [("2512.24880", "v1", "text", "ARXIV:2512.24880v1")]),
        (
            "doi: 10.48550/arXiv.2512.24880.",
            [("2512.24880", "", "doi", "10.48550/arXiv.2512.24880")],
        ),
        ("arXiv: 2512.24880", [("2512.24880", "", "text", "arXiv: 2512.24880")]),
        ("arXiv:2512.248801 is too long", []),
        ("myarXiv:2512.24880", []),
        ("2512.24880 without prefix", []),
    ],
)
def test_find_text_ids(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    found = [
        (t.ref.paper_id, t.ref.version, t.source, text[t.start : t.end])
        for t in find_text_ids(text)
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("paper_id", "valid"),
    [
        ("2512.24880", True),  # seed 000
        ("2602.05258", True),  # seed 002
        ("1706.03762", True),  # fixture new-idlist-1-entry-1706.03762.xml
        ("0808.05394", False),  # fixture new-empty-idlist-malformed-0808.05394.xml
        ("0000.0000", False),  # fixture new-empty-idlist-nonexistent-0000.0000.xml
        ("0704.0001", True),
        ("0703.0001", False),
        ("1412.9999", True),
        ("1412.99999", False),
        ("1501.00001", True),
        ("1501.0001", False),
        ("2513.00001", False),
        ("2500.00001", False),
        ("2512.00000", False),
        ("hep-th/9901001", True),
        ("astro-ph/0601001", True),  # fixture new-idlist-oldstyle-astro-ph-0601001
        ("math.GT/0309136", True),
        ("math/0211159", True),
        ("hep-th/9101001", False),  # before August 1991
        ("hep-th/0704001", False),  # old style ended March 2007
        ("nonsense/9901001", False),
        ("hep-th/9913001", False),
        ("abc", False),
        ("", False),
    ],
)
def test_is_valid_id(paper_id: str, valid: bool) -> None:
    assert is_valid_id(paper_id) is valid


@pytest.mark.parametrize(
    ("paper_id", "block_id"),
    [
        ("2601.10355", "arxiv-2601-10355"),
        ("hep-th/9901001", "arxiv-hep-th-9901001"),
        ("math/0309136", "arxiv-math-0309136"),
    ],
)
def test_block_id_for(paper_id: str, block_id: str) -> None:
    assert block_id_for(paper_id) == block_id


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("见 arXiv:2301.10000", True),
        ("ARXIV: 2301.10000", True),
        ("arxiv:2301.10000v2，", True),
        ("doi 10.48550/arXiv.2301.10000", True),
        ("https://arxiv.org/abs/2301.10000 and a: colon", False),
        ("", False),
    ],
)
def test_text_id_precheck_never_misses_one(text: str, may: bool) -> None:
    assert papers._may_hold_text_id(text) is may
    assert bool(papers.find_text_ids(text)) <= may
