"""The daemon's parts on their own: debounce queue, saved state, Obsidian's active pane,
the pipeline chain that merges several steps' edits into one write."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest

from vaultbot.daemon.obsidian import ActiveNote, active_file
from vaultbot.daemon.pipeline import Outcome, chain
from vaultbot.daemon.queue import DebounceQueue
from vaultbot.daemon.state import WatchState
from vaultbot.diagnostics import Edit
from vaultbot.vault import Vault, load_vault
from vaultbot.writer import apply


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_queue_coalesces_a_burst_into_one_due_path() -> None:
    clock = Clock()
    queue = DebounceQueue(3.0, clock)
    for _ in range(5):
        queue.touch("a.md")
        clock.now += 1.0  # saves every second: never quiet for 3 s
        assert queue.pop_due() == []
    queue.touch("b.md", 0.0)
    assert queue.pop_due() == ["b.md"]
    clock.now += 3.0
    assert queue.pop_due() == ["a.md"] and len(queue) == 0


def test_queue_defer_holds_without_counting_an_event() -> None:
    clock = Clock()
    queue = DebounceQueue(1.0, clock)
    queue.touch("a.md")
    clock.now += 1.0
    assert queue.pop_due() == ["a.md"]
    queue.defer("a.md", clock.now + 5.0)
    assert queue.quiet_for("a.md") == 1.0
    clock.now += 4.9
    assert queue.pop_due() == []
    clock.now += 0.2
    assert queue.pop_due() == ["a.md"]


WORKSPACE = {
    "main": {
        "id": "m",
        "type": "split",
        "children": [
            {
                "id": "t",
                "type": "tabs",
                "children": [
                    {
                        "id": "l1",
                        "type": "leaf",
                        "state": {"type": "markdown", "state": {"file": "daily/2026-01.md"}},
                    },
                    {
                        "id": "l2",
                        "type": "leaf",
                        "state": {"type": "markdown", "state": {"file": "reports/HF.md"}},
                    },
                ],
            }
        ],
    },
    "left": {
        "id": "s",
        "type": "split",
        "children": [{"id": "l3", "type": "leaf", "state": {"type": "file-explorer", "state": {}}}],
    },
    "active": "l2",
    "lastOpenFiles": ["daily/2026-01.md"],
}


def test_active_file_is_the_active_leafs_note(tmp_path: Path) -> None:
    path = tmp_path / "workspace.json"
    path.write_text(json.dumps(WORKSPACE), encoding="utf-8")
    assert active_file(path) == "reports/HF.md"
    path.write_text(json.dumps({**WORKSPACE, "active": "l3"}), encoding="utf-8")
    assert active_file(path) is None  # the file explorer has focus
    path.write_text("{broken", encoding="utf-8")
    assert active_file(path) is None


def test_active_note_rereads_workspace_only_when_it_changed(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    path = tmp_path / ".obsidian" / "workspace.json"
    path.write_text(json.dumps(WORKSPACE), encoding="utf-8")
    active = ActiveNote(tmp_path)
    assert active.current() == "reports/HF.md"
    path.write_text(json.dumps({**WORKSPACE, "active": "l1"}), encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert active.current() == "daily/2026-01.md"
    path.unlink()
    assert active.current() is None


def _vault(tmp_path: Path, files: dict[str, bytes]) -> Vault:
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    return load_vault(tmp_path)


def test_state_diff_finds_changes_removals_and_attachments(tmp_path: Path) -> None:
    vault = _vault(tmp_path, {"a.md": b"a\n", "b.md": b"b\n", "img.png": b"x"})
    state = WatchState(tmp_path / ".vaultbot" / "watch-state.json")
    for rel, src in vault.sources.items():
        from vaultbot.daemon.state import FileStamp, digest

        st = (tmp_path / rel).stat()
        state.record(rel, FileStamp(st.st_size, st.st_mtime_ns, digest(src.raw)))
    state.assets = {"img.png"}
    state.save()
    (tmp_path / "a.md").write_bytes(b"a changed\n")
    (tmp_path / "b.md").unlink()
    (tmp_path / "c.md").write_bytes(b"c\n")
    (tmp_path / "img.png").unlink()
    (tmp_path / "new.png").write_bytes(b"y")
    os.utime(tmp_path / "a.md", ns=(5, 5))
    loaded = WatchState.load(tmp_path / ".vaultbot")
    vault = load_vault(tmp_path)
    changes = loaded.diff(tmp_path, vault.files, {r: s.raw for r, s in vault.sources.items()})
    assert changes.notes == ("a.md", "c.md")
    assert changes.removed_notes == ("b.md",)
    assert changes.assets == ("img.png", "new.png")


def test_state_touch_without_change_is_not_a_change(tmp_path: Path) -> None:
    from vaultbot.daemon.state import FileStamp, digest

    vault = _vault(tmp_path, {"a.md": b"same bytes\n"})
    state = WatchState(tmp_path / "watch-state.json")
    st = (tmp_path / "a.md").stat()
    state.record("a.md", FileStamp(st.st_size, st.st_mtime_ns, digest(vault.sources["a.md"].raw)))
    os.utime(tmp_path / "a.md", ns=(7, 7))  # `touch`, or a sync tool rewriting the same bytes
    changes = state.diff(tmp_path, vault.files, {"a.md": b"same bytes\n"})
    assert changes.notes == ()


@pytest.mark.parametrize(
    "garbage", [b"{not json", b'{"format": 99, "notes": {}}', b'{"format": 1}', b"\xff\xfe"]
)
def test_corrupt_state_starts_fresh_with_a_warning(
    tmp_path: Path, garbage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "watch-state.json").write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="vaultbot.watch"):
        state = WatchState.load(tmp_path)
    assert state.fresh and state.notes == {}
    assert "corrupt saved state" in caplog.text and "watch-state.json" in caplog.text


def _append(text: str):  # type: ignore[no-untyped-def]
    def step(vault: Vault, rels: list[str]) -> Outcome:
        edits = []
        for rel in rels:
            note = vault.notes[rel]
            end = len(note.text)
            edits.append(Edit(rel, end, end, "", text))
        return Outcome(edits=edits)

    return step


def _title_first_line(vault: Vault, rels: list[str]) -> Outcome:
    note = vault.notes[rels[0]]
    first = note.line_text(1)
    return Outcome(edits=[Edit(rels[0], 0, len(first), first, first.upper())])


def test_chain_merges_steps_edits_into_one_write_keeping_crlf(tmp_path: Path) -> None:
    raw = b"first line\r\nsecond line\r\nthird\r\n"
    vault = _vault(tmp_path, {"n.md": raw})
    pipeline = chain([_title_first_line, _append("added by step two\n"), _append("and three\n")])
    outcome = pipeline(vault, ["n.md"])
    assert len(outcome.edits) == 1  # one edit per note: one atomic write
    result = apply(tmp_path, outcome.edits, vault.sources)
    assert result.written == ["n.md"]
    assert (tmp_path / "n.md").read_bytes() == (
        b"FIRST LINE\r\nsecond line\r\nthird\r\nadded by step two\r\nand three\r\n"
    )


def _handler(root: Path, seen: list[str]):  # type: ignore[no-untyped-def]
    from vaultbot.daemon.events import VaultEventHandler

    return VaultEventHandler(root, ["templates"], seen.append, lambda: seen.append("<rescan>"))


def test_native_observer_reports_visible_paths_only(tmp_path: Path) -> None:
    from vaultbot.daemon.events import start_observer

    (tmp_path / ".vaultbot").mkdir()
    (tmp_path / "templates").mkdir()
    seen: list[str] = []
    observer, kind = start_observer(
        tmp_path,
        _handler(tmp_path, seen),
        polling=False,
        interval=0.5,
        probe_dir=tmp_path / ".vaultbot",
    )
    try:
        assert kind != "polling"
        (tmp_path / ".obsidian").mkdir()
        (tmp_path / ".obsidian" / "workspace.json").write_text("{}")
        (tmp_path / "templates" / "t.md").write_text("x")
        (tmp_path / ".note.md.tmp").write_text("x")
        (tmp_path / "note.md").write_text("x")
        deadline = time.monotonic() + 5
        while "note.md" not in seen and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
    finally:
        observer.stop()
    assert set(seen) - {"<rescan>"} == {"note.md"}


def test_no_events_falls_back_to_polling_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from vaultbot.daemon import events

    (tmp_path / ".vaultbot").mkdir()
    # a filesystem that never reports anything: an observer that looks once an hour
    monkeypatch.setattr(events, "_native", lambda: events.polling_observer(3600))
    seen: list[str] = []
    with caplog.at_level(logging.WARNING, logger="vaultbot.watch"):
        observer, kind = events.start_observer(
            tmp_path,
            _handler(tmp_path, seen),
            polling=False,
            interval=0.2,
            probe_dir=tmp_path / ".vaultbot",
        )
    try:
        assert kind == "polling" and "no file events arrive" in caplog.text
        (tmp_path / "note.md").write_text("x")
        deadline = time.monotonic() + 5
        while "note.md" not in seen and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "note.md" in seen
    finally:
        observer.stop()


def test_inotify_limit_falls_back_to_polling_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import errno

    from watchdog.observers import Observer

    from vaultbot.daemon import events

    class Exhausted(Observer):  # type: ignore[misc,valid-type]
        def schedule(self, *args: object, **kwargs: object) -> object:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(events, "_native", Exhausted)
    with caplog.at_level(logging.WARNING, logger="vaultbot.watch"):
        observer, kind = events.start_observer(
            tmp_path, _handler(tmp_path, []), polling=False, interval=0.5, probe_dir=tmp_path
        )
    observer.stop()
    assert kind == "polling" and "max_user_watches" in caplog.text


def test_a_crashing_handler_never_kills_the_observer_thread(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from vaultbot.daemon.events import VaultEventHandler, start_observer

    (tmp_path / ".vaultbot").mkdir()
    seen: list[str] = []

    def explode(rel: str) -> None:
        seen.append(rel)
        if rel == "bad.md":
            raise RuntimeError("handler bug")

    handler = VaultEventHandler(tmp_path, [], explode, lambda: None)
    with caplog.at_level(logging.ERROR, logger="vaultbot.watch"):
        observer, _ = start_observer(
            tmp_path, handler, polling=False, interval=0.5, probe_dir=tmp_path / ".vaultbot"
        )
        try:
            (tmp_path / "bad.md").write_text("x")
            time.sleep(0.3)
            (tmp_path / "good.md").write_text("x")
            deadline = time.monotonic() + 5
            while "good.md" not in seen and time.monotonic() < deadline:
                time.sleep(0.02)
            assert observer.is_alive() and "good.md" in seen
        finally:
            observer.stop()
    assert "error while handling the event" in caplog.text and "bad.md" in caplog.text


def test_status_text_names_a_state_other_than_running() -> None:
    from vaultbot.cli.watch import _status_text

    report = {
        "vault": "/v",
        "running": True,
        "pid": 7,
        "host": "h",
        "uptime_seconds": 3.0,
        "observer": "InotifyObserver",
        "queue": 0,
        "papers_pending": 0,
        "processed": 0,
        "written": 0,
        "last_errors": [],
    }
    warming = _status_text({**report, "state": "warming up"}).splitlines()[0]
    running = _status_text({**report, "state": "running"}).splitlines()[0]
    assert warming == "vaultbot watch runs on /v: PID 7 on h, up 3s (warming up)"
    assert running == "vaultbot watch runs on /v: PID 7 on h, up 3s"
