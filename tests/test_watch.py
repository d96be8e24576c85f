"""``vaultbot watch`` end to end: the real daemon in a subprocess, on a real vault, edited
the way Obsidian edits it.  Most tests inject the small writing pipeline of
``tests/watch_harness.py`` (the daemon takes one pipeline callable); the others run the
default pipeline.  Each asserts final bytes, and that the output converges and stays still.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
HARNESS = HERE / "watch_harness.py"
DEBOUNCE = 0.3
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Daemon:
    """A running ``vaultbot watch`` subprocess and what it logged and journaled."""

    def __init__(
        self,
        vault: Path,
        tmp: Path,
        *extra: str,
        harness: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.vault, self.journal_path = vault, tmp / "journal.jsonl"
        self.stderr_path = tmp / f"stderr-{time.monotonic_ns()}.txt"
        entry = [str(HARNESS)] if harness else ["-m", "vaultbot"]
        cmd = [
            sys.executable,
            *entry,
            "watch",
            str(vault),
            "--debounce",
            str(DEBOUNCE),
            "-v",
            *extra,
        ]
        full_env = {
            **os.environ,
            "VAULTBOT_REQUEST_INTERVAL": "0",
            "VAULTBOT_TEST_JOURNAL": str(self.journal_path),
            "PYTHONPATH": str(HERE.parent),
            **(env or {}),
        }
        with self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(cmd, stderr=err, stdout=subprocess.DEVNULL, env=full_env)

    def wait_running(self) -> Daemon:
        wait_for(
            lambda: (
                self.status().get("state") == "running"
                and self.status().get("pid") == self.proc.pid
                or self.proc.poll() is not None
            ),
            what="daemon start",
        )
        assert self.proc.poll() is None, self.log()
        return self

    def status(self) -> dict[str, Any]:
        try:
            return json.loads((self.vault / ".vaultbot" / "status.json").read_text())
        except (OSError, ValueError):
            return {}

    def log(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def journal(self, event: str | None = None, rel: str | None = None) -> list[dict[str, Any]]:
        if not self.journal_path.exists():
            return []
        records = [json.loads(line) for line in self.journal_path.read_text().splitlines()]
        return [
            r
            for r in records
            if (event is None or r["event"] == event) and (rel is None or r.get("rel") == rel)
        ]

    def stop(self, sig: int = signal.SIGTERM) -> float:
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=10)
        return time.monotonic() - started


def wait_for(check: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> None:
    """Wait until ``check()`` holds (generous: a loaded CI machine is slow, a pass is not)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stays_still(path: Path, periods: int = 5) -> None:
    """Assert ``path`` is not rewritten for ``periods`` debounce periods (no feedback loop)."""
    before = path.stat().st_mtime_ns, path.read_bytes()
    time.sleep(periods * DEBOUNCE)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def settled(path: Path, timeout: float = 20.0) -> bytes:
    """Return ``path``'s bytes once they stay the same for three debounce periods."""
    deadline = time.monotonic() + timeout
    before = path.read_bytes()
    while time.monotonic() < deadline:
        time.sleep(3 * DEBOUNCE)
        now = path.read_bytes()
        if now == before:
            return now
        before = now
    raise AssertionError(f"{path} kept changing")


def words_line(text: str) -> str:
    return f"%% words: {len(text.split())} %%\n"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "daily").mkdir()
    (root / "asset").mkdir()
    (root / "daily" / "2026-01.md").write_text(
        "# 2026-01\n\n## 1.14\n\n- read a paper\n", encoding="utf-8"
    )
    (root / "notes.md").write_text("plain note\n" + words_line("plain note"), encoding="utf-8")
    return root


@pytest.fixture
def daemon(vault: Path, tmp_path: Path) -> Iterator[Daemon]:
    running = Daemon(vault, tmp_path).wait_running()
    yield running
    running.stop(signal.SIGKILL)


def converged(path: Path, user_text: str) -> Callable[[], bool]:
    return lambda: path.read_text(encoding="utf-8") == user_text + words_line(user_text)


def test_startup_processes_new_notes_once_and_converges(vault: Path, daemon: Daemon) -> None:
    note = vault / "daily" / "2026-01.md"
    user = "# 2026-01\n\n## 1.14\n\n- read a paper\n"
    wait_for(converged(note, user), what="marker written")
    stays_still(note)
    assert (vault / "notes.md").read_text() == "plain note\n" + words_line(
        "plain note"
    )  # already right
    assert (
        len(daemon.journal("start", "daily/2026-01.md")) == 1
    )  # its own write started no new round


