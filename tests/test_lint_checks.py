"""Each lint rule on real small vaults (tests/vaults/<case>/, copied to tmp_path)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vaultbot.config import load_config
from vaultbot.diagnostics import Diagnostic
from vaultbot.lint import lint
from vaultbot.vault import load_vault
from vaultbot.writer import apply

VAULTS = Path(__file__).parent / "vaults"


def copy_vault(case: str, tmp_path: Path) -> Path:
    root = tmp_path / case
    shutil.copytree(VAULTS / case, root)
    return root


def findings(root: Path, rule: str, **kwargs: object) -> list[tuple[str, int, int]]:
    return [(d.path, d.line, d.column) for d in lint(load_vault(root, **kwargs), select=[rule])]


def messages(root: Path, rule: str) -> dict[tuple[str, int], Diagnostic]:
    return {(d.path, d.line): d for d in lint(load_vault(root), select=[rule])}


def test_missing_asset_follows_obsidian_resolution(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    assert findings(root, "missing-asset") == [
        ("2026/n.md", 14, 5),  # asset/gone.png
        ("2026/n.md", 15, 5),  # asset/moved.png, only archive/moved.png exists
        ("2026/n.md", 16, 4),  # ![[also gone.png]]
        ("2026/n.md", 18, 5),  # ../../etc/passwd.png escapes the vault
        ("2026/n.md", 19, 5),  # /x.png: a leading / is exact from the root
        ("2026/n.md", 32, 5),  # suppressed for case-mismatch only
        ("root.md", 1, 5),  # .obsidian/ is invisible to Obsidian
    ]


def test_missing_asset_says_where_it_looked(tmp_path: Path) -> None:
    found = messages(copy_vault("assets", tmp_path), "missing-asset")
    assert found[("2026/n.md", 14)].message == (
        "'asset/gone.png' not found: looked for 'asset/gone.png' from the vault root, "
        "then as the end of any vault path"
    )
    assert (
        found[("2026/n.md", 16)].message
        == "'also gone.png' not found: no file named 'also gone.png' in the vault"
    )
    assert "points outside the vault" in found[("2026/n.md", 18)].message
    assert found[("2026/n.md", 18)].fix == ()
    assert found[("2026/n.md", 14)].severity == "error"


def test_missing_asset_suggests_the_one_file_of_that_name(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    vault = load_vault(root)
    found = {d.line: d for d in lint(vault, select=["missing-asset"])}
    assert found[15].message.endswith("the only file of that name is 'archive/moved.png'")
    (edit,) = found[15].fix
    assert (edit.old, edit.new) == ("asset/moved.png", "archive/moved.png")
    assert found[19].fix[0].new == "/2026/asset/x.png"
    apply(root, [e for d in found.values() for e in d.fix], vault.sources)
    assert findings(root, "missing-asset") == [
        ("2026/n.md", 14, 5),
        ("2026/n.md", 16, 4),
        ("2026/n.md", 18, 5),
        ("2026/n.md", 32, 5),
        ("root.md", 1, 5),
    ]
    text = (root / "2026/n.md").read_text(encoding="utf-8")
    assert "![](archive/moved.png)\n" in text and "![](/2026/asset/x.png)\n" in text


def test_fix_percent_encodes_markdown_and_keeps_wikilink_suffixes(tmp_path: Path) -> None:
    root = tmp_path / "v"
    (root / "img" / "a b").mkdir(parents=True)
    (root / "img" / "a b" / "Pasted image 9.png").write_bytes(b"png")
    (root / "n.md").write_text(
        "![](asset/Pasted%20image%209.png#x)\n![[old/Pasted image 9.png|300]]\n![](<old/Pasted image 9.png>)\n",
        encoding="utf-8",
    )
    fixes = [d.fix[0] for d in lint(load_vault(root), select=["missing-asset"])]
    assert [(e.old, e.new) for e in fixes] == [
        ("asset/Pasted%20image%209.png", "img/a%20b/Pasted%20image%209.png"),
        ("old/Pasted image 9.png", "img/a b/Pasted image 9.png"),
        ("old/Pasted image 9.png", "img/a b/Pasted image 9.png"),
    ]


def test_case_mismatch_is_a_warning_not_a_missing_asset(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    found = lint(load_vault(root), select=["case-mismatch"])
    assert [(d.path, d.line, d.severity) for d in found] == [("2026/n.md", 17, "warning")]
    assert (
        found[0].message
        == "'asset/shot.png' matches 'asset/Shot.PNG' only when letter case is ignored"
    )
    assert (found[0].fix[0].old, found[0].fix[0].new) == ("asset/shot.png", "asset/Shot.PNG")


def test_orphan_asset_only_on_whole_vault_runs(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    assert findings(root, "orphan-asset") == [("asset/unused.png", 1, 1)]
    assert findings(root, "orphan-asset", only=["2026/n.md"]) == []


@pytest.mark.parametrize(
    ("folder", "orphans"),
    [
        ("asset", ["asset/unused.png"]),
        ("/", []),  # only files directly in the vault root; it holds notes alone
        ("archive", ["archive/moved.png"]),  # the note still points at asset/moved.png
        ("./asset", ["asset/unused.png"]),  # an asset/ folder next to each note
    ],
)
def test_orphan_asset_follows_the_attachment_folder(
    tmp_path: Path, folder: str, orphans: list[str]
) -> None:
    root = copy_vault("assets", tmp_path)
    (root / ".vaultbot.toml").write_text(
        f'[vault]\nattachment_folder = "{folder}"\n', encoding="utf-8"
    )
    assert [d.path for d in lint(load_vault(root), select=["orphan-asset"])] == orphans


def test_orphan_asset_counts_frontmatter_references(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    (root / "cover.md").write_text('---\ncover: "[[unused.png]]"\n---\n# Cover\n', encoding="utf-8")
    assert findings(root, "orphan-asset") == []


def test_orphan_asset_counts_canvas_file_nodes(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    canvas = '{"nodes": [{"id": "1", "type": "file", "file": "asset/unused.png", "x": 0, "y": 0}]}'
    (root / "map.canvas").write_text(canvas, encoding="utf-8")
    (root / "broken.canvas").write_text("{not json", encoding="utf-8")
    assert findings(root, "orphan-asset") == []


def test_bare_paper_link_skips_frontmatter_code_comments_and_titled_links(tmp_path: Path) -> None:
    root = copy_vault("papers", tmp_path)
    assert findings(root, "bare-paper-link") == [
        ("2026-01.md", 7, 7),
        ("2026-01.md", 8, 17),
        ("2026-01.md", 10, 6),  # glued to Chinese text, ends at the CJK comma
        ("2026-01.md", 11, 3),  # <autolink>
        ("2026-01.md", 15, 9),
        ("quiet-file.md", 2, 3),
        ("quiet-file.md", 3, 3),
    ]
    found = messages(root, "bare-paper-link")
    assert found[("2026-01.md", 10)].message == (
        "bare paper link https://huggingface.co/papers/2602.05258 (arXiv 2602.05258) has no title; "
        "run `vaultbot resolve`"
    )
    assert found[("2026-01.md", 10)].severity == "warning"


def test_duplicate_paper_across_entries_not_within_one(tmp_path: Path) -> None:
    root = copy_vault("papers", tmp_path)
    found = messages(root, "duplicate-paper")
    assert sorted(found) == [
        ("2026-01.md", 8),
        ("2026-01.md", 15),
        ("2026-01.md", 16),
        ("quiet.md", 5),
    ]
    assert found[("2026-01.md", 15)].message == "paper 2512.22905 is already mentioned on line 9"


def test_bad_day_heading(tmp_path: Path) -> None:
    root = copy_vault("days", tmp_path)
    found = messages(root, "bad-day-heading")
    assert {key: d.message for key, d in found.items()} == {
        ("2025-12.md", 11): "day heading '1.1' is out of order (days in this note are ascending)",
        ("2025-12.md", 13): "day 1.2 already has a heading on line 9",
        ("2025-12.md", 15): "day heading '2.29' is not a real date in 2025",
        ("2025-12.md", 17): "day heading '13.4' is not a real date",
        ("2025-12.md", 19): "day heading '4.31' is not a real date",
        (
            "newest-first.md",
            5,
        ): "day heading '1.13' is out of order (days in this note are descending)",
    }


def test_invalid_frontmatter_names_the_yaml_line(tmp_path: Path) -> None:
    root = copy_vault("broken", tmp_path)
    (diag,) = lint(load_vault(root), select=["invalid-frontmatter"])
    assert (diag.path, diag.line, diag.severity) == ("bad-yaml.md", 4, "error")
    assert diag.message.startswith("frontmatter is not valid YAML: ")


def test_unreadable_notes_are_findings_and_the_run_goes_on(tmp_path: Path) -> None:
    root = copy_vault("broken", tmp_path)
    (root / "huge.md").write_text("x" * 2000, encoding="utf-8")
    (root / ".vaultbot.toml").write_text("[vault]\nmax_note_bytes = 1000\n", encoding="utf-8")
    found = lint(load_vault(root, load_config(root)), select=["unreadable-note", "missing-asset"])
    assert [(d.path, d.line, d.rule) for d in found] == [
        ("binary.md", 1, "unreadable-note"),
        ("fine.md", 3, "missing-asset"),
        ("huge.md", 1, "unreadable-note"),
        ("latin1.md", 1, "unreadable-note"),
    ]
    assert found[0].message == "note cannot be read: binary file (contains NUL bytes); skipped"
    assert (
        found[2].message
        == "note cannot be read: over the size limit (2,000 > 1,000 bytes); skipped"
    )
    assert found[3].message == "note cannot be read: not valid UTF-8 (byte 0xe9 at offset 5)"


def test_lint_never_writes(tmp_path: Path) -> None:
    root = copy_vault("assets", tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    lint(load_vault(root))
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def in_folder_by_rule(path: str, folder: str) -> bool:
    """The attachment folder rule, path by path (vaultbot.lint.orphans' docstring)."""
    folder = folder.strip().replace("\\", "/")
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    if folder in ("", "/"):
        return "/" not in path
    if folder in (".", "./"):
        return True
    if folder.startswith("./"):
        name = folder[2:].strip("/")
        return parent == name or parent.endswith("/" + name)
    return path.startswith(folder.strip("/") + "/")


@pytest.mark.parametrize(
    "folder", ["asset", "/asset/", "asset\\", " b/c ", "a", "/", "./", "./sub", "./asset", "."]
)
def test_attachment_folder_is_found_as_the_rule_says(folder: str) -> None:
    from vaultbot.lint.orphans import _in_attachment_folder

    files = tuple(
        sorted(
            ["a.png", "a/x.png", "a0/y.png", "asset", "asset.png", "asset/x.png", "asset/d/y.png",
             "asset0/z.png", "asset-1/z.png", "Asset/q.png", "assets/x.png", "b/c/x.png",
             "b/c.png", "n/sub/x.png", "sub/y.png", "x.png", "n/asset/x.png", "myasset/x.png",
             "n/asset/d/x.png"]
        )
    )
    expected = [p for p in files if in_folder_by_rule(p, folder)]
    assert expected and list(_in_attachment_folder(files, folder)) == expected
