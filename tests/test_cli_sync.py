"""``vaultbot sync`` / ``link`` / ``clean`` run as the user runs them (issue 6)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from vaultbot.cli import cli

REPO = Path(__file__).parent.parent
SAMPLE = REPO / "sample_vault"
SMALL = Path(__file__).parent / "vaults" / "link_small"
TRANSIENT = shutil.ignore_patterns("*-wal", "*-shm", "*.lock", "*.log")


def copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "sample_vault"
    shutil.copytree(SAMPLE, root, ignore=TRANSIENT)
    return root


def copy_small_with_cache(tmp_path: Path) -> Path:
    """link_small plus sample_vault's shipped cache (real metadata of the same papers)."""
    root = tmp_path / "small"
    shutil.copytree(SMALL, root)
    (root / ".vaultbot").mkdir()
    shutil.copy2(SAMPLE / ".vaultbot" / "cache.sqlite", root / ".vaultbot" / "cache.sqlite")
    return root


def notes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_sync_sample_vault_then_second_sync_changes_nothing(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    before = notes(root)
    code, out = invoke("sync", str(root), "--offline")
    assert code == 0, out
    summary = out.splitlines()[-1]
    assert summary.startswith("sync: 109 of 109 papers resolved (95 links titled, 0 unresolved), ")
    assert summary.endswith(", 5 notes changed, 6 problems found (4 errors)")
    assert any(line.startswith("daily/2026-01.md:") and " missing-asset " in line for line in out.splitlines())  # listed; exit 0
    after = notes(root)
    assert after != before
    daily = after["daily/2025-12.md"].decode()
    assert "%%vaultbot%%" in daily and "- related: [" in daily  # useMarkdownLinks is on here
    code, out = invoke("sync", str(root), "--offline")
    assert code == 0
    assert out.splitlines()[-1] == (
        "sync: 109 of 109 papers resolved (0 links titled, 0 unresolved), 0 links added, 0 removed, "
        "0 notes changed, 6 problems found (4 errors)"
    )
    assert notes(root) == after


def test_check_exits_1_on_pending_changes_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_small_with_cache(tmp_path)
    before = notes(root)
    code, out = invoke("sync", str(root), "--offline", "--check")
    assert code == 1
    assert "notes would change" in out.splitlines()[-1]
    assert notes(root) == before
    code, out = invoke("sync", str(root), "--offline")
    assert code == 0, out
    code, out = invoke("sync", str(root), "--offline", "--check")
    assert (code, out.splitlines()[-1].split(", ")[-2:]) == (0, ["0 notes would change", "0 problems found (0 errors)"])


def test_check_exits_1_when_errors_remain(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    assert invoke("sync", str(root), "--offline")[0] == 0
    code, out = invoke("sync", str(root), "--offline", "--check")
    assert code == 1
    assert "0 notes would change, 6 problems found (4 errors)" in out


def test_dry_run_prints_the_diff_of_resolve_and_link_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_small_with_cache(tmp_path)
    before = notes(root)
    code, out = invoke("sync", str(root), "--offline", "--dry-run")
    assert code == 0
    assert "--- a/daily/2025-12.md\n+++ b/daily/2025-12.md\n" in out
    assert "+- [DeepSeek-V3.2: Pushing the Frontier of Open Large Language Models](https://arxiv.org/abs/2512.02556)" in out
    assert "%%vaultbot%%" in out
    assert notes(root) == before
    invoke("sync", str(root), "--offline")
    written = notes(root)
    diff_lines = [line[1:] for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    text = "\n".join(v.decode() for v in written.values())
    assert all(line in text for line in diff_lines)  # the dry run showed what the run wrote


def test_diff_option_shows_what_a_real_run_wrote(tmp_path: Path) -> None:
    root = copy_small_with_cache(tmp_path)
    code, out = invoke("sync", str(root), "--offline", "--diff")
    assert code == 0 and "+++ b/reports/HF Daily 2026-02-07.md" in out
    assert "notes changed" in out.splitlines()[-1]


def test_json_output(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    code, out = invoke("sync", str(root), "--offline", "--dry-run", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["dry_run"] is True and len(data["changed"]) == 5
    assert data["resolve"]["links_rewritten"] == 95
    assert {d["rule"] for d in data["diagnostics"]} >= {"missing-asset", "orphan-asset"}


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("sync", str(tmp_path / "nope"))[0] == 2
    assert invoke("sync", str(tmp_path), "--bogus")[0] == 2
    (tmp_path / ".vaultbot.toml").write_text("[link]\ntop_kk = 3\n", encoding="utf-8")
    code, out = invoke("sync", str(tmp_path), "--offline")
    assert code == 2 and "unknown key link.top_kk" in out


def test_link_dry_run_then_link_then_clean(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    before = notes(root)
    code, out = invoke("link", str(root), "--dry-run")
    assert code == 0 and "+++ b/daily/2025-12.md" in out and notes(root) == before
    code, out = invoke("link", str(root), "--check")
    assert code == 1
    code, out = invoke("link", str(root))
    assert code == 0 and out.startswith("link: ") and "notes changed" in out
    assert invoke("link", str(root), "--check")[0] == 0
    code, out = invoke("clean", str(root))
    assert code == 0 and out.startswith("clean: ")
    assert notes(root) == before


def test_readme_main_command_leaves_the_checkout_clean(tmp_path: Path) -> None:
    """Run the README's main command (minus the venv set-up): sample_vault stays as it was."""

    def every_file() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in sorted(SAMPLE.rglob("*")) if p.is_file()}

    before = every_file()
    git_status = ["git", "-C", str(REPO), "status", "--porcelain", "--ignored", "sample_vault"]
    in_git = (REPO / ".git").exists()
    status_before = subprocess.run(git_status, capture_output=True, text=True, check=False).stdout if in_git else ""
    vaultbot = str(Path(sys.executable).with_name("vaultbot"))
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    command = f'd=$(mktemp -d) && cp -r sample_vault "$d/" && "{vaultbot}" sync "$d/sample_vault" --offline --diff'
    run = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "+++ b/daily/2025-12.md" in run.stdout and "5 notes changed" in run.stdout
    assert every_file() == before
    if in_git:
        assert subprocess.run(git_status, capture_output=True, text=True, check=False).stdout == status_before