def test_rapid_in_place_saves_coalesce(vault: Path, daemon: Daemon) -> None:
    note = vault / "notes.md"
    wait_for(lambda: daemon.journal("done", "notes.md"), what="first pass")
    text = "plain note\n"
    for word in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]:
        text += f"- {word}\n"
        note.write_text(text, encoding="utf-8")  # Obsidian autosave: in place, every few keys
        time.sleep(DEBOUNCE / 6)
    wait_for(converged(note, text), what="converged after the burst")
    stays_still(note)
    assert len(daemon.journal("start", "notes.md")) == 2  # the first pass, then the burst as one


def test_atomic_rename_save(vault: Path, daemon: Daemon) -> None:
    note = vault / "notes.md"
    wait_for(lambda: daemon.journal("done", "notes.md"), what="first pass")
    user = "renamed into place\nwith a second line\n"
    tmp = vault / "notes.md.tmp-1234"
    tmp.write_text(user, encoding="utf-8")
    os.replace(tmp, note)
    wait_for(converged(note, user), what="converged after rename save")
    stays_still(note)
    assert not tmp.exists() and not daemon.journal("start", "notes.md.tmp-1234")


def test_image_pasted_then_referenced_and_deleted(vault: Path, daemon: Daemon) -> None:
    note = vault / "daily" / "2026-01.md"
    user = "# 2026-01\n\n## 1.14\n\n- figure:\n  ![[fig.png]]\n"
    note.write_text(user, encoding="utf-8")
    wait_for(converged(note, user), what="processed with a missing image")
    assert "missing-asset" in daemon.journal("done", "daily/2026-01.md")[-1]["rules"]
    (vault / "asset" / "fig.png").write_bytes(PNG)  # the paste: the file appears
    wait_for(
        lambda: daemon.journal("done", "daily/2026-01.md")[-1]["rules"] == [],
        what="re-check after paste",
    )
    other = vault / "notes.md"
    other_user = "plain note\n![[fig.png]]\n"
    other.write_text(other_user, encoding="utf-8")  # then the reference
    wait_for(converged(other, other_user), what="reference processed")
    assert daemon.journal("done", "notes.md")[-1]["rules"] == []
    (vault / "asset" / "fig.png").unlink()
    wait_for(
        lambda: (
            "missing-asset" in daemon.journal("done", "notes.md")[-1]["rules"]
            and "missing-asset" in daemon.journal("done", "daily/2026-01.md")[-1]["rules"]
        ),
        what="both notes re-checked after the delete",
    )
    assert note.read_text(encoding="utf-8") == user + words_line(user)


def test_edit_while_vaultbot_is_about_to_write(vault: Path, daemon: Daemon) -> None:
    note = vault / "notes.md"
    wait_for(lambda: daemon.journal("done", "notes.md"), what="first pass")
    first = "SLOW note\n"
    note.write_text(first, encoding="utf-8")
    wait_for(lambda: daemon.journal("slow", "notes.md"), what="vaultbot busy with the note")
    final = "SLOW note\nthe user kept typing\n"
    note.write_text(final, encoding="utf-8")  # lands while vaultbot computes its edit
    wait_for(converged(note, final), timeout=15, what="converged on the user's latest text")
    stays_still(note)
    assert "not written (changed since it was read" in daemon.log()


def test_renaming_a_note(vault: Path, daemon: Daemon) -> None:
    wait_for(lambda: daemon.journal("done", "daily/2026-01.md"), what="first pass")
    old, new = vault / "daily" / "2026-01.md", vault / "daily" / "January.md"
    content = settled(old)  # the first pass's write may land just after its journal entry
    old.rename(new)
    wait_for(lambda: daemon.journal("start", "daily/January.md"), what="renamed note seen")
    wait_for(lambda: "daily/2026-01.md: removed" in daemon.log(), what="old name dropped")
    stays_still(new)
    assert new.read_bytes() == content and not old.exists()  # already right: untouched
    daemon.stop()
    state = json.loads((vault / ".vaultbot" / "watch-state.json").read_text())
    assert "daily/January.md" in state["notes"] and "daily/2026-01.md" not in state["notes"]


