"""The lint engine: catalogue validation, select/ignore, severity overrides, suppression, crashes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultbot.diagnostics import Diagnostic
from vaultbot.errors import ConfigError, RuleError
from vaultbot.lint import lint, load_rules
from vaultbot.lint.checks import REGISTRY
from vaultbot.lint.context import LintContext
from vaultbot.lint.engine import Check, Rule, Selection, load_catalogue, run
from vaultbot.lint.suppress import Suppressions
from vaultbot.model import Note
from vaultbot.parser import parse
from vaultbot.rules_data import rule_file
from vaultbot.vault import load_vault

VAULTS = Path(__file__).parent / "vaults"
ENTRY = 'id = "{id}"\nname = "N"\nseverity = "warning"\ndescription = "D"\nfix = "F"\n'


def catalogue(tmp_path: Path, *ids: str, extra: str = "") -> Path:
    path = tmp_path / "lint.toml"
    path.write_text(
        "".join("[[rule]]\n" + ENTRY.format(id=i) + extra for i in ids), encoding="utf-8"
    )
    return path


def test_packaged_catalogue_matches_the_registry() -> None:
    rules = load_rules()
    assert list(rules) == sorted(REGISTRY)
    assert {
        "missing-asset",
        "case-mismatch",
        "bare-paper-link",
        "invalid-frontmatter",
        "unreadable-note",
        "orphan-asset",
        "bad-day-heading",
        "duplicate-paper",
    } <= set(rules)
    assert rules["missing-asset"].severity == "error"
    assert rules["bare-paper-link"].severity == "warning"
    assert all(r.description and r.fix for r in rules.values())


def test_unknown_rule_id_fails_at_load_naming_the_file(tmp_path: Path) -> None:
    path = catalogue(tmp_path, *REGISTRY, "no-such-rule")
    with pytest.raises(RuleError, match=rf"{path}: unknown rule id 'no-such-rule'"):
        load_catalogue(path, REGISTRY)


def test_duplicate_rule_id_fails_at_load_naming_the_file(tmp_path: Path) -> None:
    path = catalogue(tmp_path, *REGISTRY, "missing-asset")
    with pytest.raises(RuleError, match=rf"{path}: duplicate rule id 'missing-asset'"):
        load_catalogue(path, REGISTRY)


def test_check_without_catalogue_entry_fails(tmp_path: Path) -> None:
    path = catalogue(tmp_path, *[r for r in REGISTRY if r != "orphan-asset"])
    with pytest.raises(
        RuleError, match="no catalogue entry for the registered checks orphan-asset"
    ):
        load_catalogue(path, REGISTRY)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "red"\n', "unknown keys \\['colour'\\]"),
        ("off_by_default = 1\n", "off_by_default must be true or false"),
    ],
)
def test_bad_catalogue_entries(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_catalogue(catalogue(tmp_path, *REGISTRY, extra=extra), REGISTRY)


def test_bad_severity_and_id_in_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "lint.toml"
    path.write_text("[[rule]]\n" + ENTRY.format(id="Missing_Asset"), encoding="utf-8")
    with pytest.raises(RuleError, match="must be kebab-case"):
        load_catalogue(path, REGISTRY)
    path.write_text(
        "[[rule]]\n" + ENTRY.format(id="missing-asset").replace("warning", "fatal"),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="severity must be one of error, warning, info"):
        load_catalogue(path, REGISTRY)


def rule(rid: str, off: bool = False) -> Rule:
    return Rule(rid, rid, "warning", "d", "f", off)


@pytest.mark.parametrize(
    ("layers", "rid", "off", "enabled"),
    [
        ((), "a", False, True),
        ((), "a", True, False),  # opt-in rules need selecting
        (((frozenset({"a"}), frozenset()),), "a", True, True),
        (((frozenset({"b"}), frozenset()),), "a", False, False),  # select means "only these"
        (((frozenset({"ALL"}), frozenset({"a"})),), "a", False, False),
        (((frozenset({"a"}), frozenset({"ALL"})),), "a", False, True),  # explicit beats implicit
        (((frozenset({"a"}), frozenset({"a"})),), "a", False, False),  # a tie: ignore wins
        (
            ((frozenset(), frozenset({"a"})), (frozenset({"a"}), frozenset())),
            "a",
            False,
            True,
        ),  # CLI beats config
        (((frozenset(), frozenset({"a"})), (frozenset(), frozenset({"b"}))), "a", False, False),
    ],
)
def test_selection(layers: tuple, rid: str, off: bool, enabled: bool) -> None:
    assert Selection(layers).enabled(rule(rid, off)) is enabled


def copy_vault(case: str, tmp_path: Path) -> Path:
    root = tmp_path / case
    shutil.copytree(VAULTS / case, root)
    return root


def test_config_select_ignore_and_severity(tmp_path: Path) -> None:
    root = copy_vault("papers", tmp_path)
    (root / ".vaultbot.toml").write_text(
        '[lint]\nignore = ["duplicate-paper"]\n[lint.severity]\nbare-paper-link = "error"\n',
        encoding="utf-8",
    )
    found = lint(load_vault(root))
    assert {(d.rule, d.severity) for d in found} == {("bare-paper-link", "error")}
    assert {d.rule for d in lint(load_vault(root), select=["duplicate-paper"])} == {
        "duplicate-paper"
    }


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[lint]\nselect = ["missing-assets"]\n',
            r"\.vaultbot\.toml: \[lint\]: unknown rule 'missing-assets'",
        ),
        (
            '[lint.severity]\nmissing-asset = "fatal"\n',
            "lint.severity.missing-asset must be one of",
        ),
        ('[lint.severity]\nnope = "error"\n', "lint.severity: unknown rule 'nope'"),
    ],
)
def test_config_errors_name_the_file(tmp_path: Path, toml: str, message: str) -> None:
    root = copy_vault("papers", tmp_path)
    (root / ".vaultbot.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        lint(load_vault(root))


def test_unknown_rule_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--select/--ignore: unknown rule 'bogus'"):
        lint(load_vault(copy_vault("papers", tmp_path)), ignore=["bogus"])


def test_inline_suppression_for_a_line_and_a_note(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    lines = {
        d.line for d in lint(load_vault(root), select=["missing-asset"]) if d.path == "2026/n.md"
    }
    assert {30, 31} & lines == set()  # vaultbot-ignore: missing-asset / vaultbot-ignore (all)
    assert 32 in lines  # vaultbot-ignore: case-mismatch does not silence missing-asset
    papers = copy_vault("papers", tmp_path)
    found = {(d.path, d.rule) for d in lint(load_vault(papers))}
    assert ("quiet.md", "bare-paper-link") not in found  # frontmatter key
    assert ("quiet.md", "duplicate-paper") in found
    assert ("quiet-file.md", "duplicate-paper") not in found  # %% vaultbot-ignore-file: ... %%
    assert ("quiet-file.md", "bare-paper-link") in found


def test_html_comment_suppression(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text(
        "![](gone.png) <!-- vaultbot-ignore: missing-asset -->\n![](gone2.png)\n"
    )
    assert [d.line for d in lint(load_vault(tmp_path))] == [2]


def test_a_crashing_check_becomes_one_finding(tmp_path: Path) -> None:
    def explode(note: Note, ctx: LintContext, r: Rule) -> Iterator[Diagnostic]:
        if note.path == "b.md":
            raise ZeroDivisionError("boom")
        yield r.at(note.path, 1, 1, "fine")

    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text("# x\n", encoding="utf-8")
    found = run(
        LintContext(load_vault(tmp_path), True),
        [rule("boom-rule")],
        {"boom-rule": Check("note", explode)},
    )
    assert [(d.path, d.rule, d.severity) for d in found] == [
        ("a.md", "boom-rule", "warning"),
        ("b.md", "boom-rule", "error"),
        ("c.md", "boom-rule", "warning"),
    ]
    assert (
        found[1].message
        == "check boom-rule crashed: ZeroDivisionError: boom (a vaultbot bug; please report it)"
    )


def test_output_is_sorted(tmp_path: Path) -> None:
    found = lint(load_vault(copy_vault("assets", tmp_path)))
    assert [d.sort_key for d in found] == sorted(d.sort_key for d in found)


def test_rule_file_is_found() -> None:
    assert rule_file("lint.toml").is_file()


@pytest.mark.parametrize(
    ("text", "line_rules", "file_rules"),
    [
        (
            "x %% vaultbot-ignore: missing-asset, case-mismatch %%\n",
            {1: {"missing-asset", "case-mismatch"}},
            set(),
        ),
        ("a\nx %% vaultbot-ignore %%\n", {2: {"*"}}, set()),
        ("x <!-- vaultbot-ignore: bare-paper-link -->\n", {1: {"bare-paper-link"}}, set()),
        ("%% vaultbot-ignore-file: duplicate-paper %%\nx\n", {}, {"duplicate-paper"}),
        ("%% vaultbot-ignore-file %%\n", {}, {"*"}),
        (
            "---\nvaultbot-ignore: bare-paper-link, orphan-asset\n---\nx\n",
            {},
            {"bare-paper-link", "orphan-asset"},
        ),
        ("---\nvaultbot-ignore: true\n---\nx\n", {}, {"*"}),
        ("`%% vaultbot-ignore %%` in code\n", {}, set()),
        ("%% a plain comment %%\n", {}, set()),
    ],
)
def test_suppression_syntax(
    text: str, line_rules: dict[int, set[str]], file_rules: set[str]
) -> None:
    quiet = Suppressions.of(parse("n.md", text))
    assert {k: set(v) for k, v in quiet.by_line.items()} == line_rules
    assert set(quiet.whole_note) == file_rules


def test_missing_catalogue_file_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="cannot read the rule catalogue"):
        load_rules(tmp_path / "nope.toml")
