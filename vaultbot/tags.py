"""Topic tags from paper metadata: arXiv category -> tag and keyword/regex -> tag rules.

The mapping is data (``rules/tags.toml``, overridable per vault with ``resolve.tag_rules``)
validated at load: a bad rule is a RuleError naming the file and the rule, never a tag
that Obsidian would not accept (``cs.CV`` is no tag: no dots, no spaces; ``/`` nests).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultbot.errors import RuleError
from vaultbot.rules_data import rule_file
from vaultbot.state import file_stamp

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

FIELDS = ("field", "title", "abstract")
# Obsidian: letters of any script, digits, `_`, `-`, `/` for nesting; not only digits.
_TAG_RE = re.compile(r"[\w\-]+(/[\w\-]+)*")
# arXiv categories: `cs.CV`, `math-ph`, `astro-ph.GA`, `quant-ph`; MSC codes like `53C` are not.
_CATEGORY_RE = re.compile(r"[a-z][a-z\-]*(\.[A-Za-z\-]+)?")


def is_valid_tag(tag: str) -> bool:
    """Return True when Obsidian accepts ``tag`` (without its ``#``) as a tag."""
    return bool(_TAG_RE.fullmatch(tag)) and not tag.replace("/", "").isdigit()


def is_arxiv_category(code: str) -> bool:
    """Return True for an arXiv category code; False for MSC/ACM codes found in old records."""
    return bool(_CATEGORY_RE.fullmatch(code))


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """Add ``tag`` when a word (any case) or regex occurs in one of ``fields``.

    ``search`` is the whole rule as one compiled pattern (words as a case-insensitive
    alternation, each regex with its own flags scoped), so a paper costs one C-level
    search per rule and field: a 10,000-note vault may name 100,000 papers.
    """

    tag: str
    fields: tuple[str, ...]
    search: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class TagRules:
    """A validated tag rule set (defaults merged with the vault's own file)."""

    categories: Mapping[str, str]
    keywords: tuple[KeywordRule, ...]
    fallback: str = ""
    all_categories: bool = True
    sources: tuple[str, ...] = field(default=())

    @classmethod
    def from_toml(cls, text: str, where: str, base: TagRules | None = None) -> TagRules:
        """Parse and validate one rules file; ``where`` names it in every error.

        With ``base`` (the defaults) the file extends it: its categories win, its keyword
        rules are added, and options it leaves out keep the base's values.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RuleError(f"{where}: not valid TOML: {exc}") from exc
        _check_keys(data, {"version", "options", "categories", "keywords"}, where)
        options = data.get("options", {})
        _check_keys(options, {"categories", "fallback"}, f"{where}: [options]")
        default_mode = "all" if base is None or base.all_categories else "primary"
        mode = options.get("categories", default_mode)
        if mode not in ("all", "primary"):
            raise RuleError(f"{where}: [options] categories must be \"all\" or \"primary\", got {mode!r}")
        fallback = options.get("fallback", base.fallback if base else "")
        _check_fallback(fallback, where)
        keywords = tuple(_keyword(i, rule, where) for i, rule in enumerate(data.get("keywords", []), 1))
        return cls(
            categories={**(base.categories if base else {}), **_categories(data.get("categories", {}), where)},
            keywords=(base.keywords if base else ()) + keywords,
            fallback=fallback,
            all_categories=mode == "all",
            sources=(base.sources if base else ()) + (where,),
        )

    def category_tags(self, primary: str, categories: Iterable[str]) -> list[str]:
        """Return the tags of a paper's categories, primary first, without duplicates."""
        codes = [primary, *categories] if self.all_categories else [primary]
        found: list[str] = []
        for code in codes:
            tag = self.categories.get(code) or self.categories.get(code.split(".", 1)[0])
            if tag is None and code == primary and self.fallback and is_arxiv_category(code):
                tag = self.fallback.format(archive=code.split(".", 1)[0])
            if tag and tag not in found:
                found.append(tag)
        return found

    def keyword_tags(self, texts: Mapping[str, str]) -> list[str]:
        """Return the tags of every keyword rule that matches ``texts`` (field name -> text)."""
        found: list[str] = []
        for rule in self.keywords:
            if rule.tag in found:
                continue
            for name in rule.fields:
                text = texts.get(name)
                if text and rule.search.search(text):
                    found.append(rule.tag)
                    break
        return found


def load_tag_rules(vault_root: Path | None = None, extra: str = "") -> TagRules:
    """Return the default rules, merged with the vault's ``extra`` file when one is named.

    Cached per file and its size and modification time: resolve and the daemon's link
    step ask for the rules on every note, and a changed rule file is read again.
    """
    default_path = rule_file("tags.toml")
    path = None if not extra else Path(extra) if vault_root is None else vault_root / extra
    own = None if path is None else file_stamp(path)
    return _load_tag_rules(default_path, file_stamp(default_path), path, own)


@functools.lru_cache(maxsize=8)
def _load_tag_rules(
    default_path: Path, _default_stamp: object, path: Path | None, _stamp: object
) -> TagRules:
    rules = TagRules.from_toml(default_path.read_text(encoding="utf-8"), str(default_path))
    if path is None:
        return rules
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: cannot read tag rules ({exc}); see resolve.tag_rules") from exc
    return TagRules.from_toml(text, str(path), base=rules)


def _check_keys(data: Any, allowed: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise RuleError(f"{where}: must be a table")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RuleError(f"{where}: unknown key {unknown[0]!r}; valid: {', '.join(sorted(allowed))}")


def _check_tag(tag: Any, where: str) -> str:
    if not isinstance(tag, str) or not is_valid_tag(tag):
        raise RuleError(f"{where}: {tag!r} is not a valid Obsidian tag (no '.', no spaces, not only digits)")
    return tag


def _check_fallback(fallback: Any, where: str) -> None:
    if not isinstance(fallback, str):
        raise RuleError(f"{where}: [options] fallback must be a string")
    if fallback:
        try:
            sample = fallback.format(archive="cs")
        except (KeyError, IndexError, ValueError) as exc:
            raise RuleError(f"{where}: [options] fallback {fallback!r}: only {{archive}} may be used") from exc
        _check_tag(sample, f"{where}: [options] fallback")


def _categories(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise RuleError(f"{where}: [categories] must be a table")
    for code, tag in table.items():
        if not is_arxiv_category(code):
            raise RuleError(f"{where}: [categories] {code!r} is not an arXiv category code")
        _check_tag(tag, f"{where}: [categories] {code!r}")
    return dict(table)


def _keyword(index: int, rule: Any, where: str) -> KeywordRule:
    here = f"{where}: keywords rule #{index}"
    _check_keys(rule, {"tag", "in", "words", "regex"}, here)
    tag = _check_tag(rule.get("tag"), here)
    fields = rule.get("in", ["field", "title"])
    if not isinstance(fields, list) or not fields or any(f not in FIELDS for f in fields):
        raise RuleError(f"{here} ({tag}): 'in' must list some of {', '.join(FIELDS)}")
    words = _strings(rule.get("words", []), f"{here} ({tag}): words")
    regexes = _strings(rule.get("regex", []), f"{here} ({tag}): regex")
    if not words and not regexes:
        raise RuleError(f"{here} ({tag}): needs 'words' or 'regex'")
    return KeywordRule(tag, tuple(fields), _compile(words, regexes, here, tag))


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"{where} must be a list of non-empty strings")
    return value


def _compile(words: list[str], patterns: list[str], where: str, tag: str) -> re.Pattern[str]:
    """Return one pattern for the rule; each regex is checked on its own first (clear errors)."""
    parts = [f"(?i:{'|'.join(re.escape(w) for w in words)})"] if words else []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RuleError(f"{where} ({tag}): bad regex {pattern!r}: {exc}") from exc
        flags = _GLOBAL_FLAGS.match(pattern)
        parts.append(f"(?{flags.group(1)}:{pattern[flags.end():]})" if flags else f"(?:{pattern})")
    return re.compile("|".join(parts))


_GLOBAL_FLAGS = re.compile(r"\(\?([imsx]+)\)")
