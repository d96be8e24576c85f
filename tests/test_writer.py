"""The writer is the only code that touches notes: test every promise it makes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vaultbot.diagnostics import Edit
from vaultbot.writer import (
    EditConflict,
    Source,
    apply,
    atomic_write,
    decode,
    detect_newline,
    encode,
    splice,
)

SEED_LINE = "- mHC https://arxiv.org/abs/2512.24880\n\t- DeepSeek的论文，对于残差流进行了修改\n"


def _source(raw: bytes) -> Source:
    text, bom = decode(raw)
    return Source(raw=raw, bom=bom, newline=detect_newline(text))


def _edit_url(text: str, path: str = "n.md") -> Edit:
    url = "https://arxiv.org/abs/2512.24880"
    start = text.index(url)
    return Edit(path, start, start + len(url), url, f"[mHC: Manifold-Constrained Hyper-Connections]({url})")


def test_splice_applies_edits_in_reverse_offset_order() -> None:
    text = "abc def ghi"
    edits = [Edit("n.md", 0, 3, "abc", "A"), Edit("n.md", 8, 11, "ghi", "GHI!")]
    assert splice(text, edits) == "A def GHI!"


def test_splice_refuses_overlaps_and_stale_old_text() -> None:
    with pytest.raises(EditConflict):
        splice("abcdef", [Edit("n.md", 0, 3, "abc", "x"), Edit("n.md", 2, 4, "cd", "y")])
    with pytest.raises(EditConflict):
        splice("abcdef", [Edit("n.md", 0, 3, "xyz", "x")])


def test_splice_converts_new_lines_to_the_note_newline() -> None:
    text = "a\r\nb\r\n"
    out = splice(text, [Edit("n.md", 3, 3, "", "inserted\n")], "\r\n")
    assert out == "a\r\ninserted\r\nb\r\n"


@pytest.mark.parametrize(
    "raw",
    [
        SEED_LINE.encode(),
        b"\xef\xbb\xbf" + SEED_LINE.encode(),
        SEED_LINE.replace("\n", "\r\n").encode(),
        SEED_LINE.rstrip("\n").encode(),
    ],
    ids=["lf", "bom", "crlf", "no-final-newline"],
)
def test_apply_preserves_bom_line_endings_and_everything_else(tmp_path: Path, raw: bytes) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(raw)
    text, bom = decode(raw)
    result = apply(tmp_path, [_edit_url(text)], {"n.md": _source(raw)})
    assert result.written == ["n.md"]
    new = note.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") == bom
    assert new.count(b"\r\n") == raw.count(b"\r\n")
    expected = raw.replace(b"https://arxiv.org/abs/2512.24880", b"[mHC: Manifold-Constrained Hyper-Connections](https://arxiv.org/abs/2512.24880)")
    assert new == expected


def test_apply_keeps_file_mode(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(SEED_LINE.encode())
    os.chmod(note, 0o600)
    apply(tmp_path, [_edit_url(SEED_LINE)], {"n.md": _source(SEED_LINE.encode())})
    assert stat.S_IMODE(note.stat().st_mode) == 0o600


def test_apply_skips_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(SEED_LINE.encode())
    source = _source(SEED_LINE.encode())
    users_edit = SEED_LINE + "- typed meanwhile\n"
    note.write_text(users_edit, encoding="utf-8")
    result = apply(tmp_path, [_edit_url(SEED_LINE)], {"n.md": source})
    assert result.written == [] and result.skipped[0][0] == "n.md"
    assert note.read_text(encoding="utf-8") == users_edit


def test_dry_run_writes_nothing_and_returns_a_diff(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(SEED_LINE.encode())
    result = apply(tmp_path, [_edit_url(SEED_LINE)], {"n.md": _source(SEED_LINE.encode())}, dry_run=True)
    assert note.read_bytes() == SEED_LINE.encode()
    diff = "".join(result.diff)
    assert diff.startswith("--- a/n.md\n+++ b/n.md\n")
    assert "+- mHC [mHC: Manifold-Constrained Hyper-Connections](https://arxiv.org/abs/2512.24880)" in diff


def test_apply_refuses_symlinks_and_paths_outside_the_vault(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    outside = tmp_path / "outside.md"
    outside.write_bytes(SEED_LINE.encode())
    (vault / "link.md").symlink_to(outside)
    src = _source(SEED_LINE.encode())
    result = apply(vault, [_edit_url(SEED_LINE, "link.md"), _edit_url(SEED_LINE, "../outside.md")],
                   {"link.md": src, "../outside.md": src})
    assert result.written == []
    assert {p for p, _ in result.skipped} == {"link.md", "../outside.md"}
    assert outside.read_bytes() == SEED_LINE.encode()


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "n.md"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.md"]


def test_encode_round_trips_decode() -> None:
    raw = b"\xef\xbb\xbf# \xe6\xa0\x87\xe9\xa2\x98\r\n"
    text, bom = decode(raw)
    assert encode(text, bom) == raw
