"""Frontmatter edits keep every byte of the user's keys and only touch vaultbot's own."""

from __future__ import annotations

import frontmatter
import pytest

from vaultbot.frontmatter_edit import (
    FrontmatterPatch,
    frontmatter_edits,
    own_line,
    read_own,
    read_tags,
    yaml_scalar,
)
from vaultbot.parser import parse
from vaultbot.writer import splice

USER_BLOCK = (
    "---\n"
    "# reading log, kept by hand\n"
    'title: "February: papers"   # quoted on purpose\n'
    "aliases: [feb, '二月']\n"
    "created: 2026-02-03\n"
    "id: 2301.10000\n"
    "nested:\n"
    "  a: 1   # comment inside\n"
    "  b: [x, y]\n"
    "---\n"
)
BODY = "\n## 2.3\n\n- https://arxiv.org/abs/2512.24880\n"


def apply(text: str, patch: FrontmatterPatch, path: str = "n.md") -> str:
    note = parse(path, text)
    return splice(text, frontmatter_edits(note, patch))


def fm_data(text: str) -> dict[str, object]:
    return dict(frontmatter.loads(text).metadata)


def test_own_keys_are_appended_and_user_lines_stay_byte_for_byte() -> None:
    patch = FrontmatterPatch(own={"vaultbot-papers": ["2301.10000", "hep-th/9901001"]}, add_tags=["nlp"])
    new = apply(USER_BLOCK + BODY, patch)
    user_lines = USER_BLOCK.splitlines(keepends=True)[:-1]
    assert new.startswith("".join(user_lines))
    assert new.endswith("---\n" + BODY)
    added = new[len("".join(user_lines)) : -len("---\n" + BODY)]
    assert added == 'tags:\n  - nlp\nvaultbot-papers: ["2301.10000", "hep-th/9901001"]\n'
    data = fm_data(new)
    assert data["vaultbot-papers"] == ["2301.10000", "hep-th/9901001"]  # strings, not floats
    assert data["id"] == 2301.1  # the user's own unquoted key is still theirs, untouched


def test_second_application_changes_nothing() -> None:
    patch = FrontmatterPatch(own={"vaultbot-papers": ["2301.10000"], "vaultbot-tags": ["nlp"]}, add_tags=["nlp"])
    once = apply(USER_BLOCK + BODY, patch)
    assert frontmatter_edits(parse("n.md", once), patch) == []


def test_own_key_is_updated_in_place_and_removed_when_empty() -> None:
    text = "---\ntitle: x\nvaultbot-papers: [\"1111.1111\"]\nrating: 5\n---\nbody\n"
    updated = apply(text, FrontmatterPatch(own={"vaultbot-papers": ["1111.1111", "2222.22222"]}))
    assert updated == '---\ntitle: x\nvaultbot-papers: ["1111.1111", "2222.22222"]\nrating: 5\n---\nbody\n'
    removed = apply(updated, FrontmatterPatch(own={"vaultbot-papers": None}))
    assert removed == "---\ntitle: x\nrating: 5\n---\nbody\n"


def test_block_list_tags_gain_items_with_the_users_indent() -> None:
    text = "---\ntags:\n- reading   # mine\n- \"to read\"\ntitle: x\n---\n"
    new = apply(text, FrontmatterPatch(add_tags=["nlp", "reading"]))
    assert new == "---\ntags:\n- reading   # mine\n- \"to read\"\n- nlp\ntitle: x\n---\n"
    assert read_tags(parse("n.md", new)) == ["reading", "to read", "nlp"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tags: [reading, \"to-read\"] # my tags\n", "tags: # my tags\n  - reading\n  - to-read\n  - nlp\n"),
        ("tags: reading, paper\n", "tags:\n  - reading\n  - paper\n  - nlp\n"),
        ("tags: reading\n", "tags:\n  - reading\n  - nlp\n"),
        ("tags: []\n", "tags:\n  - nlp\n"),
        ("tags:\n", "tags:\n  - nlp\n"),
        ("tags: ['#yes', 2024]\n", 'tags:\n  - "#yes"\n  - 2024\n  - nlp\n'),
    ],
)
def test_string_and_flow_tags_become_a_block_list_with_user_items_first(line: str, expected: str) -> None:
    text = f"---\ntitle: x\n{line}rating: 5\n---\nbody\n"
    new = apply(text, FrontmatterPatch(add_tags=["nlp"]))
    assert new == f"---\ntitle: x\n{expected}rating: 5\n---\nbody\n"
    before = [str(t) for t in (fm_data(text).get("tags") or [])] if not isinstance(fm_data(text).get("tags"), str) else None
    after = [str(t) for t in fm_data(new)["tags"]]  # type: ignore[union-attr]
    if before is not None:
        assert after == before + ["nlp"]


def test_removing_a_vaultbot_tag_drops_only_its_line() -> None:
    text = "---\ntags:\n  - mine\n  - nlp\n  - llm\nvaultbot-tags: [\"nlp\", \"llm\"]\n---\n"
    new = apply(text, FrontmatterPatch(own={"vaultbot-tags": ["llm"]}, remove_tags=["nlp"]))
    assert new == "---\ntags:\n  - mine\n  - llm\nvaultbot-tags: [\"llm\"]\n---\n"


def test_note_without_frontmatter_gets_a_minimal_one() -> None:
    text = "## 1.2\n\n- https://arxiv.org/abs/2512.24880\n"
    new = apply(text, FrontmatterPatch(own={"vaultbot-papers": ["2512.24880"]}, add_tags=["nlp"]))
    assert new == '---\ntags:\n  - nlp\nvaultbot-papers: ["2512.24880"]\n---\n' + text
    assert fm_data(new) == {"tags": ["nlp"], "vaultbot-papers": ["2512.24880"]}


def test_empty_frontmatter_and_crlf() -> None:
    assert apply("---\n---\nx\n", FrontmatterPatch(add_tags=["nlp"])) == "---\ntags:\n  - nlp\n---\nx\n"
    crlf = "---\r\ntags:\r\n  - mine   # keep me\r\n---\r\nbody\r\n"
    note = parse("c.md", crlf)
    new = splice(crlf, frontmatter_edits(note, FrontmatterPatch(add_tags=["nlp"])), "\r\n")
    assert new == "---\r\ntags:\r\n  - mine   # keep me\r\n  - nlp\r\n---\r\nbody\r\n"


def test_broken_yaml_is_never_edited() -> None:
    text = "---\ntitle: [unclosed\n---\nbody\n"
    assert frontmatter_edits(parse("b.md", text), FrontmatterPatch(add_tags=["nlp"])) == []


def test_nothing_to_do_gives_no_edit() -> None:
    assert frontmatter_edits(parse("n.md", USER_BLOCK), FrontmatterPatch()) == []
    assert frontmatter_edits(parse("n.md", "plain\n"), FrontmatterPatch(own={"vaultbot-x": None})) == []


def test_scalars_and_own_lines_read_back_as_strings() -> None:
    assert yaml_scalar("nlp") == "nlp"
    assert yaml_scalar("yes") == '"yes"'
    assert yaml_scalar("to read") == '"to read"'
    assert yaml_scalar("计算机视觉") == "计算机视觉"
    line = own_line("vaultbot-papers", ["2301.10000", "0704.0001"])
    note = parse("n.md", f"---\n{line}---\n")
    assert read_own(note, "vaultbot-papers") == ["2301.10000", "0704.0001"]
