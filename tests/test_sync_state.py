"""``vaultbot sync`` remembers a finished run (``.vaultbot/sync-state.json``) and never trusts it blindly.

Every shortcut is compared with a from-scratch run on an identical copy of the vault
(the same copy with the state file deleted): same note bytes, same output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultbot.cli import cli
from vaultbot.sync import run_sync
from vaultbot.sync_state import FILE_NAME, FORMAT

HERE = Path(__file__).parent
SAMPLE = HERE.parent / "sample_vault"
TRANSIENT = shutil.ignore_patterns("*-wal", "*-shm", "*.lock", "*.log")
sys.path.insert(0, str(HERE.parent / "bench"))
from generate_vault import generate  # noqa: E402


def synced_sample(tmp_path: Path, name: str = "v") -> Path:
    root = tmp_path / name
    shutil.copytree(SAMPLE, root, ignore=TRANSIENT)
    run_sync(root, offline=True)
    return root


def twin(root: Path, name: str) -> Path:
    """Return a copy of ``root`` without the sync state: a sync there runs from scratch."""
    copy = root.parent / name
    shutil.copytree(root, copy, ignore=TRANSIENT)
    (copy / ".vaultbot" / FILE_NAME).unlink(missing_ok=True)
    return copy


def notes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def sync_cli(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sync", str(root), "--offline", *args])
    return result.exit_code, result.output


def read_state(root: Path) -> dict[str, object]:
    return json.loads((root / ".vaultbot" / FILE_NAME).read_bytes().partition(b"\n")[2])


def write_state(root: Path, body: dict[str, object]) -> None:
    """Rewrite the state with a valid header (as vaultbot would have written it)."""
    import hashlib

    raw = json.dumps(body).encode()
    header = {"format": FORMAT, "version": "0.1.0", "digest": hashlib.blake2b(raw, digest_size=16).hexdigest()}
    (root / ".vaultbot" / FILE_NAME).write_bytes(json.dumps(header).encode() + b"\n" + raw)


def outcome(report: object) -> tuple[object, ...]:
    r = report
    return (r.summary(), sorted(r.changed), r.diff, r.links_added, r.links_removed,  # type: ignore[attr-defined]
            [d for d in r.diagnostics], [d for d in r.unresolved])  # type: ignore[attr-defined]


def test_nothing_to_do_is_replayed_with_the_output_of_a_full_run(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    second = run_sync(root, offline=True)  # nothing changed: stores what it printed
    assert "replay" not in second.seconds and not second.changed
    third = run_sync(root, offline=True)
    assert "replay" in third.seconds and set(third.seconds) == {"replay"}  # parsed nothing
    assert outcome(third) == outcome(second)
    scratch = twin(root, "scratch")
    for fmt in ("text", "json"):
        assert sync_cli(root, "--format", fmt) == sync_cli(scratch, "--format", fmt)
        (scratch / ".vaultbot" / FILE_NAME).unlink()
    assert sync_cli(root, "--check") == sync_cli(twin(root, "scratch2"), "--check")


def test_second_sync_after_editing_one_note_equals_a_from_scratch_sync(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    run_sync(root, offline=True)
    scratch = twin(root, "scratch")
    for vault in (root, scratch):  # the user pastes a bare link to a cached paper
        note = vault / "daily/2026-01.md"
        note.write_bytes(note.read_bytes() + b"\n- https://arxiv.org/abs/2512.02556\n")
    incremental, full = run_sync(root, offline=True), run_sync(scratch, offline=True)
    assert "daily/2026-01.md" in incremental.changed
    assert notes(root) == notes(scratch)
    assert outcome(incremental) == outcome(full)
    again, again_full = run_sync(root, offline=True), run_sync(scratch, offline=True)
    assert outcome(again) == outcome(again_full) and not again.changed


def test_only_changed_notes_are_resolved_and_linted(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    run_sync(root, offline=True)
    note = root / "daily/2025-12.md"
    note.write_bytes(note.read_bytes() + b"\n- a new line\n")
    import vaultbot.lint as lint_module
    import vaultbot.resolve as resolve_module

    planned: list[str] = []
    linted: list[set[str]] = []
    real_plan, real_lint = resolve_module.plan_note, lint_module.lint

    def spy_plan(n, *a, **k):  # type: ignore[no-untyped-def]
        planned.append(n.path)
        return real_plan(n, *a, **k)

    def spy_lint(vault, *a, **k):  # type: ignore[no-untyped-def]
        linted.append(set(vault.notes))
        return real_lint(vault, *a, **k)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(resolve_module, "plan_note", spy_plan)
        mp.setattr(lint_module, "lint", spy_lint)
        run_sync(root, offline=True)
    assert planned == ["daily/2025-12.md"] and linted == [{"daily/2025-12.md"}]


def test_deleting_an_image_after_a_sync_reports_it(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    run_sync(root, offline=True)
    assert "replay" in run_sync(root, offline=True).seconds
    scratch = twin(root, "scratch")
    image = "asset/Pasted image 20251208222525.png"
    assert any(b"Pasted%20image%2020251208222525.png" in text for text in notes(root).values())
    for vault in (root, scratch):
        (vault / image).unlink()
    after, full = run_sync(root, offline=True), run_sync(scratch, offline=True)
    assert "replay" not in after.seconds
    assert any(d.rule == "missing-asset" and "20251208222525" in d.message for d in after.diagnostics)
    assert outcome(after) == outcome(full)


def test_an_added_image_and_a_changed_config_are_seen(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    run_sync(root, offline=True)
    orphans = {d.path for d in run_sync(root, offline=True).diagnostics if d.rule == "orphan-asset"}
    (root / "asset" / "new.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    found = run_sync(root, offline=True).diagnostics
    assert {d.path for d in found if d.rule == "orphan-asset"} == orphans | {"asset/new.png"}
    run_sync(root, offline=True)
    (root / ".vaultbot.toml").write_text('[lint]\nignore = ["orphan-asset"]\n', encoding="utf-8")
    quiet = run_sync(root, offline=True)
    assert "replay" not in quiet.seconds and not any(d.rule == "orphan-asset" for d in quiet.diagnostics)


def test_corrupt_state_warns_and_runs_in_full(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    expected = outcome(run_sync(root, offline=True))
    state = root / ".vaultbot" / FILE_NAME
    for broken in ("{not json", json.dumps({"format": FORMAT, "version": "0.1.0", "inputs": []})):
        state.write_text(broken, encoding="utf-8")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            report = run_sync(root, offline=True)
        assert any("sync state" in str(w.message) and str(state) in str(w.message) for w in caught)
        assert "replay" not in report.seconds and "load" in report.seconds
        assert outcome(report) == expected
    assert "replay" in run_sync(root, offline=True).seconds  # rewritten whole


def test_a_state_edited_to_lie_about_findings_is_not_replayed_after_a_change(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    run_sync(root, offline=True)
    data = read_state(root)
    data["inputs"]["notes"]["daily/2025-12.md"] = "0" * 32  # type: ignore[index]  # as if it had other bytes
    write_state(root, data)
    report = run_sync(root, offline=True)
    assert "replay" not in report.seconds
    path = root / ".vaultbot" / FILE_NAME
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"orphan-asset", b"orphan-assex", 1))  # edited by hand: digest differs
    with pytest.warns(UserWarning, match="digest does not match"):
        assert "replay" not in run_sync(root, offline=True).seconds


def test_dry_run_uses_but_never_writes_the_state(tmp_path: Path) -> None:
    root = tmp_path / "v"
    shutil.copytree(SAMPLE, root, ignore=TRANSIENT)
    run_sync(root, offline=True, dry_run=True)
    assert not (root / ".vaultbot" / FILE_NAME).exists()


def test_state_file_is_ignored_by_git(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = synced_sample(tmp_path)
    assert (root / ".vaultbot" / FILE_NAME).exists()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    ignored = subprocess.run(["git", "-C", str(root), "check-ignore", f".vaultbot/{FILE_NAME}"],
                             capture_output=True, text=True, check=False)
    assert ignored.returncode == 0


def test_generated_vault_edits_and_deletions_match_a_full_run(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    generate(root, 60, seed=3)
    run_sync(root, offline=True)
    run_sync(root, offline=True)
    scratch = twin(root, "scratch")
    daily = sorted((root / "daily").rglob("*.md"))
    victim = daily[len(daily) // 2].relative_to(root)
    gone = daily[1].relative_to(root)
    for vault in (root, scratch):
        note = vault / victim
        text = note.read_text(encoding="utf-8")
        note.write_text(text.replace("- ", "- edited ", 3), encoding="utf-8")
        (vault / gone).unlink()
    assert outcome(run_sync(root, offline=True)) == outcome(run_sync(scratch, offline=True))
    assert notes(root) == notes(scratch)


def test_replay_expires_with_the_oldest_not_found_answer(tmp_path: Path) -> None:
    import time

    from vaultbot.cache import NOT_FOUND_TTL, Cache

    root = tmp_path / "v"
    shutil.copytree(SAMPLE, root, ignore=TRANSIENT)
    note = root / "daily/2026-01.md"
    note.write_bytes(note.read_bytes() + b"\n- https://arxiv.org/abs/2601.99999\n")
    checked = time.time() - 100.0
    with Cache.open(root / ".vaultbot" / "cache.sqlite") as cache:
        cache.put_not_found(["2601.99999"], now=checked)
    run_sync(root, offline=True)
    stored = run_sync(root, offline=True)
    assert any("2601.99999" in d.message and "not found on arXiv" in d.message for d in stored.unresolved)
    data = read_state(root)
    assert data["expires"] == pytest.approx(checked + NOT_FOUND_TTL)
    assert "replay" in run_sync(root, offline=True).seconds
    data["expires"] = time.time() - 1.0  # as if 30 days had passed: the answer is retried
    write_state(root, data)
    again = run_sync(root, offline=True)
    assert "replay" not in again.seconds and outcome(again) == outcome(stored)


def test_an_offline_run_that_left_papers_to_fetch_is_not_replayed_online(tmp_path: Path) -> None:
    from vaultbot.config import load_config
    from vaultbot.sync_state import load, read_inputs

    root = tmp_path / "v"
    shutil.copytree(SAMPLE, root, ignore=TRANSIENT)
    note = root / "daily/2026-01.md"
    note.write_bytes(note.read_bytes() + b"\n- https://arxiv.org/abs/2601.99998\n")
    run_sync(root, offline=True)
    run_sync(root, offline=True)
    state = load(root.resolve())
    now = read_inputs(root.resolve(), load_config(root.resolve()))
    assert state is not None and state.offline_only
    assert state.replayable(now, offline=True) and not state.replayable(now, offline=False)


def test_a_state_of_another_format_is_a_full_run_without_warning(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    expected = outcome(run_sync(root, offline=True))
    path = root / ".vaultbot" / FILE_NAME
    head, _, body = path.read_bytes().partition(b"\n")
    header = json.loads(head)
    header["format"] = FORMAT + 1
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = run_sync(root, offline=True)
    assert "replay" not in report.seconds and outcome(report) == expected


def _planned_paths(root: Path, offline: bool = True, reports: list[object] | None = None) -> list[str]:
    """Sync and return the notes resolve planned (spied on ``resolve.plan_note``)."""
    import vaultbot.resolve as resolve_module

    planned: list[str] = []
    real = resolve_module.plan_note

    def spy(n, *a, **k):  # type: ignore[no-untyped-def]
        planned.append(n.path)
        return real(n, *a, **k)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(resolve_module, "plan_note", spy)
        report = run_sync(root, offline=offline)
    if reports is not None:
        reports.append(report)
    return planned


def test_a_title_stated_in_another_note_makes_resolve_plan_every_note_again(tmp_path: Path) -> None:
    root = synced_sample(tmp_path)
    run_sync(root, offline=True)
    scratch = twin(root, "scratch")
    report = min((root / "reports").glob("*.md"))
    for vault in (root, scratch):
        note = vault / "reports" / report.name
        text = note.read_text(encoding="utf-8")
        heading = next(line for line in text.splitlines() if line.startswith("## 📄"))
        note.write_text(text.replace(heading, heading + " (revised)", 1), encoding="utf-8")
    reports: list[object] = []
    planned = _planned_paths(root, reports=reports)
    assert len(planned) == len(notes(root))  # a stated title titles the paper in every note
    assert outcome(reports[0]) == outcome(run_sync(scratch, offline=True))
    assert notes(root) == notes(scratch)


def test_notes_waiting_for_the_network_are_skipped_by_offline_runs_only(tmp_path: Path) -> None:
    from vaultbot.config import load_config
    from vaultbot.sync_state import load, read_inputs

    root = tmp_path / "v"
    shutil.copytree(SAMPLE, root, ignore=TRANSIENT)
    waiting = root / "daily/2026-01.md"
    waiting.write_bytes(waiting.read_bytes() + b"\n- https://arxiv.org/abs/2601.99997\n")
    run_sync(root, offline=True)
    run_sync(root, offline=True)
    other = root / "daily/2025-12.md"
    other.write_bytes(other.read_bytes() + b"\n- a new line\n")
    assert _planned_paths(root) == ["daily/2025-12.md"]
    state = load(root.resolve())
    assert state is not None
    now = read_inputs(root.resolve(), load_config(root.resolve()))
    from vaultbot.sync_whole import stated_digest
    from vaultbot.vault import load_vault

    stated = stated_digest(load_vault(root))
    online = state.settled(now.settings, now.cache, stated, now.notes, offline=False)
    offline = state.settled(now.settings, now.cache, stated, now.notes, offline=True)
    assert "daily/2026-01.md" in offline and "daily/2026-01.md" not in online
