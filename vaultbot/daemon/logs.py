"""Logging for the daemon: human-readable lines on stderr and a rotating file.

The file, ``.vaultbot/vaultbot.log``, is what ``journalctl`` does not keep when the
daemon runs from a terminal or launchd; it is reopened when ``.vaultbot/`` is deleted
under a running daemon.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FILE = "vaultbot.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
STDERR_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
FILE_FORMAT = "%(asctime)s %(process)d %(levelname)-7s %(name)s: %(message)s"


class ReopeningFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file that starts over when its folder or file was deleted."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record``, reopening the file first when it was deleted.

        When the folder cannot be made or vanishes again before the file is opened (the
        whole vault is being removed), the record is left out of the file: stderr has it,
        and a log call must never raise into the daemon.
        """
        path = Path(self.baseFilename)
        if self.stream is None or not path.exists():
            if self.stream is not None:
                self.stream.close()
                self.stream = None  # until the file is open again
            try:
                path.parent.mkdir(exist_ok=True)  # never recreate a removed vault
                self.stream = self._open()
            except OSError:
                return
        super().emit(record)


def level_for(verbosity: int) -> int:
    """Map ``-v`` (1) / default (0) / ``-q`` (-1) to a logging level for stderr."""
    return {1: logging.DEBUG, 0: logging.INFO}.get(max(-1, min(1, verbosity)), logging.WARNING)


def setup_logging(state_folder: Path, verbosity: int) -> None:
    """Send vaultbot's records (and watchdog's, and Python warnings) to stderr and the log file."""
    logger = logging.getLogger("vaultbot")
    logger.setLevel(logging.DEBUG if verbosity > 0 else logging.INFO)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(level_for(verbosity))
    stderr.setFormatter(logging.Formatter(STDERR_FORMAT, "%H:%M:%S"))
    logger.addHandler(stderr)
    file_handler = ReopeningFileHandler(
        state_folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
    logger.addHandler(file_handler)
    logger.propagate = False
    logging.captureWarnings(True)  # e.g. the cache's "corrupt metadata cache ... rebuilt"
    for name in ("watchdog", "py.warnings"):
        other = logging.getLogger(name)
        other.setLevel(logging.WARNING)
        other.handlers = [stderr, file_handler]
        other.propagate = False
