"""``run_sync`` as a library, the way the daemon calls it (issue 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

from vaultbot.sync import run_sync
from vaultbot.vault import load_vault

SAMPLE = Path(__file__).parent.parent / "sample_vault"


def test_run_sync_for_changed_notes_reuses_the_vault(tmp_path: Path) -> None:
    root = tmp_path / "v"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("*-wal", "*-shm", "*.lock"))
    first = run_sync(root, offline=True)
    assert first.changed and not first.skipped
    # The user pastes a bare link to a paper already in the vault's cache into a note.
    note = root / "daily/2026-01.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n- https://arxiv.org/abs/2512.02556\n", encoding="utf-8")
    second = run_sync(root, offline=True, vault=first.vault, changed={"daily/2026-01.md"})
    text = note.read_text(encoding="utf-8")
    assert "- [DeepSeek-V3.2: Pushing the Frontier of Open Large Language Models](https://arxiv.org/abs/2512.02556)\n" in text
    assert "daily/2026-01.md" in second.changed
    assert {d.path for d in second.diagnostics} <= {"daily/2026-01.md"}
    # The daemon's vault now equals a fresh load, and a third run has nothing to do.
    fresh = load_vault(root)
    assert {p: n.text for p, n in second.vault.notes.items()} == {p: n.text for p, n in fresh.notes.items()}
    third = run_sync(root, offline=True, vault=second.vault, changed=set())
    assert not third.changed and third.links_added == third.links_removed == 0


def test_dry_run_reports_the_same_changes_as_a_real_run(tmp_path: Path) -> None:
    root = tmp_path / "v"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("*-wal", "*-shm", "*.lock"))
    dry = run_sync(root, offline=True, dry_run=True)
    real = run_sync(root, offline=True)
    assert dry.changed == real.changed and dry.diff == real.diff
    assert (dry.links_added, dry.links_removed) == (real.links_added, real.links_removed)
    assert [d.sort_key for d in dry.diagnostics] == [d.sort_key for d in real.diagnostics]


def test_paper_nodes_of_some_papers_equal_the_full_calls(tmp_path: Path) -> None:
    import random
    import sys

    from vaultbot.sync import paper_nodes

    sys.path.insert(0, str(SAMPLE.parent / "bench"))
    from generate_vault import generate

    generate(tmp_path / "gen", 150, seed=5)  # papers recur across notes
    for vault in (load_vault(SAMPLE), load_vault(tmp_path / "gen")):
        full = {n.paper_id: n for n in paper_nodes(vault)}
        recurring = sorted(p for p, n in full.items() if len({path for path, _ in n.mentions}) > 1)
        titled = sorted(p for p, n in full.items() if n.title)  # from the cache or a report heading
        assert titled and (recurring or vault.root == SAMPLE)
        rng = random.Random(3)
        for only in (set(), set(rng.sample(titled, 5)), set(recurring[:20]), {"2412.99999"}):
            assert paper_nodes(vault, only) == [full[p] for p in sorted(only & full.keys())]