def test_crash_in_one_note_is_logged_and_the_daemon_goes_on(vault: Path, daemon: Daemon) -> None:
    (vault / "bad.md").write_text("this note has CRASH-ME in it\n", encoding="utf-8")
    wait_for(lambda: "bad.md: error while processing" in daemon.log(), what="crash logged")
    assert "RuntimeError: the test pipeline crashes on CRASH-ME" in daemon.log()
    note = vault / "notes.md"
    note.write_text("still working\n", encoding="utf-8")
    wait_for(converged(note, "still working\n"), what="next note processed")
    wait_for(lambda: daemon.status().get("last_errors"), what="status names the error")
    assert daemon.status()["last_errors"][-1]["path"] == "bad.md"
    assert (
        daemon.proc.poll() is None
        and (vault / "bad.md").read_text() == "this note has CRASH-ME in it\n"
    )


def test_sigterm_stops_cleanly_within_two_seconds(vault: Path, daemon: Daemon) -> None:
    wait_for(lambda: daemon.journal("done", "daily/2026-01.md"), what="first pass")
    assert daemon.stop(signal.SIGTERM) < 2.0
    assert daemon.proc.returncode == 0
    assert not (vault / ".vaultbot" / "daemon.lock").exists()
    assert daemon.status()["state"] == "stopped"
    leftovers = [p for p in vault.rglob("*") if p.name.endswith(".vaultbot-tmp")]
    assert leftovers == []


def test_second_daemon_is_refused_naming_the_pid(
    vault: Path, tmp_path: Path, daemon: Daemon
) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "vaultbot", "watch", str(vault)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert second.returncode == 2
    assert f"a vaultbot daemon already runs on this vault: PID {daemon.proc.pid}" in second.stderr
    assert daemon.proc.poll() is None


def test_killed_daemon_lock_is_taken_over_and_changes_reconciled(
    vault: Path, tmp_path: Path
) -> None:
    first = Daemon(vault, tmp_path).wait_running()
    wait_for(lambda: len(first.journal("done")) >= 2, what="first pass")
    time.sleep(6 * DEBOUNCE)
    first.stop(signal.SIGKILL)  # kill -9: lock file and state stay behind
    assert (vault / ".vaultbot" / "daemon.lock").exists()
    changed = vault / "notes.md"
    changed.write_text("changed while nobody watched\n", encoding="utf-8")
    (vault / "new.md").write_text("a new note\n", encoding="utf-8")
    (vault / "daily" / "2026-01.md").unlink()
    before = len(first.journal("start"))
    second = Daemon(vault, tmp_path).wait_running()
    try:
        assert f"took over a stale daemon lock from PID {first.proc.pid}" in second.log()
        wait_for(
            converged(changed, "changed while nobody watched\n"), what="changed note reconciled"
        )
        wait_for(converged(vault / "new.md", "a new note\n"), what="new note reconciled")
        wait_for(
            lambda: "daily/2026-01.md: removed" in second.log(), what="deleted note reconciled"
        )
        started = {r["rel"] for r in second.journal("start")[before:]}
        assert started == {"notes.md", "new.md", "daily/2026-01.md"}  # only what changed
    finally:
        second.stop()


def test_polling_fallback_sees_changes(vault: Path, tmp_path: Path) -> None:
    daemon = Daemon(vault, tmp_path, "--polling").wait_running()
    try:
        assert daemon.status()["observer"] == "polling"
        note = vault / "notes.md"
        note.write_text("seen by polling\n", encoding="utf-8")
        wait_for(converged(note, "seen by polling\n"), what="polled change processed")
        stays_still(note)
    finally:
        daemon.stop()


def test_binary_note_and_a_10mb_paste_do_not_stop_it(vault: Path, daemon: Daemon) -> None:
    (vault / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)) * 40)
    big = "pasted line of text that goes on and on\n" * 260_000  # ~10 MB
    (vault / "huge.md").write_text(big, encoding="utf-8")
    wait_for(
        lambda: "binary.md:1: unreadable-note binary file" in daemon.log(),
        what="binary note logged",
    )
    wait_for(
        lambda: "huge.md:1: unreadable-note over the size limit" in daemon.log(),
        what="huge note logged",
    )
    note = vault / "notes.md"
    note.write_text("after the bad files\n", encoding="utf-8")
    wait_for(converged(note, "after the bad files\n"), what="daemon still works")
    assert (vault / "huge.md").read_text(encoding="utf-8") == big


