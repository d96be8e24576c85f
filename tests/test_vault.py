"""Vault scanning: Obsidian's view of the files, ignore globs, unreadable notes, app.json."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vaultbot.config import load_config
from vaultbot.errors import NoteReadError
from vaultbot.vault import AppSettings, is_ignored, load_vault, read_app_settings


def make(root: Path, files: dict[str, bytes | str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def test_dot_folders_and_dot_files_are_invisible(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "a.md": "# a\n",
            "sub/b.md": "# b\n",
            "sub/img.png": b"png",
            ".obsidian/app.json": "{}",
            ".trash/old.md": "# old\n",
            ".git/HEAD": "ref\n",
            ".vaultbot/cache.sqlite": b"",
            "sub/.hidden.md": "# h\n",
            ".dotdir/x.md": "# x\n",
        },
    )
    vault = load_vault(tmp_path)
    assert vault.files == ("a.md", "sub/b.md", "sub/img.png")
    assert sorted(vault.notes) == ["a.md", "sub/b.md"]
    assert vault.note_paths == ("a.md", "sub/b.md")


def test_ignore_globs_from_the_config(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".vaultbot.toml": '[vault]\nignore = ["templates/", "*.excalidraw.md", "archive/2019/*"]\n',
            "keep.md": "",
            "templates/day.md": "",
            "drawing.excalidraw.md": "",
            "archive/2019/old.md": "",
            "archive/2020/new.md": "",
            "x/templates/deep.md": "",
        },
    )
    assert load_vault(tmp_path).files == ("archive/2020/new.md", "keep.md")


@pytest.mark.parametrize(
    ("rel", "patterns", "ignored"),
    [
        ("a/b/c.md", ["b"], True),
        ("a/b/c.md", ["b/"], True),
        ("a/b.md", ["b/"], False),  # a trailing / means a folder
        ("a/b/c.md", ["a/b/*"], True),
        ("x/a/b/c.md", ["a/b/*"], False),  # a / anchors the pattern at the vault root
        ("a/c.md", ["/a/"], True),
        ("a/c.md", ["  "], False),
    ],
)
def test_is_ignored(rel: str, patterns: list[str], ignored: bool) -> None:
    assert is_ignored(rel, patterns) is ignored


def test_unreadable_notes_are_collected_not_raised(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".vaultbot.toml": "[vault]\nmax_note_bytes = 100\n",
            "ok.md": "# fine\n",
            "latin.md": "ok\nd\u00e9j\u00e0\n".encode("latin-1"),
            "bin.md": b"abc\x00def",
            "big.md": "x" * 101,
        },
    )
    vault = load_vault(tmp_path)
    assert sorted(vault.notes) == ["ok.md"]
    errors = {rel: (e.line, e.reason) for rel, e in vault.unreadable.items()}
    assert errors == {
        "latin.md": (2, "not valid UTF-8 (byte 0xe9 at offset 4)"),
        "bin.md": (1, "binary file (contains NUL bytes); skipped"),
        "big.md": (1, "over the size limit (101 > 100 bytes); skipped"),
    }
    assert (
        str(vault.unreadable["latin.md"]) == "latin.md:2: not valid UTF-8 (byte 0xe9 at offset 4)"
    )


def test_bom_and_line_endings_are_remembered(tmp_path: Path) -> None:
    make(tmp_path, {"bom.md": "\ufeff# t\r\nx\r\n".encode("utf-8")})
    vault = load_vault(tmp_path)
    assert vault.sources["bom.md"].bom is True
    assert vault.sources["bom.md"].newline == "\r\n"
    assert vault.notes["bom.md"].text == "# t\r\nx\r\n"


def test_only_parses_the_named_notes_but_indexes_every_file(tmp_path: Path) -> None:
    make(tmp_path, {"a.md": "", "b.md": "", "img/x.png": b"png"})
    vault = load_vault(tmp_path, only=["b.md"])
    assert sorted(vault.notes) == ["b.md"]
    assert vault.files == ("a.md", "b.md", "img/x.png")


def test_symlinks_out_of_the_vault_are_not_followed(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"secret.md": "# secret\n", "dir/x.md": ""})
    vault_root = make(tmp_path / "vault", {"n.md": ""})
    os.symlink(outside / "secret.md", vault_root / "link.md")
    os.symlink(outside / "dir", vault_root / "dirlink")
    make(vault_root, {"real/inside.md": ""})
    os.symlink(vault_root / "real" / "inside.md", vault_root / "alias.md")
    assert load_vault(vault_root).files == ("alias.md", "n.md", "real/inside.md")


def test_a_file_is_not_a_vault(tmp_path: Path) -> None:
    make(tmp_path, {"n.md": ""})
    with pytest.raises(NoteReadError, match="not a folder"):
        load_vault(tmp_path / "n.md")


def test_app_json_settings(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".obsidian/app.json": '{"attachmentFolderPath": "asset", "useMarkdownLinks": true, '
            '"newLinkFormat": "absolute"}'
        },
    )
    assert read_app_settings(tmp_path) == AppSettings("asset", True, "absolute")
    assert load_vault(tmp_path).app.attachment_folder == "asset"


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", '{"attachmentFolderPath": 3}'])
def test_broken_app_json_falls_back_to_defaults(tmp_path: Path, content: str) -> None:
    make(tmp_path, {".obsidian/app.json": content})
    assert read_app_settings(tmp_path).attachment_folder == "/"


def test_missing_app_json(tmp_path: Path) -> None:
    assert read_app_settings(tmp_path) == AppSettings()


def test_config_attachment_folder_overrides_app_json(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".obsidian/app.json": '{"attachmentFolderPath": "asset"}',
            ".vaultbot.toml": '[vault]\nattachment_folder = "files"\n',
        },
    )
    assert load_vault(tmp_path, load_config(tmp_path)).app.attachment_folder == "files"


def test_with_note_rereads_one_note(tmp_path: Path) -> None:
    make(tmp_path, {"a.md": "# one\n", "b.md": "# b\n"})
    vault = load_vault(tmp_path)
    (tmp_path / "a.md").write_text("# two\n", encoding="utf-8")
    (tmp_path / "b.md").unlink()
    updated = vault.with_note("a.md").with_note("b.md")
    assert updated.notes["a.md"].text == "# two\n"
    assert "b.md" not in updated.notes and updated.files == ("a.md",)
    assert vault.notes["a.md"].text == "# one\n"  # the old snapshot is untouched
