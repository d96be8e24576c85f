"""The daemon's link step works in proportion to the change and edits what a full run edits (issue 8)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from vaultbot import link
from vaultbot.daemon.steps import LinkStep
from vaultbot.vault import Vault, load_vault
from vaultbot.writer import apply

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "bench"))
from generate_vault import generate  # noqa: E402


def full_edits(step: LinkStep, vault: Vault) -> list[object]:
    """Return what ``link.link`` over the whole vault yields with the step's current edges."""
    assert step.index is not None
    titles = {pid: node.title for pid, node in step.index.nodes.items() if node.title}
    return list(link.link(vault, step.index.edges(), titles).edits)


def written(vault: Vault, edits: list[object]) -> Vault:
    """Write ``edits`` as the daemon does and return the vault with those notes re-read."""
    result = apply(vault.root, edits, vault.sources)  # type: ignore[arg-type]
    assert not result.skipped
    for rel in result.written:
        vault = vault.with_note(rel)
    return vault


def sample_copy(tmp_path: Path) -> Path:
    """Copy sample_vault (with its metadata cache) into ``tmp_path``."""
    root = tmp_path / "sample"
    shutil.copytree(
        HERE.parent / "sample_vault",
        root,
        ignore=shutil.ignore_patterns("*-wal", "*-shm", "*.lock"),
    )
    return root


def linked(root: Path) -> tuple[Vault, LinkStep]:
    """Load the vault at ``root``, run a new link step on every note and write its edits."""
    vault = load_vault(root)
    step = LinkStep()
    return written(vault, step(vault, sorted(vault.notes)).edits), step


def test_link_step_renders_only_affected_notes_and_matches_a_full_run(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    generate(root, 120, seed=11)
    vault = load_vault(root)
    step = LinkStep()
    first = step(vault, sorted(vault.notes))
    assert step.last_only is None and first.edits == full_edits(step, vault)
    vault = written(vault, first.edits)
    assert step(vault, []).edits == []  # the written notes are checked once more: settled
    daily = sorted(p for p in vault.notes if p.startswith("daily/"))
    late = next(m.paper_id for m in vault.notes[daily[-1]].mentions if not m.in_frontmatter)
    changes = [
        (daily[3], lambda t: t + "\n- a comment with no paper\n"),  # nothing to relink elsewhere
        (daily[0], lambda t: t + f"\n- https://arxiv.org/abs/{late}\n"),  # a target moves earlier
        (daily[-1], lambda t: "every paper removed\n"),
        ("daily/new note.md", lambda t: f"- https://arxiv.org/abs/{late} new thoughts on it\n"),
    ]
    for rel, change in changes:
        path = root / rel
        path.write_text(
            change(path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8"
        )
        vault = vault.with_note(rel)
        previous = set(step.pending)
        outcome = step(vault, [rel])
        assert outcome.edits == full_edits(step, vault), rel
        assert step.edges.edges == step.index.edges(), rel  # type: ignore[union-attr]  # kept up to date
        assert step.titles == {p: n.title for p, n in step.index.nodes.items() if n.title}  # type: ignore[union-attr]
        assert step.last_only is not None
        edited = {e.path for e in outcome.edits}  # type: ignore[attr-defined]
        assert len(step.last_only - edited - previous) < len(vault.notes) // 3, rel  # not the vault
        if "no paper" in path.read_text(encoding="utf-8"):
            assert step.last_only == {rel}  # its papers' lists, targets and titles are the same
        vault = written(vault, outcome.edits)
        assert step(vault, []).edits == [] == full_edits(step, vault)  # converged, nothing pending
        assert step.last_only == edited  # the notes just written, checked once more


def test_link_step_after_a_deletion_removes_links_to_the_gone_papers(tmp_path: Path) -> None:
    root = sample_copy(tmp_path)
    vault, step = linked(root)
    gone = "reports/" + min(p.name for p in (root / "reports").glob("*.md"))
    (root / gone).unlink()
    vault = vault.with_note(gone)
    outcome = step(vault, [gone])
    assert outcome.edits == full_edits(step, vault) and outcome.edits
    vault = written(vault, outcome.edits)
    assert full_edits(step, vault) == []


def test_a_failure_mid_step_makes_the_next_call_start_afresh(tmp_path: Path) -> None:
    import pytest

    root = sample_copy(tmp_path)
    vault, step = linked(root)
    rel = "daily/2026-01.md"
    (root / rel).write_bytes((root / rel).read_bytes() + b"\n- https://arxiv.org/abs/2512.02556\n")
    vault = vault.with_note(rel)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(link, "link_edits", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
        with pytest.raises(RuntimeError):
            step(vault, [rel])
    assert step.plan is None and step.index is None
    outcome = step(vault, [rel])
    assert step.last_only is None and outcome.edits == full_edits(step, vault)


def test_link_step_reads_the_vaults_tag_rules_again_when_the_file_changes(tmp_path: Path) -> None:
    root = sample_copy(tmp_path)
    (root / ".vaultbot.toml").write_text('[resolve]\ntag_rules = "tags.toml"\n', encoding="utf-8")
    rules = root / "tags.toml"
    rules.write_text('[categories]\n"cs.CL" = "language"\n', encoding="utf-8")
    vault, step = linked(root)
    assert step.index is not None and "language" in step.index.nodes["2512.24880"].tags  # cs.CL
    rules.write_text('[categories]\n"cs.CL" = "linguistics"\n', encoding="utf-8")
    rel = "daily/2026-01.md"
    (root / rel).write_bytes((root / rel).read_bytes() + b"\n- a thought with no paper\n")
    vault = vault.with_note(rel)
    step(vault, [rel])
    tags = step.index.nodes["2512.24880"].tags
    assert "linguistics" in tags and "language" not in tags


def test_link_step_shows_a_new_title_wherever_the_paper_is_listed(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    generate(root, 120, seed=11)
    vault, step = linked(root)
    assert step(vault, []).edits == []  # settled: the next call renders only what a change touches
    plan = step.plan
    assert plan is not None
    paper, rel = next(  # a listed paper only one report mentions: its heading is its title
        (p, next(iter(plan.holders[p])))
        for p, others in sorted(plan.related.items())
        if others
        and len(plan.holders[p]) == 1
        and next(iter(plan.holders[p])).startswith("reports/")
    )
    title = step.titles[paper]
    new = title.upper()  # the same words: scores and related lists stay, only the title shows
    old = f"## 📄 {title}\n"
    text = (root / rel).read_text(encoding="utf-8")
    assert text.count(old) == 1 and new != title
    (root / rel).write_text(text.replace(old, f"## 📄 {new}\n"), encoding="utf-8")
    vault = vault.with_note(rel)
    outcome = step(vault, [rel])
    assert step.titles[paper] == new
    assert outcome.edits == full_edits(step, vault)
    assert any(new in e.new for e in outcome.edits if e.path != rel)  # type: ignore[attr-defined]