def test_vault_folder_removed_stops_with_an_error(vault: Path, daemon: Daemon) -> None:
    wait_for(lambda: daemon.journal("done"), what="first pass")
    wait_for(lambda: shutil.rmtree(vault, ignore_errors=True) or not vault.exists(), what="rm -rf")
    daemon.proc.wait(timeout=10)
    assert daemon.proc.returncode == 2
    assert "the vault folder was removed or unmounted" in daemon.log()
    assert not vault.exists()  # nothing recreated it (log file, state)


def test_corrupt_and_deleted_state_is_rebuilt(vault: Path, tmp_path: Path) -> None:
    (vault / ".vaultbot").mkdir()
    (vault / ".vaultbot" / "watch-state.json").write_text("{not json", encoding="utf-8")
    daemon = Daemon(vault, tmp_path).wait_running()
    try:
        assert "corrupt saved state" in daemon.log()
        wait_for(lambda: len(daemon.journal("done")) >= 2, what="every note checked")
        shutil.rmtree(vault / ".vaultbot")  # the user deletes the state folder under it
        note = vault / "notes.md"
        note.write_text("state folder gone\n", encoding="utf-8")
        wait_for(converged(note, "state folder gone\n"), what="still processing")
        wait_for(lambda: (vault / ".vaultbot" / "daemon.lock").exists(), what="lock recreated")
        assert "was deleted; recreating the daemon lock" in daemon.log()
        refused = subprocess.run(
            [sys.executable, "-m", "vaultbot", "watch", str(vault)],
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert refused.returncode == 2 and f"PID {daemon.proc.pid}" in refused.stderr
    finally:
        daemon.stop()
    assert json.loads((vault / ".vaultbot" / "watch-state.json").read_text())["notes"]


def test_note_open_in_active_pane_waits_for_idle(vault: Path, tmp_path: Path) -> None:
    workspace = {
        "main": {
            "id": "m",
            "type": "split",
            "children": [
                {
                    "id": "t",
                    "type": "tabs",
                    "children": [
                        {
                            "id": "leaf1",
                            "type": "leaf",
                            "state": {"type": "markdown", "state": {"file": "notes.md"}},
                        }
                    ],
                }
            ],
        },
        "active": "leaf1",
    }
    (vault / ".obsidian" / "workspace.json").write_text(json.dumps(workspace), encoding="utf-8")
    daemon = Daemon(vault, tmp_path, "--active-idle", "2").wait_running()
    try:
        note = vault / "notes.md"
        note.write_text("typing in the active pane\n", encoding="utf-8")
        saved = time.time()
        wait_for(converged(note, "typing in the active pane\n"), what="written once idle")
        assert time.time() - saved >= 2.0
        other = vault / "daily" / "2026-01.md"
        wait_for(lambda: other.read_text().endswith(" %%\n"), what="other notes not held back")
    finally:
        daemon.stop()


def test_network_down_papers_retry_with_backoff(vault: Path, tmp_path: Path) -> None:
    daemon = Daemon(vault, tmp_path, env={"VAULTBOT_TEST_FETCH_FAILS": "2"}).wait_running()
    try:
        note = vault / "notes.md"
        user = "- https://arxiv.org/abs/2512.03036\n"
        note.write_text(user, encoding="utf-8")
        wait_for(converged(note, user), what="note processed without waiting for the network")
        wait_for(lambda: len(daemon.journal("fetch")) >= 3, what="fetch retried until it worked")
        attempts = daemon.journal("fetch")
        assert [a["ids"] for a in attempts[:3]] == [["2512.03036"]] * 3
        gaps = [b["time"] - a["time"] for a, b in zip(attempts, attempts[1:3])]
        assert gaps[1] > gaps[0] * 1.5  # exponential backoff
        last_fetch = attempts[2]["time"]
        wait_for(
            lambda: any(r["time"] > last_fetch for r in daemon.journal("start", "notes.md")),
            what="note requeued once its paper arrived",
        )
        assert "fetching 1 paper(s) failed (Network is unreachable)" in daemon.log()
    finally:
        daemon.stop()


def test_offline_never_fetches(vault: Path, tmp_path: Path) -> None:
    daemon = Daemon(vault, tmp_path, "--offline").wait_running()
    try:
        note = vault / "notes.md"
        note.write_text("- https://arxiv.org/abs/2512.03036\n", encoding="utf-8")
        wait_for(converged(note, "- https://arxiv.org/abs/2512.03036\n"), what="processed offline")
        time.sleep(3 * DEBOUNCE)
        assert daemon.journal("fetch") == []
    finally:
        daemon.stop()


def test_status_exit_codes_and_json(vault: Path, tmp_path: Path) -> None:
    def status(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vaultbot", "status", str(vault), *args],
            capture_output=True,
            text=True,
            timeout=20,
        )

    idle = status("--format", "json")
    assert idle.returncode == 1 and json.loads(idle.stdout)["running"] is False
    assert status().stdout.startswith("no vaultbot daemon watches")
    daemon = Daemon(vault, tmp_path, harness=False).wait_running()
    try:
        wait_for(
            lambda: daemon.status().get("queue") == 0 and "note(s) in" in daemon.log(),
            what="first pass",
        )
        running = status("--format", "json")
        report = json.loads(running.stdout)
        assert running.returncode == 0
        assert (
            report["running"] is True and report["pid"] == daemon.proc.pid and report["queue"] == 0
        )
        assert report["uptime_seconds"] >= 0 and report["observer"]
        text = status()
        assert text.returncode == 0 and f"PID {daemon.proc.pid}" in text.stdout
    finally:
        daemon.stop()
    assert status().returncode == 1


def _notes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.md"))
        if ".vaultbot" not in p.parts
    }


