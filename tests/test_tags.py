"""Tag rules: shipped defaults load and validate; bad rules fail naming the file; real inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultbot.arxiv_client import to_record
from vaultbot.errors import RuleError
from vaultbot.resolve import report_field
from vaultbot.rules_data import rule_file, rules_dir
from vaultbot.tags import TagRules, is_arxiv_category, is_valid_tag, load_tag_rules

DATA = Path(__file__).parent / "data" / "arxiv"
SEEDS = Path(__file__).parent / "data" / "seed_notes"


def recorded(name: str) -> tuple[str, list[str]]:
    import arxiv._feed

    result = arxiv._feed.parse((DATA / name).read_bytes()).results[0]
    record = to_record("x", result)
    return record.primary_category, list(record.categories)


def test_default_rules_ship_in_the_rules_folder_and_every_tag_is_valid() -> None:
    assert rule_file("tags.toml").parent == rules_dir()
    rules = load_tag_rules()
    assert rules.categories["cs.CV"] == "computer-vision"
    for tag in [*rules.categories.values(), *(k.tag for k in rules.keywords)]:
        assert is_valid_tag(tag), tag


@pytest.mark.parametrize(
    ("tag", "valid"),
    [("nlp", True), ("arxiv/cs", True), ("计算机视觉", True), ("a_b-c", True), ("cs.CV", False),
     ("to read", False), ("2024", False), ("/x", False), ("x/", False), ("a//b", False), ("#x", False)],
)
def test_obsidian_tag_validity(tag: str, valid: bool) -> None:
    assert is_valid_tag(tag) is valid


def test_categories_from_real_records_including_an_msc_code() -> None:
    rules = load_tag_rules()
    primary, cats = recorded("old2019-idlist-oldstyle-math-0211159-msc-category.xml")
    assert "53C" in cats and not is_arxiv_category("53C")
    assert rules.category_tags(primary, cats) == ["arxiv/math"]
    primary, cats = recorded("old2025-search-cat-cs.RO-AND-neural-max2-6cats.xml")
    assert rules.category_tags(primary, cats)[0] == "robotics"
    primary, cats = recorded("new-idlist-oldstyle-versioned-quant-ph-0201082v1-2cats.xml")
    assert rules.category_tags(primary, cats) == ["quantum-physics", "programming-languages"]


def test_chinese_field_line_of_a_real_report_gives_topic_tags() -> None:
    from vaultbot.parser import parse

    text = (SEEDS / "HF Daily 2025-12-25.md").read_text(encoding="utf-8")
    note = parse("r.md", text)
    first = note.mentions[0]
    field = report_field(first.commentary)
    assert field.startswith("**自然语言处理 (NLP)**")
    tags = load_tag_rules().keyword_tags({"field": field, "title": first.stated_title or ""})
    assert tags == ["nlp", "llm", "reinforcement-learning", "rag"]


def test_vault_file_extends_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "my-tags.toml").write_text(
        '[options]\nfallback = ""\n[categories]\n"cs.CV" = "vision"\n'
        '[[keywords]]\ntag = "扩散"\nwords = ["diffusion"]\n',
        encoding="utf-8",
    )
    rules = load_tag_rules(tmp_path, "my-tags.toml")
    assert rules.category_tags("cs.CV", ["cs.CV"]) == ["vision"]
    assert rules.category_tags("math.CO", []) == []  # fallback switched off
    assert "扩散" in rules.keyword_tags({"title": "Video Diffusion"})
    assert rules.categories["cs.CL"] == "nlp"  # defaults kept


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[categories]\n"cs.CV" = "cs.CV"\n', "not a valid Obsidian tag"),
        ('[categories]\n"53C" = "x"\n', "not an arXiv category"),
        ('[[keywords]]\ntag = "x"\nregex = ["("]\n', "bad regex"),
        ('[[keywords]]\ntag = "x"\n', "needs 'words' or 'regex'"),
        ('[[keywords]]\ntag = "x"\nwords = ["a"]\nin = ["body"]\n', "'in' must list"),
        ('[options]\ncategories = "some"\n', "must be \"all\" or \"primary\""),
        ('[options]\nfallback = "{nope}"\n', "only {archive}"),
        ("[weird]\n", "unknown key 'weird'"),
        ("not toml =", "not valid TOML"),
    ],
)
def test_bad_rules_fail_at_load_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=message) as info:
        load_tag_rules(tmp_path, "bad.toml")
    assert str(path) in str(info.value)


def test_missing_vault_rules_file_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="resolve.tag_rules"):
        load_tag_rules(tmp_path, "absent.toml")


def test_primary_only_option() -> None:
    rules = TagRules.from_toml('[options]\ncategories = "primary"\n', "x.toml", base=load_tag_rules())
    assert rules.category_tags("cs.CV", ["cs.CV", "cs.LG"]) == ["computer-vision"]
