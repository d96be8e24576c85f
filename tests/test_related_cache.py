"""The related-edges cache: reused only while nothing the graph reads has changed (issue 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

from vaultbot import related_cache
from vaultbot.sync import related_edges, run_sync
from vaultbot.vault import load_vault

SAMPLE = Path(__file__).parent.parent / "sample_vault"


def synced_copy(tmp_path: Path) -> Path:
    root = tmp_path / "v"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("*-wal", "*-shm", "*.lock"))
    run_sync(root, offline=True)
    return root


def test_links_written_by_sync_do_not_invalidate_the_edges(tmp_path: Path) -> None:
    root = synced_copy(tmp_path)
    vault = load_vault(root)
    stored = related_cache.load(vault, related_cache.fingerprint(vault))
    assert stored is not None and stored[0]


def test_stored_edges_equal_a_fresh_build(tmp_path: Path) -> None:
    root = synced_copy(tmp_path)
    vault = load_vault(root)
    cached = related_edges(vault)
    (root / ".vaultbot" / related_cache.FILE_NAME).unlink()
    assert related_edges(vault, remember=False) == cached


def test_user_commentary_or_config_changes_the_fingerprint(tmp_path: Path) -> None:
    root = synced_copy(tmp_path)
    before = related_cache.fingerprint(load_vault(root))
    note = root / "daily/2025-12.md"
    original = note.read_text(encoding="utf-8")
    note.write_text(original.replace("VisAudio：基于视频的双耳音频生成", "VisAudio：基于视频的空间音频生成"), encoding="utf-8")
    assert related_cache.fingerprint(load_vault(root)) != before
    note.write_text(original, encoding="utf-8")
    assert related_cache.fingerprint(load_vault(root)) == before
    (root / ".vaultbot.toml").write_text("[link]\ntop_k = 3\n", encoding="utf-8")
    assert related_cache.fingerprint(load_vault(root)) != before


def test_a_corrupt_edges_file_means_a_rebuild(tmp_path: Path) -> None:
    root = synced_copy(tmp_path)
    (root / ".vaultbot" / related_cache.FILE_NAME).write_text("{not json", encoding="utf-8")
    vault = load_vault(root)
    assert related_cache.load(vault, related_cache.fingerprint(vault)) is None
    second = run_sync(root, offline=True)
    assert not second.changed
    assert related_cache.load(vault, related_cache.fingerprint(vault)) is not None