def copy_sample(dest: Path) -> Path:
    """Copy sample_vault (with its metadata cache, without a daemon's leftovers) to ``dest``."""
    shutil.copytree(
        HERE.parent / "sample_vault",
        dest,
        ignore=shutil.ignore_patterns("watch-state.json", "status.json", "*.lock"),
    )
    return dest


def sync_offline(root: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "vaultbot", "sync", str(root), "--offline"],
        capture_output=True,
        timeout=120,
        check=False,
    )


def paste_bare_link(note: Path) -> str:
    """Append a bare arXiv link as the user pastes it; wait until the daemon titles it.

    Return the note's text from before the paste."""
    before = note.read_text(encoding="utf-8")
    note.write_text(before + "\n- again https://arxiv.org/abs/2512.24880\n", encoding="utf-8")
    wait_for(
        lambda: (
            "https://arxiv.org/abs/2512.24880)\n" in note.read_text(encoding="utf-8")[len(before) :]
        ),
        timeout=15,
        what="pasted link titled",
    )
    return before


def test_default_pipeline_on_sample_vault_matches_sync_and_follows_edits(tmp_path: Path) -> None:
    watched, synced = copy_sample(tmp_path / "watched"), copy_sample(tmp_path / "synced")
    sync_offline(synced)
    daemon = Daemon(watched, tmp_path, "--offline", harness=False).wait_running()
    try:
        wait_for(
            lambda: _notes(watched) == _notes(synced),
            timeout=30,
            what="daemon output equals sync's",
        )
        note = watched / "daily" / "2026-01.md"
        stays_still(note)
        resolved = note.read_text(encoding="utf-8")
        assert "- mHC https://arxiv.org/abs/2512.24880" not in resolved  # as sync resolves it
        before = paste_bare_link(note)  # the user pastes a bare link: titled as well
        stays_still(note)
        after = _notes(watched)
        sync_offline(watched)
        assert _notes(watched) == after  # the daemon left nothing for sync to do
        assert note.read_text(encoding="utf-8").startswith(before.split("\n- mHC")[0][:200])
    finally:
        daemon.stop()


def test_restart_builds_the_graph_before_the_first_save(tmp_path: Path) -> None:
    """On a converged vault the daemon warms its pipeline up (the link step's graph)
    right after start-up, changing nothing, so the first save does not pay for it."""
    vault = copy_sample(tmp_path / "vault")
    sync_offline(vault)
    converged = _notes(vault)
    daemon = Daemon(vault, tmp_path, "--offline", harness=False).wait_running()
    try:
        wait_for(lambda: "pipeline ready (warm-up took" in daemon.log(), what="warm-up")
        log = daemon.log()
        assert log.index("watching ") < log.index("pipeline ready") and "processed 0 note(s)" in log
        assert _notes(vault) == converged
        paste_bare_link(vault / "daily" / "2026-01.md")
        assert daemon.log().count("pipeline ready") == 1
    finally:
        daemon.stop()


