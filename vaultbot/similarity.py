"""Which papers are related: candidate blocking, rapidfuzz scoring, top-k neighbours.

A pair's score (0..1) mixes three signals (issue 6):

* ``kw`` - cosine of IDF-weighted keyword vectors (each paper keeps its 80 best keywords)
  over title (x2), commentary and abstract (x1); tokens come from ``keywords``
  (CJK character bigrams + stemmed Latin words, stopwords of both languages dropped);
  norms get a prior (``NORM_PRIOR``), so two short notes sharing one word stay weak;
  squashed as ``1 - exp(-kw / KW_SCALE)`` and weighted 0.85;
* ``fz`` - rapidfuzz ``token_set_ratio`` of the processed titles, batch-scored over each
  paper's candidates with ``process.extract(score_cutoff=...)``, weighted 0.10;
* ``ct`` - Jaccard overlap of coarse labels: arXiv categories and tags, weighted 0.05.
  Tags are made by rules from categories and title words, so they only say "same broad
  area" (a first version weighed them as keywords, and two short-noted cs.CL papers
  tagged ``nlp`` came out related; tests/data/relatedness.toml pins such pairs).

Two papers that share no informative keyword are never related (score 0).  That
makes blocking exact: the inverted index over informative tokens enumerates every pair
that can score above 0.  A token is informative when at least 2 and at most ``cap``
papers hold it (``cap`` = max(``min_df_cap``, ``max_df`` x papers), never over half of
them), so frequent words stay out of the index and no paper is compared with all others.

IDF weights are a snapshot (``TermStats``) taken at build time, so updating one paper
changes only the scores of pairs that involve it; a word first seen after the snapshot
counts from the next one, which the index takes when the paper count drifts by more
than ``reweight_drift``.  With the same snapshot, incremental updates give exactly what
a full build gives (tested).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vaultbot.keywords import term_counts, tokens

SCORING_VERSION = 1  # bump whenever scores change, so caches of edges (related_cache) expire
W_KW, W_FZ, W_CT = 0.85, 0.10, 0.05  # keywords, fuzzy titles, shared labels; they sum to 1
KW_SCALE = 0.175  # keyword cosine at which its part of the score reaches 63 % (1 - 1/e)
NORM_PRIOR = 200.0  # added to every vector's squared norm: one shared word between two
# short notes is weak evidence, so short vectors must not reach a high cosine from it
KEYWORDS = 80  # a paper's vector keeps its best keywords, so long reports stay comparable
FIELD_TITLE, FIELD_TEXT = 2.0, 1.0  # a title word says more than a note word


@dataclass(frozen=True, slots=True)
class PaperNode:
    """What the similarity graph knows of one paper (metadata + the user's own notes)."""

    paper_id: str
    title: str
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    abstract: str = ""
    commentary: str = ""
    mentions: tuple[tuple[str, int], ...] = ()  # (note path, 1-based line) of each mention


@dataclass(frozen=True, slots=True)
class LinkParams:
    """The ``[link]`` knobs of the similarity graph (see ``config.DEFAULTS``)."""

    top_k: int = 5
    threshold: float = 0.45
    max_df: float = 0.01  # a token in more than this share of papers is not informative ...
    min_df_cap: int = 100  # ... unless in at most this many (small vaults), never half of all
    fuzzy_cutoff: float = 50.0  # rapidfuzz score below which titles count as unlike
    reweight_drift: float = 0.2  # re-derive IDF when the paper count drifts this much

    @classmethod
    def from_config(cls, cfg: Any) -> LinkParams:
        """Return the params of ``cfg["link"]`` (a ``Config`` or a plain mapping)."""
        section: Mapping[str, Any] = cfg["link"]
        names = cls.__dataclass_fields__  # type: ignore[attr-defined]
        return cls(**{k: v for k, v in section.items() if k in names})


@dataclass(frozen=True, slots=True)
class TermStats:
    """A frozen document-frequency snapshot: IDF and the informative-token test."""

    n_docs: int
    df: Mapping[str, int]
    cap: int

    @classmethod
    def of(cls, counts: Iterable[Iterable[str]], params: LinkParams) -> TermStats:
        """Return the snapshot of the token sets ``counts`` (one per paper)."""
        df: Counter[str] = Counter()
        n = 0
        for toks in counts:
            df.update(set(toks))
            n += 1
        cap = max(params.min_df_cap, int(params.max_df * n))
        if n >= 10:  # a token in over half of the papers is a stopword of this vault
            cap = min(cap, n // 2)
        return cls(n, dict(df), cap)

    def idf(self, token: str) -> float:
        """Return the smoothed IDF of ``token``, or 0 when it is too frequent to inform."""
        df = self.df.get(token, 0)
        if df < 2 or df > self.cap:  # a token of one paper links nothing; a common one, all
            return 0.0
        return math.log((1 + self.n_docs) / (1 + df)) + 1.0


@dataclass(frozen=True, slots=True)
class Features:
    """One paper's comparable form: raw term counts, unit vector, fuzzy title, labels."""

    counts: Mapping[str, float]
    vector: Mapping[str, float]
    title_key: str
    labels: frozenset[str]


def raw_counts(node: PaperNode) -> dict[str, float]:
    """Return the field-weighted keyword counts of ``node`` (its words, not its labels)."""
    counts = term_counts(
        [(node.title, FIELD_TITLE), (node.commentary, FIELD_TEXT), (node.abstract, FIELD_TEXT)]
    )
    return counts


def features(node: PaperNode, counts: Mapping[str, float], stats: TermStats) -> Features:
    """Return ``node``'s features under the IDF snapshot ``stats``."""
    vec = {}
    for tok, c in counts.items():
        w = stats.idf(tok)
        if w > 0:
            vec[tok] = (1.0 + math.log(c)) * w if c >= 1 else c * w
    keep = sorted(sorted(vec, key=lambda t: (-vec[t], t))[:KEYWORDS])  # stored in token order
    norm = math.sqrt(math.fsum(vec[t] * vec[t] for t in keep) + NORM_PRIOR)
    unit = {t: vec[t] / norm for t in keep}
    title_key = " ".join(sorted(set(tokens(node.title))))
    return Features(counts, unit, title_key, labels(node))


def labels(node: PaperNode) -> frozenset[str]:
    """Return a paper's coarse labels: its arXiv categories and its tags (``#tag``).

    Tags come from rules over categories and title words, so like categories they say
    "same broad area", never "same topic": they only add to a pair that shares words.
    """
    tags = {"#" + t.lower().lstrip("#") for t in node.tags}
    return frozenset({c.lower() for c in node.categories} | tags)


def combine(kw: float, fz: float, ct: float) -> float:
    """Return the pair score from its signals; 0 when no informative keyword is shared.

    The keyword cosine is squashed smoothly (1 - e^(-kw/KW_SCALE)), so it keeps ranking
    strongly related pairs instead of saturating; ``SimilarityIndex._score_one`` inlines
    this exact expression for speed.
    """
    if kw <= 0.0:
        return 0.0
    return W_KW * (1.0 - math.exp(-kw / KW_SCALE)) + W_FZ * fz + W_CT * ct


def keyword_floor(threshold: float) -> float:
    """Return the least keyword cosine that fuzzy titles and labels could still lift
    to ``threshold`` (candidates below it are never scored further)."""
    need = (threshold - W_FZ - W_CT) / W_KW
    return 0.0 if need <= 0.0 else math.inf if need >= 1.0 else -KW_SCALE * math.log(1.0 - need)


def label_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the Jaccard overlap of two label sets (0 when either is unknown)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def fuzzy_scores(query: str, choices: Mapping[str, str], cutoff: float) -> dict[str, float]:
    """Return paper id -> title likeness (0..1) for choices at or above ``cutoff``."""
    from rapidfuzz import fuzz, process

    hits = process.extract(
        query, choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=cutoff, limit=None
    )
    return {key: score / 100.0 for _, score, key in hits}


def _rank(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])


def keyword_cosine(a: Features, b: Features) -> float:
    """Return the cosine of two keyword vectors.

    Shared tokens are added in sorted order (vectors are stored sorted), the same order
    the inverted-index accumulation uses, so both give bit-identical sums.
    """
    total = 0.0
    for tok, w in a.vector.items():
        w2 = b.vector.get(tok)
        if w2 is not None:
            total += w * w2
    return total


def pair_score(a: Features, b: Features, params: LinkParams) -> float:
    """Return the score of one pair, computed directly (the reference for blocking)."""
    from rapidfuzz import fuzz

    kw = keyword_cosine(a, b)
    fz = fuzz.token_set_ratio(a.title_key, b.title_key, processor=None)
    fz = fz / 100.0 if fz >= params.fuzzy_cutoff else 0.0
    return combine(kw, fz, label_overlap(a.labels, b.labels))


@dataclass
class SimilarityIndex:
    """Incrementally maintained related-paper index: postings, scores, top-k lists.

    ``above[a][b]`` holds every score of ``a`` with ``b`` at or above the threshold
    (symmetric); ``top_k(a)`` reads the best ``params.top_k`` of them.  Build it with
    ``SimilarityIndex.build``; keep it alive in the daemon and call ``update``/``remove``.
    """

    params: LinkParams
    stats: TermStats
    nodes: dict[str, PaperNode] = field(default_factory=dict)
    feats: dict[str, Features] = field(default_factory=dict)
    postings: dict[str, dict[str, float]] = field(default_factory=dict)
    above: dict[str, dict[str, float]] = field(default_factory=dict)
    _tops: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        nodes: Iterable[PaperNode],
        params: LinkParams | None = None,
        stats: TermStats | None = None,
    ) -> SimilarityIndex:
        """Return the index of ``nodes`` (a fresh IDF snapshot unless ``stats`` is given)."""
        params = params or LinkParams()
        nodes = sorted({n.paper_id: n for n in nodes}.values(), key=lambda n: n.paper_id)
        counts = {n.paper_id: raw_counts(n) for n in nodes}
        index = cls(params, stats or TermStats.of(counts.values(), params))
        index._score_all(nodes, counts)
        return index

    # -- queries -------------------------------------------------------------------

    def top_k(self, paper_id: str) -> list[tuple[str, float]]:
        """Return ``paper_id``'s best neighbours as ``(id, score)``, best first, ties by id."""
        cached = self._tops.get(paper_id)
        if cached is None:  # cached until a change touches this paper's row
            row = self.above.get(paper_id, {})
            k = self.params.top_k
            if len(row) > k:  # cut by score in C first; ties at the cut still go by id
                kth = heapq.nlargest(k, row.values())[-1]
                row = {b: s for b, s in row.items() if s >= kth}
            cached = self._tops[paper_id] = sorted(row.items(), key=_rank)[:k]
        return list(cached)

    def edges(self) -> dict[tuple[str, str], float]:
        """Return the symmetric closure of every top-k list: ``{(a, b): score}``, a < b."""
        out: dict[tuple[str, str], float] = {}
        for a in self.nodes:
            for b, score in self.top_k(a):
                out[(a, b) if a < b else (b, a)] = round(score, 6)
        return out

    def candidates(self, paper_id: str) -> dict[str, float]:
        """Return id -> keyword cosine of every paper sharing an informative token."""
        acc: dict[str, float] = defaultdict(float)
        for tok, w in self.feats[paper_id].vector.items():
            for other, w2 in self.postings.get(tok, {}).items():
                acc[other] += w * w2
        acc.pop(paper_id, None)
        return acc

    # -- changes -------------------------------------------------------------------

    def update(self, node: PaperNode) -> set[str]:
        """Add or replace ``node``; return the ids whose top-k list changed (and its own).

        A node whose scored fields are unchanged (only where it is mentioned moved, as
        for every paper of an edited note) is swapped in without re-tokenising or
        rescoring it: that would give the same features and scores.
        """
        pid = node.paper_id
        old = self.nodes.get(pid)
        if old is not None and _scored(old) == _scored(node) and not self._drifted():
            self.nodes[pid] = node
            return {pid}
        touched = self.remove(pid) if old is not None else set()
        self._insert(node, raw_counts(node))
        if self._drifted():
            self.reweight()
            return set(self.nodes)
        scores = self._score_one(pid, self.candidates(pid))
        self.above[pid] = scores
        for other, score in scores.items():
            self.above[other][pid] = score
        self._forget(pid, *scores)
        return touched | {o for o in scores if self._in_top_k(pid, o)} | {pid}

    def remove(self, paper_id: str) -> set[str]:
        """Drop ``paper_id``; return the ids whose top-k list changed (and its own)."""
        self.nodes.pop(paper_id)
        for tok in self.feats.pop(paper_id).vector:
            self.postings[tok].pop(paper_id, None)
            if not self.postings[tok]:
                del self.postings[tok]
        row = self.above.pop(paper_id, {})
        touched = {paper_id}
        for other in sorted(row):
            if self._in_top_k(paper_id, other):
                touched.add(other)
            del self.above[other][paper_id]
        self._forget(paper_id, *row)
        return touched

    def reweight(self) -> None:
        """Take a fresh IDF snapshot and rescore everything (rare: on corpus drift)."""
        counts = {pid: f.counts for pid, f in self.feats.items()}
        self.stats = TermStats.of(counts.values(), self.params)
        nodes = [self.nodes[pid] for pid in sorted(self.nodes)]
        self.nodes, self.feats, self.postings, self.above, self._tops = {}, {}, {}, {}, {}
        self._score_all(nodes, counts)

    # -- internals -----------------------------------------------------------------

    def _forget(self, *paper_ids: str) -> None:
        """Drop the cached top-k lists of papers whose scores just changed."""
        for pid in paper_ids:
            self._tops.pop(pid, None)

    def _in_top_k(self, paper_id: str, holder: str) -> bool:
        """Return True if ``paper_id`` is in ``holder``'s top-k list."""
        return any(b == paper_id for b, _ in self.top_k(holder))

    def _drifted(self) -> bool:
        base = max(self.stats.n_docs, 1)
        return abs(len(self.nodes) - base) / base > self.params.reweight_drift

    def _insert(self, node: PaperNode, counts: Mapping[str, float]) -> None:
        feats = features(node, counts, self.stats)
        self.nodes[node.paper_id] = node
        self.feats[node.paper_id] = feats
        self.above.setdefault(node.paper_id, {})
        for tok, w in feats.vector.items():
            self.postings.setdefault(tok, {})[node.paper_id] = w

    def _score_all(self, nodes: list[PaperNode], counts: Mapping[str, Mapping[str, float]]) -> None:
        """Insert ``nodes`` in order, scoring each against those before it: every
        blocked pair is accumulated once (the all-pairs trick of growing the index)."""
        for node in nodes:
            self._insert(node, counts[node.paper_id])
            pid = node.paper_id
            for other, score in self._score_one(pid, self.candidates(pid)).items():
                self.above[pid][other] = score
                self.above[other][pid] = score

    def _score_one(self, paper_id: str, kws: Mapping[str, float]) -> dict[str, float]:
        """Return other -> score >= threshold among ``kws`` (candidate -> keyword cosine)."""
        params, mine, feats = self.params, self.feats[paper_id], self.feats
        floor = keyword_floor(params.threshold)
        hopeful = {o: feats[o].title_key for o, kw in kws.items() if kw > 0.0 and kw >= floor}
        if not hopeful:
            return {}
        fuzzy = fuzzy_scores(mine.title_key, hopeful, params.fuzzy_cutoff)
        cats, threshold, exp, out = mine.labels, params.threshold, math.exp, {}
        for other in hopeful:  # the hot loop of a build: combine() inlined
            theirs = feats[other].labels
            ct = (1.0 if cats == theirs else len(cats & theirs) / len(cats | theirs)) if cats and theirs else 0.0
            score = W_KW * (1.0 - exp(-kws[other] / KW_SCALE)) + W_FZ * fuzzy.get(other, 0.0) + W_CT * ct
            if score >= threshold:
                out[other] = score
        return out


def _scored(node: PaperNode) -> tuple[object, ...]:
    """Return what a paper's features are made of (all of the node but its mentions)."""
    return (node.title, node.categories, node.tags, node.abstract, node.commentary)


def related(nodes: Iterable[PaperNode], params: LinkParams | None = None) -> dict[tuple[str, str], float]:
    """Return the related-paper edges of ``nodes``: ``{(a, b): score}`` with a < b."""
    return SimilarityIndex.build(nodes, params).edges()
