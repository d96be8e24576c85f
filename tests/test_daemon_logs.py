"""The daemon's log file: reopened when ``.vaultbot/`` is deleted, never a reason to stop."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from vaultbot.daemon.logs import LOG_FILE, ReopeningFileHandler


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("vaultbot", logging.WARNING, __file__, 1, message, None, None)


@pytest.fixture()
def handler(tmp_path: Path):
    folder = tmp_path / "vault" / ".vaultbot"
    folder.mkdir(parents=True)
    handler = ReopeningFileHandler(folder / LOG_FILE, maxBytes=1_000_000, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    yield handler
    handler.close()


def test_the_file_is_reopened_after_its_folder_was_deleted(handler: ReopeningFileHandler) -> None:
    log_file = Path(handler.baseFilename)
    handler.emit(_record("before"))
    shutil.rmtree(log_file.parent)
    handler.emit(_record("after"))
    assert log_file.read_text(encoding="utf-8") == "after\n"


def test_a_removed_vault_is_not_recreated_for_the_log(handler: ReopeningFileHandler) -> None:
    log_file = Path(handler.baseFilename)
    handler.emit(_record("before"))
    shutil.rmtree(log_file.parent.parent)
    handler.emit(_record("after"))  # no exception, nothing written
    assert not log_file.parent.parent.exists()


def test_a_folder_deleted_again_while_reopening_skips_the_record(
    handler: ReopeningFileHandler, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rm -rf VAULT`` under the daemon: ``.vaultbot/`` goes first, the handler makes it
    again, and the removal takes it once more before the file is opened.  The record
    goes to stderr only (the other handler); the daemon goes on to notice the vault is
    gone, instead of stopping with an internal error from inside ``log.warning``."""
    log_file = Path(handler.baseFilename)
    handler.emit(_record("before"))
    shutil.rmtree(log_file.parent)
    real_open = handler._open

    def open_after_the_removal_struck_again():  # type: ignore[no-untyped-def]
        shutil.rmtree(log_file.parent)
        return real_open()

    monkeypatch.setattr(handler, "_open", open_after_the_removal_struck_again)
    handler.emit(_record("while removed"))
    monkeypatch.setattr(handler, "_open", real_open)
    assert "Logging error" not in capsys.readouterr().err
    handler.emit(_record("later"))  # the folder is made again for the next record
    assert log_file.read_text(encoding="utf-8") == "later\n"
