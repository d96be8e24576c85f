"""Helpers shared by the subcommands: error boundary, exit codes, output streams."""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vaultbot.errors import VaultbotError

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger("vaultbot")


def error_boundary(func: F) -> F:
    """Turn vaultbot errors into ``Error: ...`` + exit 2 and crashes into a short report.

    A traceback is never the user interface: an unexpected exception prints one line
    naming it, the full traceback goes to ``.vaultbot/vaultbot.log`` when a vault is known.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except VaultbotError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - the one top-level handler
            _log_crash(kwargs)
            click.echo(f"Error: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("This is a vaultbot bug; the traceback is in .vaultbot/vaultbot.log.", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def _log_crash(kwargs: dict[str, Any]) -> None:
    text = traceback.format_exc()
    for value in kwargs.values():
        candidates = value if isinstance(value, (list, tuple)) else [value]
        for cand in candidates:
            if isinstance(cand, (str, Path)) and Path(cand).is_dir():
                state = Path(cand) / ".vaultbot"
                try:
                    state.mkdir(exist_ok=True)
                    with open(state / "vaultbot.log", "a", encoding="utf-8") as handle:
                        handle.write(text)
                    return
                except OSError:
                    pass
    sys.stderr.write(text)


def stream_is_terminal(stream: Any = None) -> bool:
    """Return True when progress displays should be shown (a terminal, not CI or a hook)."""
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())
