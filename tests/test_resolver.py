"""Obsidian link resolution: each rule of the issue, in its order, on a real file index."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultbot.config import load_config
from vaultbot.resolver import FileIndex, resolve_path, resolve_target, split_target
from vaultbot.vault import scan_files

FILES = [
    "2026/n.md",
    "2026/asset/x.png",
    "asset/x.png",
    "asset/only-root.png",
    "deep/er/folder/pic.png",
    "deep/pic.png",
    "notes/pic.png",
    "notes/sub/note.md",
    "Readme.md",
    "2026-01.md",
    "img/Photo.PNG",
    "img/photo.png",
    "new/moved.png",
    "a b/Pasted image 1.png",
]


@pytest.fixture(scope="module")
def index() -> FileIndex:
    return FileIndex(FILES)


@pytest.mark.parametrize(
    ("note", "written", "target", "rule"),
    [
        # (1) bare name: anywhere, the note's folder first, then the shortest path
        ("notes/sub/note.md", "pic.png", "deep/pic.png", "name"),
        ("notes/x.md", "pic.png", "notes/pic.png", "name"),
        ("deep/er/folder/n.md", "pic.png", "deep/er/folder/pic.png", "name"),
        ("2026/n.md", "x.png", "asset/x.png", "name"),  # 2026/asset/ is not the note's folder
        ("n.md", "x.png", "asset/x.png", "name"),
        ("n.md", "only-root.png", "asset/only-root.png", "name"),
        # (2) ./ and ../ relative to the note's folder
        ("2026/n.md", "./asset/x.png", "2026/asset/x.png", "relative"),
        ("2026/n.md", "../asset/x.png", "asset/x.png", "relative"),
        ("notes/sub/note.md", "../pic.png", "notes/pic.png", "relative"),
        # (3) exact path from the vault root, a leading / meaning the root
        ("2026/n.md", "/asset/x.png", "asset/x.png", "root"),
        ("notes/sub/note.md", "asset/only-root.png", "asset/only-root.png", "root"),
        ("2026/n.md", "asset/x.png", "asset/x.png", "root"),
        # (4) suffix: the note's folder first, then shorter paths
        ("2026/n.md", "er/folder/pic.png", "deep/er/folder/pic.png", "suffix"),
        ("notes/n.md", "folder/pic.png", "deep/er/folder/pic.png", "suffix"),
        # extensionless wikilinks name notes
        ("notes/sub/note.md", "2026-01", "2026-01.md", "name"),
        ("x.md", "notes/sub/note", "notes/sub/note.md", "root"),
        ("x.md", "sub/note", "notes/sub/note.md", "suffix"),
    ],
)
def test_resolution_rules(
    index: FileIndex, note: str, written: str, target: str, rule: str
) -> None:
    found = resolve_path(written, note, index)
    assert (found.target, found.rule, found.case_mismatch) == (target, rule, False)


def test_asset_folder_beside_the_note_wins_by_suffix() -> None:
    """The issue's example: ``asset/x.png`` from ``2026/n.md`` finds ``2026/asset/x.png``."""
    index = FileIndex(["2026/n.md", "2026/asset/x.png", "2025/asset/x.png"])
    found = resolve_path("asset/x.png", "2026/n.md", index)
    assert (found.target, found.rule) == ("2026/asset/x.png", "suffix")


def test_suffix_prefers_note_folder_over_shorter_path() -> None:
    index = FileIndex(["a/asset/x.png", "zz/yy/asset/x.png", "zz/yy/n.md"])
    assert resolve_path("asset/x.png", "zz/yy/n.md", index).target == "zz/yy/asset/x.png"
    assert resolve_path("asset/x.png", "q/n.md", index).target == "a/asset/x.png"


@pytest.mark.parametrize(
    ("note", "written"),
    [
        ("2026/n.md", "old/moved.png"),  # no fall-back from old/x.png to new/x.png
        ("2026/n.md", "/x.png"),  # a leading / is exact only
        ("2026/n.md", "./x.png"),  # relative means relative
        ("n.md", "nothing.png"),
        ("n.md", "sset/x.png"),  # a suffix matches whole path components only
    ],
)
def test_missing(index: FileIndex, note: str, written: str) -> None:
    found = resolve_path(written, note, index)
    assert (found.target, found.rule) == (None, "missing")


@pytest.mark.parametrize(
    ("note", "written", "looked_for"),
    [
        ("2026/n.md", "../../etc/passwd", "../etc/passwd"),
        ("n.md", "../secret.png", "../secret.png"),
        ("n.md", "asset/../../x.png", "../x.png"),
        ("n.md", "/../x.png", "../x.png"),
    ],
)
def test_targets_escaping_the_vault(
    index: FileIndex, note: str, written: str, looked_for: str
) -> None:
    found = resolve_path(written, note, index)
    assert (found.target, found.rule, found.looked_for) == (None, "outside", looked_for)


@pytest.mark.parametrize(
    ("note", "written", "target", "rule"),
    [
        ("n.md", "readme.md", "Readme.md", "name"),
        ("n.md", "IMG/photo.PNG", "img/Photo.PNG", "root"),
        ("2026/n.md", "../Asset/x.png", "asset/x.png", "relative"),
        ("q/n.md", "A B/Pasted Image 1.png", "a b/Pasted image 1.png", "root"),
        ("q/n.md", "Folder/pic.png", "deep/er/folder/pic.png", "suffix"),
    ],
)
def test_case_mismatch(index: FileIndex, note: str, written: str, target: str, rule: str) -> None:
    found = resolve_path(written, note, index)
    assert (found.target, found.rule, found.case_mismatch) == (target, rule, True)


def test_exact_spelling_beats_a_case_variant(index: FileIndex) -> None:
    found = resolve_path("img/photo.png", "n.md", index)
    assert (found.target, found.case_mismatch) == ("img/photo.png", False)
    found = resolve_path("Photo.PNG", "n.md", index)
    assert (found.target, found.case_mismatch) == ("img/Photo.PNG", False)


@pytest.mark.parametrize(
    ("written", "markdown", "path"),
    [
        (
            "asset/Pasted%20image%2020251208222525.png",
            True,
            "asset/Pasted image 20251208222525.png",
        ),
        ("note#Heading", False, "note"),
        ("x.png|300", False, "x.png"),
        ("doc.pdf#page=3", True, "doc.pdf"),
        ("a%23b.png", True, "a#b.png"),  # an encoded # is part of the name, not a subpath
    ],
)
def test_split_target(written: str, markdown: bool, path: str) -> None:
    assert split_target(written, markdown=markdown) == path


def test_resolve_target_decodes_markdown_destinations(index: FileIndex) -> None:
    found = resolve_target("a%20b/Pasted%20image%201.png#x", "n.md", index, markdown=True)
    assert (found.target, found.rule) == ("a b/Pasted image 1.png", "root")
    found = resolve_target("Pasted image 1.png|200", "n.md", index, markdown=False)
    assert found.target == "a b/Pasted image 1.png"


def test_empty_target(index: FileIndex) -> None:
    assert resolve_path("", "n.md", index).rule == "empty"


def test_index_built_from_a_scanned_vault_ignores_dot_folders(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "x.png").write_bytes(b"png")
    (tmp_path / "n.md").write_text("![](x.png)\n", encoding="utf-8")
    index = FileIndex(scan_files(tmp_path, load_config(tmp_path)))
    assert resolve_path("x.png", "n.md", index).target is None
    assert resolve_path(".obsidian/x.png", "n.md", index).target is None
