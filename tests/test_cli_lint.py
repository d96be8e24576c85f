"""``vaultbot lint`` end to end through the CLI: exact stdout and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from vaultbot.cli import cli

VAULTS = Path(__file__).parent / "vaults"


def copy_vault(case: str, tmp_path: Path) -> Path:
    root = tmp_path / case
    shutil.copytree(VAULTS / case, root)
    return root


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["lint", *args], catch_exceptions=False)


def test_errors_exit_1_with_exact_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_vault("broken", tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("broken")
    assert result.exit_code == 1
    assert result.stdout == (
        "broken/bad-yaml.md:4:1: invalid-frontmatter frontmatter is not valid YAML: while parsing a flow "
        "sequence: did not find expected ',' or ']'\n"
        "broken/binary.md:1:1: unreadable-note note cannot be read: binary file (contains NUL bytes); skipped\n"
        "broken/fine.md:3:5: missing-asset 'missing.png' not found: no file named 'missing.png' in the vault\n"
        "broken/latin1.md:1:1: unreadable-note note cannot be read: not valid UTF-8 (byte 0xe9 at offset 5)\n"
        "Found 4 errors, 0 warnings in 4 files.\n"
    )


def test_warnings_only_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(copy_vault("papers", tmp_path))
    result = run("--select", "duplicate-paper")
    assert result.exit_code == 0
    assert result.stdout == (
        "2026-01.md:8:17: duplicate-paper paper 2512.24880 is already mentioned on line 7\n"
        "2026-01.md:15:9: duplicate-paper paper 2512.22905 is already mentioned on line 9\n"
        "2026-01.md:16:3: duplicate-paper paper 2512.03036 is already mentioned on line 11\n"
        "quiet.md:5:3: duplicate-paper paper 2512.07461 is already mentioned on line 4\n"
        "Found 0 errors, 4 warnings in 2 files.\n"
    )


def test_clean_vault(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("# Fine\n", encoding="utf-8")
    result = run(str(tmp_path))
    assert (result.exit_code, result.stdout) == (0, "All checks passed.\n")


def test_select_and_ignore_repeatable_and_comma_separated(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    result = run(
        str(root),
        "--format",
        "json",
        "--select",
        "missing-asset,case-mismatch",
        "--select",
        "orphan-asset",
        "--ignore",
        "missing-asset",
    )
    assert result.exit_code == 0
    assert [(d["path"], d["rule"]) for d in json.loads(result.stdout)] == [
        ("2026/n.md", "case-mismatch"),
        ("asset/unused.png", "orphan-asset"),
    ]


def test_json_output(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    result = run(str(root / "root.md"), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "path": "root.md",
            "line": 1,
            "column": 5,
            "rule": "missing-asset",
            "severity": "error",
            "message": "'.obsidian/hidden.png' not found: looked for '.obsidian/hidden.png' from the vault root, "
            "then as the end of any vault path",
            "fixable": False,
        }
    ]


def test_github_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_vault("assets", tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("assets", "--format", "github", "--select", "case-mismatch")
    assert result.exit_code == 0
    assert result.stdout == (
        "::warning file=assets/2026/n.md,line=17,col=5,title=case-mismatch::'asset/shot.png' matches "
        "'asset/Shot.PNG' only when letter case is ignored\n"
    )
    assert root.is_dir()


def test_file_names_resolve_against_the_whole_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit passes notes; the vault root is found and every file indexed."""
    root = copy_vault("assets", tmp_path)
    monkeypatch.chdir(root / "2026")
    result = run(
        "n.md", "../.obsidian/app.json", "--select", "missing-asset,orphan-asset,case-mismatch"
    )
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert [line.split(":")[:2] for line in lines[:-1]] == [
        ["n.md", "14"],
        ["n.md", "15"],
        ["n.md", "16"],
        ["n.md", "17"],
        ["n.md", "18"],
        ["n.md", "19"],
        ["n.md", "32"],
    ]
    assert lines[-1] == "Found 6 errors, 1 warning in 1 file (3 fixable with --fix)."


def test_folder_inside_a_vault_lints_its_notes(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    result = run(str(root / "2026"), "--format", "json", "--select", "missing-asset,orphan-asset")
    assert {d["path"] for d in json.loads(result.stdout)} == {"2026/n.md"}


def test_fix_rewrites_certain_fixes_exits_1_then_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "Photo 1.png").write_bytes(b"png")
    note = tmp_path / "n.md"
    note.write_bytes(b"# Day\r\n\r\n![](asset/Photo%201.png)\r\n![](img/photo%201.png)\r\n")
    monkeypatch.chdir(tmp_path)
    first = run("--fix")
    assert (first.exit_code, first.stdout) == (1, "Fixed 2 problems. All checks passed.\n")
    assert note.read_bytes() == b"# Day\r\n\r\n![](img/Photo%201.png)\r\n![](img/Photo%201.png)\r\n"
    second = run("--fix")
    assert (second.exit_code, second.stdout) == (0, "All checks passed.\n")


def test_exit_zero(tmp_path: Path) -> None:
    root = copy_vault("broken", tmp_path)
    assert run(str(root), "--exit-zero").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "bogus"], "Error: --select/--ignore: unknown rule 'bogus'"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(str(copy_vault("papers", tmp_path)), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_bad_config_exits_2_naming_the_file(tmp_path: Path) -> None:
    root = copy_vault("papers", tmp_path)
    (root / ".vaultbot.toml").write_text("[lint]\nselec = []\n", encoding="utf-8")
    result = run(str(root))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: {root / '.vaultbot.toml'}: unknown key lint.selec; valid: select,"
    )


def test_list_rules() -> None:
    result = run("--list-rules")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "bad-day-heading      error    Bad day heading",
        "bare-paper-link      warning  Bare paper link",
        "case-mismatch        warning  Case mismatch",
        "duplicate-paper      warning  Duplicate paper",
        "invalid-frontmatter  error    Invalid frontmatter",
        "missing-asset        error    Missing asset",
        "orphan-asset         warning  Orphan asset",
        "unreadable-note      error    Unreadable note",
    ]
    rules = json.loads(run("--list-rules", "--format", "json").stdout)
    assert rules[5]["id"] == "missing-asset" and rules[5]["fix"].startswith("Restore the file")


def test_two_vaults_show_each_finding_under_its_own_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two vaults hold the same vault path (2026/n.md): each finding names its vault."""
    for name in ("one", "two"):
        shutil.copytree(VAULTS / "assets", tmp_path / name)
    (tmp_path / "two" / "2026" / "n.md").write_text("![](asset/gone.png)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    lines = run("one", "two", "--select", "missing-asset").stdout.splitlines()[:-1]
    one = [line for line in lines if line.startswith("one/2026/n.md:")]
    two = [line for line in lines if line.startswith("two/2026/n.md:")]
    assert len(one) == 6 and len(two) == 1 and "asset/gone.png" in two[0]
    assert all(line.startswith(("one/", "two/")) for line in lines)
