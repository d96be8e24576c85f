"""Turn mixed Chinese/English paper text into comparable keyword tokens.

Chinese has no spaces, so a CJK run becomes its overlapping character bigrams (the
standard segmentation-free approach: "视频生成" -> 视频, 频生, 生成); junk bigrams
that straddle words are rare across papers and so get a low weight from IDF anyway.
Latin text becomes lowercased word tokens with a light plural/-ing stemmer, so
"Agents"/"agent" and "Reasoning"/"reason" meet.  Stopwords of both languages go.
Pure; no corpus statistics here (those live in ``similarity``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

_LATIN = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Function words that carry no topic (English), plus words every paper title uses.
EN_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just me more most my no nor not now of off on once only or other our
    out over own same she should so some such than that the their them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yet via towards toward using use based
    beyond without within across new novel paper approach method methods study one two
    three first second third done make makes made get got let like many much well even end
    http https www com org html pdf abs arxiv github io huggingface papers""".split()
)

# A bigram holding one of these characters almost always straddles two words.
_CJK_STOP_CHARS = frozenset("的了是在和与及也都就而并其这那个之把被让我你他它们很还又或等着吗呢吧啊对于将从为所以但如")

# Chinese words that say nothing about a paper's topic (report template words too).
CJK_STOP_BIGRAMS = frozenset(
    """论文 文章 一篇 这篇 工作 方法 提出 进行 可以 通过 使用 一个 一种 能够 实现 问题 方案 感觉
    个人 认为 觉得 目前 现在 之前 之后 相关 核心 主要 其中 包括 以及 然后 首先 最后 同时 比较
    应用 领域 一句 句话 贡献 使用 指南 输入 输出 创新 新点 实验 效果 研究 报告 分析 阅读 来源
    篇论 况下 情况 导致 保持 差异 设置 执行 功能 显著 提升 性能 能力 结果 表现 基于 利用 采用
    解决 现有 传统 不同 具有 需要 支持 引入 构建 设计 框架 任务 数据 训练 模型 系统 实现 达到""".split()
)


def normalize(text: str) -> str:
    """Return ``text`` NFKC-normalised and lowercased (full-width letters become ASCII)."""
    return unicodedata.normalize("NFKC", text).lower()


def stem(word: str) -> str:
    """Return a crude stem: strip plural ``s``, ``-ing``, ``-er``, ``-ic`` so inflections
    meet ("agents"/"agentic"/"agent", "reasoner"/"reasoning"/"reason")."""
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 6 and word.endswith(("er", "ic")):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


def latin_tokens(text: str) -> list[str]:
    """Return stemmed Latin word tokens of normalised ``text`` (no stopwords, no numbers)."""
    out = []
    for word in _LATIN.findall(text):
        if len(word) < 2 or word.isdigit() or word in EN_STOPWORDS:
            continue
        out.append(stem(word))
    return out


def cjk_bigrams(text: str) -> list[str]:
    """Return the informative character bigrams of every CJK run in ``text``."""
    out = []
    for run in _CJK_RUN.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair in CJK_STOP_BIGRAMS or _CJK_STOP_CHARS.intersection(pair):
                continue
            out.append(pair)
    return out


def tokens(text: str) -> list[str]:
    """Return the keyword tokens of mixed Chinese/English ``text`` in reading order."""
    norm = normalize(text)
    return latin_tokens(norm) + cjk_bigrams(norm)


def term_counts(fields: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Return token -> weighted count over ``(text, field_weight)`` pairs."""
    counts: dict[str, float] = defaultdict(float)
    for text, weight in fields:
        for tok in tokens(text):
            counts[tok] += weight
    return dict(counts)
