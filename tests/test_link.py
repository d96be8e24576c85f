"""vaultbot link / clean on real small vaults: symmetric, idempotent, byte-exact (issue 6)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from vaultbot import link, regions
from vaultbot.papers import block_id_for
from vaultbot.vault import load_vault
from vaultbot.writer import apply

HERE = Path(__file__).parent
SMALL = HERE / "vaults" / "link_small"
SAMPLE = HERE.parent / "sample_vault"

# Pairs a reader calls related, among the papers of tests/vaults/link_small (scores are
# the input of link; which pairs are related is similarity's job, tested there).
EDGES = {
    ("2505.06708", "2512.02556"): 0.71,  # gated attention / DeepSeek sparse attention
    ("2505.06708", "2602.05258"): 0.52,  # attention / long-context RoPE
    ("2512.03036", "2512.13507"): 0.66,  # binaural audio from video / audio-video generation
    ("2512.13507", "2512.22905"): 0.63,  # audio-video generation / sounding-video LLM
    ("2512.24601", "2602.05258"): 0.48,  # long context, both
}


def seed_titles() -> dict[str, str]:
    papers = json.loads((HERE / "data" / "seed_papers.json").read_text(encoding="utf-8"))["papers"]
    return {p["id"]: p["title"] for p in papers}


TITLES = seed_titles()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(SMALL, root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def run_link(root: Path, edges: dict[tuple[str, str], float] = EDGES) -> link.LinkResult:
    vault = load_vault(root)
    result = link.link(vault, edges, TITLES)
    written = apply(vault.root, result.edits, vault.sources)
    assert not written.skipped
    return result


def run_clean(root: Path) -> None:
    vault = load_vault(root)
    apply(vault.root, link.clean(vault).edits, vault.sources)


def related_of(root: Path) -> dict[tuple[str, str], set[str]]:
    """Return (note, paper on the anchor line) -> block IDs its related line links to."""
    vault = load_vault(root)
    out: dict[tuple[str, str], set[str]] = {}
    for rel, note in vault.notes.items():
        for found in regions.find_related_lines(note):
            anchors = [m for m in note.mentions if m.anchor_line < found.line and not m.in_frontmatter]
            anchor = max(anchors, key=lambda m: m.anchor_line)
            out[(rel, anchor.paper_id)] = set(found.block_ids)
    return out


def test_links_are_written_under_each_mention_with_block_ids(small: Path) -> None:
    result = run_link(small)
    text = (small / "daily/2025-12.md").read_text(encoding="utf-8")
    assert "- https://arxiv.org/abs/2512.02556 ^arxiv-2512-02556\n" in text
    assert ("\t- related: [[2025-12#^arxiv-2505-06708|Gated Attention for Large Language Models]] "
            "%%vaultbot%%\n") in text
    report = (small / "reports/HF Daily 2026-02-07.md").read_text(encoding="utf-8")
    assert ("- **链接**: https://huggingface.co/papers/2602.05258 ^arxiv-2602-05258\n"
            "\t- related: [[2025-12#^arxiv-2505-06708|Gated Attention for Large Language Models]] · "
            "[[2026-01#^arxiv-2512-24601|Recursive Language Models]] %%vaultbot%%\n"
            "- **阅读来源**: HTML\n") in report
    assert result.links_added == 10 and result.links_removed == 0


def test_links_are_symmetric(small: Path) -> None:
    run_link(small)
    related = related_of(small)
    by_paper = {paper: ids for (_, paper), ids in related.items()}
    for (a, b) in EDGES:
        assert block_id_for(b) in by_paper[a]
        assert block_id_for(a) in by_paper[b]
    assert sum(len(ids) for ids in by_paper.values()) == 2 * len(EDGES)


def test_second_run_changes_nothing(small: Path) -> None:
    run_link(small)
    before = snapshot(small)
    assert link.link(load_vault(small), EDGES, TITLES).edits == []
    run_link(small)
    assert snapshot(small) == before


def assert_user_lines_kept(root: Path, before: dict[str, bytes]) -> None:
    """Every user line is still there, in order, changed at most by an appended block ID."""
    after = snapshot(root)
    vault = load_vault(root)
    for rel, old in before.items():
        recorded = regions.recorded_block_ids(vault.notes[rel]) or ()
        new_lines = after[rel].decode().splitlines(keepends=True)
        if recorded:  # link's own frontmatter (these notes had none)
            assert new_lines[:3] == ["---\n", regions.render_key(recorded) + "\n", "---\n"]
            new_lines = new_lines[3:]
        kept = [line for line in new_lines if not regions.is_related_line(line.rstrip("\n"))]
        ours = "|".join(map(re.escape, recorded)) or "(?!)"
        unblocked = [re.sub(rf" \^(?:{ours})(\n?)$", r"\1", line) for line in kept]
        assert unblocked == old.decode().splitlines(keepends=True)


def test_user_lines_are_kept_byte_for_byte(small: Path) -> None:
    before = snapshot(small)
    run_link(small)
    assert_user_lines_kept(small, before)


def test_user_lines_of_the_sample_vault_are_kept(tmp_path: Path) -> None:
    from vaultbot.sync import run_link as link_vault

    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("*-wal", "*-shm", "*.lock"))
    before = snapshot(root)
    assert link_vault(root).links_added > 50
    assert_user_lines_kept(root, before)


def test_clean_restores_every_note_byte_for_byte(small: Path) -> None:
    before = snapshot(small)
    run_link(small)
    assert snapshot(small) != before
    run_clean(small)
    assert snapshot(small) == before


def test_clean_restores_the_sample_vault_after_real_links(tmp_path: Path) -> None:
    from vaultbot.sync import run_clean as clean_vault
    from vaultbot.sync import run_link as link_vault

    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("*-wal", "*-shm", "*.lock"))
    before = snapshot(root)
    report = link_vault(root)
    assert report.links_added > 10 and report.changed
    clean_vault(root)
    assert snapshot(root) == before


@pytest.mark.parametrize("form", ["crlf", "bom", "no-final-newline", "bom-crlf-no-final-newline"])
def test_clean_restores_encodings_and_line_endings(small: Path, form: str) -> None:
    for path in small.rglob("*.md"):
        data = path.read_bytes()
        if "crlf" in form:
            data = data.replace(b"\n", b"\r\n")
        if "no-final-newline" in form:
            data = data.rstrip(b"\r\n")
        if "bom" in form:
            data = "\ufeff".encode() + data
        path.write_bytes(data)
    before = snapshot(small)
    run_link(small)
    after = snapshot(small)
    if "crlf" in form:
        assert all(b"\n" not in v.replace(b"\r\n", b"") for v in after.values())
    if "bom" in form:
        assert all(v.startswith("\ufeff".encode()) for v in after.values())
    assert link.link(load_vault(small), EDGES, TITLES).edits == []
    run_clean(small)
    assert snapshot(small) == before


def test_a_user_written_block_id_is_reused_and_kept_by_clean(small: Path) -> None:
    note = small / "daily/2025-12.md"
    note.write_text(note.read_text(encoding="utf-8").replace(
        "- https://arxiv.org/abs/2512.02556\n", "- https://arxiv.org/abs/2512.02556 ^deepseek32\n"), encoding="utf-8")
    before = snapshot(small)
    run_link(small)
    text = note.read_text(encoding="utf-8")
    assert "- https://arxiv.org/abs/2512.02556 ^deepseek32\n" in text
    assert "[[2025-12#^deepseek32|DeepSeek-V3.2]]" in text
    assert "deepseek32" not in regions.render_key(regions.recorded_block_ids(load_vault(small).notes["daily/2025-12.md"]) or ())
    run_clean(small)
    assert snapshot(small) == before


def test_first_mention_is_the_earliest_dated_note(small: Path) -> None:
    # CoPE appears in a report and, later added by the user, in a dated note.
    dated = small / "daily/2026-01.md"
    dated.write_text(dated.read_text(encoding="utf-8") + "- https://arxiv.org/abs/2602.05258\n", encoding="utf-8")
    run_link(small)
    text = (small / "daily/2025-12.md").read_text(encoding="utf-8")
    assert "[[2026-01#^arxiv-2602-05258|CoPE]]" in text
    report = (small / "reports/HF Daily 2026-02-07.md").read_text(encoding="utf-8")
    assert "^arxiv-2602-05258" not in report
    assert "\t- related: [[2025-12#^arxiv-2505-06708|" in report  # every mention lists its papers


def test_removing_a_paper_removes_its_links_everywhere(small: Path) -> None:
    run_link(small)
    note = small / "daily/2025-12.md"
    text = note.read_text(encoding="utf-8")
    start = text.index("- https://arxiv.org/abs/2512.13507")
    note.write_text(text[:start], encoding="utf-8")  # the user deletes Seedance's bullet
    edges = {k: v for k, v in EDGES.items() if "2512.13507" not in k}
    result = run_link(small, edges)
    assert result.links_removed == 2  # ViSAudio->Seedance, JavisGPT->Seedance (its own line went with it)
    for path in small.rglob("*.md"):
        assert "arxiv-2512-13507" not in path.read_text(encoding="utf-8")
    lines = note.read_text(encoding="utf-8").splitlines()
    assert "- https://arxiv.org/abs/2512.03036" in lines  # its block ID was only needed by Seedance
    assert link.link(load_vault(small), edges, TITLES).edits == []


def test_stale_links_are_updated_when_the_graph_changes(small: Path) -> None:
    run_link(small)
    edges = dict(EDGES)
    del edges[("2505.06708", "2602.05258")]
    result = run_link(small, edges)
    assert (result.links_added, result.links_removed) == (0, 2)
    related = related_of(small)
    assert "arxiv-2602-05258" not in related[("daily/2025-12.md", "2505.06708")]


def test_note_opt_out_removes_and_prevents_links(small: Path) -> None:
    run_link(small)
    report = small / "reports/HF Daily 2026-02-07.md"
    original = (SMALL / "reports/HF Daily 2026-02-07.md").read_text(encoding="utf-8")
    current = report.read_text(encoding="utf-8")
    assert current.startswith("---\nvaultbot-block-ids: ")  # link's own frontmatter
    report.write_text("---\nvaultbot-link: false\n" + current[4:], encoding="utf-8")
    run_link(small)
    assert report.read_text(encoding="utf-8") == "---\nvaultbot-link: false\n---\n" + original
    for path in (small / "daily").glob("*.md"):
        assert "HF Daily" not in path.read_text(encoding="utf-8")
    assert link.link(load_vault(small), EDGES, TITLES).edits == []


@pytest.mark.parametrize("how", ["frontmatter", "comment"])
def test_paper_opt_out(small: Path, how: str) -> None:
    note = small / "daily/2025-12.md"
    text = note.read_text(encoding="utf-8")
    if how == "frontmatter":
        text = '---\nvaultbot-link-ignore: ["2505.06708"]\n---\n' + text
    else:
        text = text.replace("(https://arxiv.org/pdf/2505.06708) Qwen的工作", "(https://arxiv.org/pdf/2505.06708) %% vaultbot-ignore: link %% Qwen的工作")
    note.write_text(text, encoding="utf-8")
    run_link(small)
    for path in small.rglob("*.md"):
        assert "arxiv-2505-06708" not in path.read_text(encoding="utf-8")
    related = related_of(small)
    assert related[("daily/2026-01.md", "2512.24601")] == {"arxiv-2602-05258"}


def test_markdown_links_follow_app_settings(small: Path) -> None:
    (small / ".obsidian").mkdir()
    (small / ".obsidian/app.json").write_text('{"useMarkdownLinks": true, "newLinkFormat": "absolute"}', encoding="utf-8")
    run_link(small)
    report = (small / "reports/HF Daily 2026-02-07.md").read_text(encoding="utf-8")
    assert ("\t- related: [Gated Attention for Large Language Models](daily/2025-12.md#^arxiv-2505-06708) · "
            "[Recursive Language Models](daily/2026-01.md#^arxiv-2512-24601) %%vaultbot%%") in report
    vault = load_vault(small)
    links = [link for link in vault.notes["reports/HF Daily 2026-02-07.md"].links if link.subpath]
    assert {(link.path, link.subpath) for link in links} == {("daily/2025-12.md", "#^arxiv-2505-06708"),
                                                     ("daily/2026-01.md", "#^arxiv-2512-24601")}
    assert link.link(vault, EDGES, TITLES).edits == []


def test_related_map_caps_without_breaking_symmetry() -> None:
    edges = {("a", "b"): 0.9, ("a", "c"): 0.8, ("a", "d"): 0.7, ("b", "c"): 0.6, ("c", "d"): 0.5}
    related = link.related_map(edges, {"a", "b", "c", "d"}, max_links=2)
    assert related == {"a": ["b", "c"], "b": ["a", "c"], "c": ["a", "b"], "d": []}
    for paper, others in related.items():
        assert all(paper in related[o] for o in others)


def test_broken_frontmatter_notes_are_left_alone(small: Path) -> None:
    note = small / "daily/2026-01.md"
    broken = "---\ntitle: [unclosed\n---\n" + note.read_text(encoding="utf-8")
    note.write_text(broken, encoding="utf-8")
    run_link(small)
    assert note.read_text(encoding="utf-8") == broken
    assert "2026-01#" not in (small / "reports/HF Daily 2026-02-07.md").read_text(encoding="utf-8")


# -- only: the daemon's incremental link (issue 8) ------------------------------------------


def _generated(tmp_path: Path, notes: int = 60, seed: int = 5) -> Path:
    import sys

    sys.path.insert(0, str(HERE.parent / "bench"))
    from generate_vault import generate

    root = tmp_path / "gen"
    generate(root, notes, seed=seed)
    return root


def _edges(root: Path) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    from vaultbot.sync import related_edges

    return related_edges(load_vault(root), remember=False)


@pytest.mark.parametrize("which", ["sample", "generated"])
def test_only_gives_exactly_the_full_runs_edits_for_those_notes(tmp_path: Path, which: str) -> None:
    if which == "sample":
        root = tmp_path / "sample"
        shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("*-wal", "*-shm", "*.lock"))
    else:
        root = _generated(tmp_path)
    edges, titles = _edges(root)
    weaker = dict(sorted(edges.items())[::2])  # a second state: stale lines to update/remove
    for round_edges in (edges, weaker):
        vault = load_vault(root)
        full = link.link(vault, round_edges, titles)
        assert full.edits, "the round must have work to compare"
        paths = sorted(vault.notes)
        subsets = [{p} for p in paths] + [set(paths[::3]), set(paths[1::2]), {"not/a/note.md"}]
        for subset in subsets:
            part = link.link(vault, round_edges, titles, only=subset)
            assert part.edits == [e for e in full.edits if e.path in subset]
        apply(vault.root, full.edits, vault.sources)


def test_affected_notes_cover_every_edit_after_a_change(tmp_path: Path) -> None:
    root = _generated(tmp_path, notes=80, seed=9)
    vault = load_vault(root)
    edges, titles = _edges(root)
    apply(vault.root, link.link(vault, edges, titles).edits, vault.sources)
    vault = load_vault(root)
    before = link.plan_links(vault, edges, titles)
    daily = sorted(p for p in vault.notes if p.startswith("daily/"))
    first, last = vault.notes[daily[0]], vault.notes[daily[-1]]
    late_paper = next(m.paper_id for m in last.mentions if not m.in_frontmatter)
    changes = {  # note -> new text: a late paper pasted into the earliest note (its target moves),
        daily[0]: first.text + f"\n- https://arxiv.org/abs/{late_paper}\n",
        daily[-1]: "plain text, every paper gone\n",  # mentions removed
    }
    for rel, text in changes.items():
        (root / rel).write_text(text, encoding="utf-8")
        vault = vault.with_note(rel)
    new_edges = _edges(root)[0]
    after = link.plan_links(vault, new_edges, titles)
    only = link.affected_notes(before, after, changes) | set(changes)
    full = link.link_edits(after)
    assert full.edits and {e.path for e in full.edits} <= only
    assert link.link_edits(after, only).edits == full.edits
    assert len(only) < len(vault.notes)


def _tables(plan: link.LinkPlan) -> dict[str, object]:
    """Return what a plan decided, as plain values (``Earlier`` views read out)."""
    return {
        "targets": dict(plan.targets),
        "note_titles": dict(plan.note_titles),
        "titles": dict(plan.titles),
        "facts": {rel: f.note for rel, f in plan.facts.items()},
        "related": dict(plan.related),
        "ignored": set(plan.ignored),
    }


@pytest.mark.parametrize("book", [False, True])  # related lists decided afresh / kept up to date
def test_a_plan_made_from_the_previous_one_equals_a_fresh_plan_and_the_old_one_reads_the_same(
    tmp_path: Path, book: bool
) -> None:
    root = _generated(tmp_path, notes=80, seed=9)
    edges, titles = _edges(root)
    vault = load_vault(root)
    plan = link.plan_links(vault, edges, titles)
    daily = sorted(p for p in vault.notes if p.startswith("daily/"))
    reports = sorted(p for p in vault.notes if p.startswith("reports/"))
    stating: dict[str, list[str]] = {}
    for rel in vault.notes:
        for pid in plan.facts[rel].titles:
            stating.setdefault(pid, []).append(rel)
    source, paper, stated = next(
        (rel, pid, t) for rel in reports for pid, t in plan.facts[rel].titles.items() if stating[pid] == [rel]
    )
    late = next(m.paper_id for m in vault.notes[daily[-1]].mentions if not m.in_frontmatter)
    text = {rel: (root / rel).read_text(encoding="utf-8") for rel in (source, daily[0], daily[1])}
    other, another = "reports/HF Daily 2099-01-01.md", text[source].replace(f"## 📄 {stated}\n", "## 📄 Another Title\n")
    assert another != text[source]
    changes = [  # (note, new text or None to delete, the title the notes state for ``paper`` then)
        (other, another, stated),  # a second note states another title; ``source`` comes first
        (source, text[source] + "\n", "Another Title"),  # re-read: it now comes after ``other``
        (daily[0], text[daily[0]] + f"\n- https://arxiv.org/abs/{late}\n", "Another Title"),  # a target moves
        (daily[-1], "every paper removed\n", "Another Title"),  # papers lose their only mention
        (daily[1], f'---\nvaultbot-link-ignore: ["{late}"]\n---\n' + text[daily[1]], "Another Title"),
        (daily[1], text[daily[1]], "Another Title"),  # the opt-out goes again
        (other, None, stated),
    ]
    for rel, new, title in changes:
        if new is None:
            (root / rel).unlink()
        else:
            (root / rel).write_text(new, encoding="utf-8")
        vault = vault.with_note(rel)
        before = _tables(plan)
        after = link.plan_links(vault, edges, titles, plan, changed_edges=() if book else None)
        assert _tables(after) == _tables(link.plan_links(vault, edges, titles)), rel
        assert after.note_titles[paper] == title, rel
        assert _tables(plan) == before, rel  # the tables it handed on still read as they were
        fresh_before = link.plan_links(plan.vault, edges, titles)
        assert link.affected_notes(plan, after, [rel]) == link.affected_notes(fresh_before, after, [rel]), rel
        plan = after
