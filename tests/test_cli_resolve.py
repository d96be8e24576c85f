"""``vaultbot resolve`` as users run it: exact output, exit codes, --dry-run, --json, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from arxiv_server import ReplayServer, arxiv_server, isolated_state
from click.testing import CliRunner
from test_resolve import DAILY, EXPECTED, SAMPLE, make_vault, snapshot

from vaultbot.cli import cli

__all__ = ["arxiv_server", "isolated_state"]
pytestmark = pytest.mark.usefixtures("isolated_state")

UNRESOLVED = (
    "daily/2026-02.md:{l1}:3: unresolved-paper arXiv 2501.99999: not found on arXiv{remembered}\n"
    "daily/2026-02.md:{l2}:3: unresolved-paper arXiv 0808.05394: not a valid arXiv ID\n"
)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["resolve", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_run_prints_unresolved_and_summary_and_exits_0(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    code, out = invoke(str(root))
    assert code == 0
    assert out == UNRESOLVED.format(l1=23, l2=24, remembered="") + (
        "10 of 12 papers resolved (0 from cache, 9 fetched, 1 from report titles), 1 not found, 0 failed, "
        "1 invalid; 4 requests; 10 links titled in 4 notes.\n"
    )
    code, out = invoke(str(root))
    # Only the note with unresolved papers is read again; the three complete ones are skipped.
    assert out == UNRESOLVED.format(l1=36, l2=37, remembered=" (remembered; retried after 30 days)") + (
        "8 of 10 papers resolved (8 from cache, 0 fetched, 0 from report titles), 1 not found, 0 failed, "
        "1 invalid; 0 requests; 0 links titled in 0 notes (3 notes unchanged since the last run).\n"
    )


def test_progress_shows_on_a_terminal_only(tmp_path: Path, arxiv_server: ReplayServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    quiet = CliRunner().invoke(cli, ["resolve", str(root), "--dry-run"])
    assert quiet.stderr == ""
    monkeypatch.setattr("vaultbot.cli.resolve.stream_is_terminal", lambda: True)
    shutil.rmtree(root / ".vaultbot")
    shown = CliRunner().invoke(cli, ["resolve", str(root), "--dry-run"])
    assert "\rresolving: 4/10 papers, 1 requests, ETA " in shown.stderr
    assert "\rresolving: 10/10 papers, 4 requests" in shown.stderr and shown.stderr.endswith("\n")


def test_edited_or_rule_changed_notes_are_read_again(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    invoke(str(root))
    note = root / "daily/2026-02-b.md"
    with open(note, "a", encoding="utf-8") as handle:
        handle.write("- https://arxiv.org/abs/1706.03762\n")
    code, out = invoke(str(root))
    assert "(2 notes unchanged since the last run)" in out
    assert note.read_text(encoding="utf-8").endswith("- [Attention Is All You Need](https://arxiv.org/abs/1706.03762)\n")
    with open(root / ".vaultbot.toml", "a", encoding="utf-8") as handle:
        handle.write('tag_rules = "tags.toml"\n')
    (root / "tags.toml").write_text('[categories]\n"cond-mat" = "physics"\n', encoding="utf-8")
    code, out = invoke(str(root))
    assert "unchanged since the last run" not in out  # new rules: every note is looked at again
    assert "  - physics\n" in note.read_text(encoding="utf-8")
    assert "  - condensed-matter\n" not in note.read_text(encoding="utf-8")  # vaultbot's own tag replaced


def test_main_command_offline_diff_on_the_sample_vault_changes_no_file(tmp_path: Path) -> None:
    root = tmp_path / "sample_vault"
    shutil.copytree(SAMPLE, root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))}
    code, out = invoke(str(root), "--offline", "--dry-run")
    assert code == 0
    assert "+- **链接**: [Multi-hop Reasoning via Early Knowledge Alignment](https://huggingface.co/papers/2512.20144)\n" in out
    assert out.endswith("109 of 109 papers resolved (109 from cache, 0 fetched, 0 from report titles), 0 not found, "
                        "0 failed, 0 invalid; 0 requests; 95 links titled in 5 notes.\n")
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))}
    assert after == before


def test_strict_exits_1_when_something_is_unresolved(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    assert invoke(str(root), "--strict")[0] == 1
    (root / DAILY).write_text("- https://arxiv.org/abs/1605.08386\n", encoding="utf-8")
    assert invoke(str(root), "--strict")[0] == 0


def test_dry_run_prints_a_diff_and_writes_no_note(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    before = snapshot(root)
    code, out = invoke(str(root), "--dry-run")
    assert code == 0 and snapshot(root) == before
    assert "--- a/daily/2026-02.md\n+++ b/daily/2026-02.md\n" in out
    assert "-- https://arxiv.org/abs/1605.08386\n+- [Heat-bath random walks with Markov bases](https://arxiv.org/abs/1605.08386)\n" in out
    assert '+vaultbot-papers: ["1601.00001", "1605.08386"]\n' in out


def test_arxiv_url_option_and_offline_flag(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, "http://127.0.0.1:9/unused")
    code, out = invoke(str(root), "--offline")
    assert code == 0 and arxiv_server.count == 0
    assert "arXiv 1605.08386: not in the metadata cache (offline)" in out
    code, out = invoke(str(root), "--arxiv-url", arxiv_server.url)
    assert code == 0 and arxiv_server.count == 4
    assert (root / DAILY).read_text(encoding="utf-8") == (EXPECTED / "2026-02.expected.md").read_text(encoding="utf-8")


def test_json_output(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    code, out = invoke(str(root), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["summary"]["fetched"] == 9 and data["summary"]["requests"] == 4
    assert [d["rule"] for d in data["unresolved"]] == ["unresolved-paper", "unresolved-paper"]
    assert sorted(data["written"]) == ["daily/2026-02-b.md", "daily/2026-02.md", "daily/crlf-bom.md",
                                       "reports/HF Daily 2025-12-25.md"]


def test_failed_lookups_are_named_with_their_reason(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    arxiv_server.mode = "rate200"
    code, out = invoke(str(root), "--strict")
    assert code == 1
    assert ("daily/2026-02.md:11:3: unresolved-paper arXiv 1605.08386: lookup failed: throttled by arXiv "
            "('Rate exceeded.', HTTP 200); will be retried next run\n") in out


def test_bad_tag_rules_are_a_usage_error_naming_the_file(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url)
    with open(root / ".vaultbot.toml", "a", encoding="utf-8") as handle:
        handle.write('tag_rules = "tags.toml"\n')
    (root / "tags.toml").write_text('[categories]\n"cs.CV" = "cs.CV"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", str(root)])
    assert result.exit_code == 2
    assert "tags.toml" in result.stderr and "not a valid Obsidian tag" in result.stderr


def test_ctrl_c_mid_run_leaves_notes_old_and_the_cache_consistent(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    root = make_vault(tmp_path, arxiv_server.url, timeout=30.0, total_timeout=60.0)
    before = snapshot(root)
    arxiv_server.script = ["ok"]
    arxiv_server.mode = "hang"  # the first batch is answered, the second hangs
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "vaultbot", "resolve", str(root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while arxiv_server.count < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert snapshot(root) == before
    conn = sqlite3.connect(root / ".vaultbot" / "cache.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] in (0, 4)  # whole batch or nothing
