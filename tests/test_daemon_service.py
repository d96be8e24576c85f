"""``vaultbot service``: the generated systemd user unit and launchd agent, checked by
``systemd-analyze verify`` and ``plistlib``, and written only where they belong."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultbot.cli import cli


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    root = tmp_path / "My Vault 100%"
    (root / ".obsidian").mkdir(parents=True)
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_systemd_unit_passes_systemd_analyze_verify(vault: Path, tmp_path: Path) -> None:
    code, text = run("service", "print", "--systemd", "--vault", str(vault))
    assert code == 0
    assert f'ExecStart={sys.executable} -m vaultbot watch "{vault}"'.replace("%", "%%") in text
    assert "WantedBy=default.target" in text
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    unit = tmp_path / "vaultbot-test.service"
    unit.write_text(text, encoding="utf-8")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    checked = subprocess.run(
        ["systemd-analyze", "verify", "--user", str(unit)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert str(unit) not in checked.stderr and "vaultbot-test" not in checked.stderr


def test_launchd_plist_parses_and_runs_the_daemon(vault: Path) -> None:
    code, text = run("service", "print", "--launchd", "--vault", str(vault))
    assert code == 0
    plist = plistlib.loads(text.encode("utf-8"))
    assert plist["ProgramArguments"] == [sys.executable, "-m", "vaultbot", "watch", str(vault)]
    assert plist["Label"].startswith("io.github.vaultbot.watch.my-vault-100-")
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
    assert plist["WorkingDirectory"] == str(vault)


def test_install_writes_into_the_standard_user_folder_and_uninstall_removes_it(
    vault: Path, tmp_path: Path
) -> None:
    code, text = run("service", "install", "--systemd", "--vault", str(vault))
    assert code == 0
    units = list((tmp_path / "home" / ".config" / "systemd" / "user").glob("vaultbot-*.service"))
    assert len(units) == 1 and f"wrote {units[0]}" in text
    assert f"systemctl --user enable --now {units[0].name}" in text
    assert f"journalctl --user -u {units[0].name}" in text
    code, text = run("service", "install", "--launchd", "--vault", str(vault))
    agents = list((tmp_path / "home" / "Library" / "LaunchAgents").glob("*.plist"))
    assert code == 0 and len(agents) == 1 and "launchctl bootstrap" in text
    code, text = run("service", "uninstall", "--systemd", "--vault", str(vault))
    assert code == 0 and not units[0].exists() and "systemctl --user disable --now" in text
    code, text = run("service", "uninstall", "--systemd", "--vault", str(vault))
    assert code == 0 and text.startswith("nothing to remove")


def test_install_to_an_output_folder_writes_nothing_else(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _ = run("service", "install", "--launchd", "--vault", str(vault), "-o", str(out))
    assert code == 0 and len(list(out.glob("*.plist"))) == 1
    assert not any((tmp_path / "home").iterdir())


def test_service_for_a_missing_vault_is_a_usage_error(tmp_path: Path) -> None:
    code, text = run("service", "print", "--vault", str(tmp_path / "nope"))
    assert code == 2 and "no such folder" in text