def test_papers_fetched_from_the_api_once_it_is_back(vault: Path, tmp_path: Path) -> None:
    from arxiv_server import ReplayServer

    server = ReplayServer().start()
    server.mode = "503"  # the API is down when the user pastes the link
    env = {
        "VAULTBOT_ARXIV_URL": server.url,
        "VAULTBOT_STATE_DIR": str(tmp_path / "user-state"),
        "VAULTBOT_TIMEOUT": "5",
    }
    daemon = Daemon(vault, tmp_path, harness=False, env=env).wait_running()
    try:
        note = vault / "notes.md"
        note.write_text("- https://arxiv.org/abs/1706.03762\n", encoding="utf-8")
        wait_for(
            lambda: server.count >= 1 and "fetching 1 paper(s) failed" in daemon.log(),
            what="API failure",
        )
        other = vault / "daily" / "2026-01.md"
        other.write_text("# 2026-01\n\n## 1.15\n\n- not blocked by the API\n", encoding="utf-8")
        wait_for(
            lambda: (
                "note(s) in" in daemon.log().split("fetching 1 paper(s) failed")[1]
                and "daily/2026-01.md" in daemon.log().split("fetching 1 paper(s) failed")[1]
            ),
            what="other notes keep flowing",
        )
        server.mode = "ok"
        wait_for(
            lambda: (
                "[Attention Is All You Need](https://arxiv.org/abs/1706.03762)" in note.read_text()
            ),
            timeout=20,
            what="title written once the API answered",
        )
        stays_still(note)
        assert all(s.id_list == ("1706.03762",) for s in server.seen)
    finally:
        daemon.stop()
        server.stop()


def test_daemon_waits_for_a_one_shot_writer_holding_the_write_lock(
    vault: Path, daemon: Daemon
) -> None:
    from vaultbot.locks import vault_write_lock

    wait_for(lambda: daemon.journal("done", "notes.md"), what="first pass")
    note = vault / "notes.md"
    with vault_write_lock(vault):  # a one-shot `vaultbot sync` is writing
        note.write_text("edited during a sync run\n", encoding="utf-8")
        wait_for(
            lambda: "another vaultbot process is writing; retrying later" in daemon.log(),
            what="daemon backs off",
            timeout=15,
        )
        assert note.read_text(encoding="utf-8") == "edited during a sync run\n"  # no second writer
    wait_for(
        converged(note, "edited during a sync run\n"),
        timeout=15,
        what="written after the lock was freed",
    )
    stays_still(note)


def test_note_renamed_while_being_processed_is_not_recreated(vault: Path, daemon: Daemon) -> None:
    wait_for(lambda: daemon.journal("done", "notes.md"), what="first pass")
    note, moved = vault / "notes.md", vault / "moved.md"
    note.write_text("SLOW and then renamed\n", encoding="utf-8")
    wait_for(lambda: daemon.journal("slow", "notes.md"), what="vaultbot busy with the note")
    note.rename(moved)  # Obsidian renames the note while vaultbot computes its edit
    wait_for(converged(moved, "SLOW and then renamed\n"), timeout=15, what="new name processed")
    wait_for(lambda: "notes.md: removed" in daemon.log(), what="old name dropped")
    stays_still(moved)
    assert not note.exists()  # the stale write was dropped, never recreating the old name


def test_corrupt_cache_is_rebuilt_with_a_warning(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "vault")
    for extra in root.glob(".vaultbot/cache.sqlite-*"):
        extra.unlink()
    (root / ".vaultbot" / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    daemon = Daemon(root, tmp_path, "--offline", harness=False).wait_running()
    try:
        wait_for(lambda: "corrupt metadata cache" in daemon.log(), timeout=20, what="cache warning")
        wait_for(
            lambda: daemon.status().get("queue") == 0 and "note(s) in" in daemon.log(),
            timeout=20,
            what="notes still processed",
        )
        assert daemon.proc.poll() is None
        assert "corrupt metadata cache" in (root / ".vaultbot" / "vaultbot.log").read_text()
    finally:
        daemon.stop()


def test_folder_renamed_is_rescanned(vault: Path, daemon: Daemon) -> None:
    wait_for(lambda: daemon.journal("done", "daily/2026-01.md"), what="first pass")
    (vault / "daily").rename(vault / "journal")
    wait_for(
        lambda: daemon.journal("start", "journal/2026-01.md"), what="note under the new folder"
    )
    wait_for(lambda: "daily/2026-01.md: removed" in daemon.log(), what="old path dropped")
    moved = vault / "journal" / "2026-01.md"
    stays_still(moved)
    assert not (vault / "daily").exists()
