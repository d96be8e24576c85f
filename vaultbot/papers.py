"""Recognise arXiv papers in URLs and plain text, and normalise them to one ID (pure).

Users paste a paper in many forms (issue 4): ``arxiv.org/abs|pdf|html|e-print/ID``,
``.pdf`` and ``v2`` suffixes, ``www.``/``export.`` hosts, ar5iv mirrors, Hugging Face
paper pages, the arXiv DOI ``10.48550/arXiv.ID`` and plain ``arXiv:ID`` text.  Every
form maps to one ``paper_id`` without version, so the same paper is the same key in the
cache, the graph and ``duplicate-paper``.  Extraction checks the *shape* of an ID only;
``is_valid_id`` is the stricter check made before an ID is sent to the API (a
well-shaped but impossible ID such as ``0808.05394`` is reported, not queried).
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

PaperHost = Literal["arxiv", "hf", "doi"]

# arXiv identifier schemes: https://info.arxiv.org/help/arxiv_identifier.html
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z][A-Za-z-]+)?/\d{7}"
_ID = rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?P<version>v\d+)?"

# Archives that issued old-style IDs (before April 2007).
OLD_ARCHIVES = frozenset(
    [
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    ]
)

# One anchored regex per URL: the host decides which path shapes are papers.  Hosts are
# case-insensitive, IDs are not (old-style archives are lower case).
_PAPER_URL = re.compile(
    r"(?:(?i:https?)://)?(?i:www\.)?(?:"
    r"(?P<arxiv>(?i:(?:[a-z0-9-]+\.)*arxiv\.org|ar5iv\.org|xxx\.lanl\.gov))"
    r"/(?:abs|pdf|html|e-print|format|ps)/"
    r"|(?P<hf>(?i:huggingface\.co|hf\.co))/papers/(?=\d{4}\.)"
    r"|(?P<doi>(?i:(?:dx\.)?doi\.org))/10\.48550/(?i:arxiv)\."
    rf"){_ID}(?:\.pdf)?/?(?:[?#].*)?",
    re.DOTALL,
)
# The lower-case, new-style arXiv and Hugging Face URLs users paste, a subset of
# ``_PAPER_URL`` (test_papers.py checks both agree) without its case-insensitive parts.
_COMMON_PAPER_URL = re.compile(
    r"https?://(?:www\.)?(?:(arxiv\.org/(?:abs|pdf|html)/)|huggingface\.co/papers/)"
    r"(\d{4}\.\d{4,5})(v\d+)?(?:\.pdf)?/?"
)
_TEXT_ID = re.compile(
    rf"(?<![A-Za-z0-9.])(?P<prefix>(?i:arxiv):[ \t]?|10\.48550/(?i:arxiv)\.){_ID}(?![0-9])"
)
_COLON_AFTER_V = re.compile(r":(?<=[vV]:)")  # the colon of "arXiv:", found by its colon
_NEW_PARTS = re.compile(r"(\d\d)(\d\d)\.(\d{4,5})")
_OLD_PARTS = re.compile(r"([a-z]+(?:-[a-z]+)?)(?:\.[A-Za-z][A-Za-z-]+)?/(\d\d)(\d\d)(\d{3})")
_ARXIV_HOSTS = frozenset({"arxiv.org", "export.arxiv.org", "ar5iv.org", "ar5iv.labs.arxiv.org"})
_HF_HOSTS = frozenset({"huggingface.co", "hf.co"})
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org"})
_URL_MEMO: dict[str, PaperRef | None] = {}
_URL_MEMO_SIZE = 65_536  # answers kept (a few MB); emptied when full
_UNSEEN = object()
_new = tuple.__new__  # builds a PaperRef without its Python-level __new__ (~25 URLs a note)


class PaperRef(NamedTuple):
    """A paper named by a URL or text: ID without version, the version written, the host kind."""

    paper_id: str
    version: str
    host: PaperHost


class TextId(NamedTuple):
    """A paper ID written as text (``arXiv:ID`` or the DOI form) at ``[start, end)``."""

    start: int
    end: int
    ref: PaperRef
    source: Literal["text", "doi"]


def paper_from_url(url: str) -> PaperRef | None:
    """Return the paper a URL points to, or None when it is not a paper page.

    Only whole path shapes count, so ``huggingface.co/papers/date/...``, datasets and
    models, and arXiv listing pages are not papers.  Query strings and fragments are
    ignored; a scheme is optional (frontmatter values are sometimes pasted without one).
    Answers are remembered: a vault names the same URLs again and again (~40% of the
    URLs of the benchmark vault are repeats), and each parse asks for every link.
    """
    found = _URL_MEMO.get(url, _UNSEEN)
    if found is not _UNSEEN:
        return found  # type: ignore[return-value]
    if len(_URL_MEMO) >= _URL_MEMO_SIZE:
        _URL_MEMO.clear()
    found = _URL_MEMO[url] = _paper_from_url(url)
    return found


def _paper_from_url(url: str) -> PaperRef | None:
    common = _COMMON_PAPER_URL.fullmatch(url)
    if common is not None:  # what users paste ~always: 3x faster than the full regex
        arxiv, paper_id, version = common.groups()
        return _new(PaperRef, (paper_id, version or "", "arxiv" if arxiv else "hf"))  # type: ignore[no-any-return]
    match = _PAPER_URL.fullmatch(url.strip())
    if match is None:
        return None
    arxiv, hf, paper_id, version = match.group("arxiv", "hf", "id", "version")
    host: PaperHost = "arxiv" if arxiv else "hf" if hf else "doi"
    return _new(PaperRef, (normalise_id(paper_id), version or "", host))  # type: ignore[no-any-return]


def find_text_ids(text: str, start: int = 0, end: int | None = None) -> list[TextId]:
    """Return every ``arXiv:ID`` and ``10.48550/arXiv.ID`` written in ``text[start:end]``."""
    found: list[TextId] = []
    if not _may_hold_text_id(text):
        return found
    for match in _TEXT_ID.finditer(text, start, len(text) if end is None else end):
        doi = match.group("prefix").startswith("10.")
        version = match.group("version") or ""
        ref = PaperRef(normalise_id(match.group("id")), version, "doi" if doi else "arxiv")
        found.append(TextId(match.start(), match.end(), ref, "doi" if doi else "text"))
    return found


def _may_hold_text_id(text: str) -> bool:
    """Cheap pre-check: the case-insensitive regex is ~50x slower than these scans.

    ``arXiv:ID`` needs a colon after ``v``/``V``.  A pattern that starts with the colon
    lets the regex engine scan for one character in C, ~5x faster than ``"v:" in text``
    on text holding CJK (a two-character needle takes the slow generic search).
    """
    return _COLON_AFTER_V.search(text) is not None or "10.48550/" in text


def normalise_id(paper_id: str) -> str:
    """Drop an old-style subject class (``math.GT/0309136`` is ``math/0309136`` to arXiv)."""
    if "/" in paper_id and "." in paper_id.split("/", 1)[0]:
        archive, number = paper_id.split("/", 1)
        return f"{archive.split('.', 1)[0]}/{number}"
    return paper_id


def is_valid_id(paper_id: str) -> bool:
    """Return True when ``paper_id`` (no version) can exist on arXiv.

    New style: ``YYMM.NNNN`` from 0704 to 1412, ``YYMM.NNNNN`` from 1501, month 01-12.
    Old style: ``archive[.SUBJ]/YYMMNNN`` with a known archive, from 1991-08 to 2007-03.
    The shape alone is not enough: ``0808.05394`` has 5 digits in 2008 and does not exist.
    """
    new = _NEW_PARTS.fullmatch(paper_id)
    if new:
        yymm, number = int(new.group(1) + new.group(2)), new.group(3)
        if not 1 <= int(new.group(2)) <= 12 or yymm < 704 or int(number) == 0:
            return False
        return len(number) == (4 if yymm <= 1412 else 5)
    old = _OLD_PARTS.fullmatch(paper_id)
    if old is None or old.group(1) not in OLD_ARCHIVES:
        return False
    year, month, number = int(old.group(2)), int(old.group(3)), int(old.group(4))
    yyyymm = (1900 + year if year >= 91 else 2000 + year) * 100 + month
    return 1 <= month <= 12 and 199108 <= yyyymm <= 200703 and number > 0


def block_id_for(paper_id: str) -> str:
    """Return the Obsidian block ID vaultbot uses for a paper (letters, digits, dashes only)."""
    return "arxiv-" + re.sub(r"[^A-Za-z0-9]+", "-", paper_id).strip("-")
