"""``vaultbot watch``, ``vaultbot status`` and ``vaultbot service``: the daemon's commands."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from vaultbot.cli._common import EXIT_CLEAN, EXIT_FINDINGS, error_boundary

VAULT = click.argument("vault", type=click.Path(file_okay=False, path_type=Path))


@click.command()
@VAULT
@click.option(
    "--debounce",
    type=click.FloatRange(min=0),
    help="Seconds a note must be quiet before it is processed.",
)
@click.option(
    "--active-idle",
    type=click.FloatRange(min=0),
    help="Seconds the note open in Obsidian must be idle.",
)
@click.option(
    "--polling",
    is_flag=True,
    default=None,
    help="Poll the filesystem instead of waiting for events.",
)
@click.option("--offline", is_flag=True, help="Never use the network: resolve from the cache only.")
@click.option("-v", "--verbose", count=True, help="More log output (debug).")
@click.option("-q", "--quiet", count=True, help="Less log output (warnings and errors only).")
@error_boundary
def watch(
    vault: Path,
    debounce: float | None,
    active_idle: float | None,
    polling: bool | None,
    offline: bool,
    verbose: int,
    quiet: int,
) -> None:
    """Watch VAULT and keep it resolved, linked and valid while you write (stop: Ctrl-C)."""
    from vaultbot.config import load_config
    from vaultbot.daemon.logs import setup_logging
    from vaultbot.locks import state_dir
    from vaultbot.watch import VaultGone, WatchOptions
    from vaultbot.watch import watch as run_watch

    root = vault.resolve()
    if not root.is_dir():
        raise VaultGone(f"{root}: no such folder (a vault is a folder)")
    overrides = {"watch": {"debounce": debounce, "active_idle": active_idle, "polling": polling}}
    config = load_config(root, overrides)
    setup_logging(state_dir(root), verbose - quiet)
    stop = threading.Event()
    _stop_on_signals(stop)
    try:
        run_watch(root, config, options=WatchOptions.from_config(config, offline), stop_event=stop)
    except VaultGone as exc:
        logging.getLogger("vaultbot.watch").error("%s", exc)
        raise
    # Stopped cleanly: lock released, state saved.  Exit without freeing the in-memory
    # vault object by object (about a second for 10,000 notes) to keep the 2 s promise.
    logging.shutdown()
    sys.stderr.flush()
    os._exit(EXIT_CLEAN)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT ask the loop to stop; it finishes or abandons the current note."""

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@click.command()
@VAULT
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def status(vault: Path, fmt: str) -> None:
    """Say whether a daemon watches VAULT (exit 0) or not (exit 1), with its queue and errors."""
    from vaultbot.daemon.status import read_status
    from vaultbot.locks import daemon_owner

    root = vault.resolve()
    owner = daemon_owner(root)
    saved = read_status(root / ".vaultbot") or {}
    report = _status_report(root, owner, saved)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(_status_text(report))
    sys.exit(EXIT_CLEAN if report["running"] else EXIT_FINDINGS)


def _status_report(root: Path, owner: Any, saved: dict[str, Any]) -> dict[str, Any]:
    running = owner is not None
    same = running and saved.get("pid") == owner.pid
    started_at = saved.get("started_at") if same else None
    return {
        "vault": str(root),
        "running": running,
        "pid": owner.pid if running else None,
        "host": owner.host if running else None,
        "started": (owner.started or saved.get("started")) if running else None,
        "uptime_seconds": round(time.time() - started_at, 1) if started_at else None,
        "state": saved.get("state") if same else None,
        "observer": saved.get("observer") if same else None,
        "queue": saved.get("queue") if same else None,
        "papers_pending": saved.get("papers_pending") if same else None,
        "processed": saved.get("processed") if same else None,
        "written": saved.get("written") if same else None,
        "last_errors": saved.get("last_errors", []),
    }


def _status_text(r: dict[str, Any]) -> str:
    if not r["running"]:
        lines = [f"no vaultbot daemon watches {r['vault']}"]
    else:
        up = _duration(r["uptime_seconds"]) if r["uptime_seconds"] is not None else "?"
        state = f" ({r['state']})" if r["state"] and r["state"] != "running" else ""
        lines = [
            f"vaultbot watch runs on {r['vault']}: PID {r['pid']} on {r['host']}, up {up}{state}",
            f"observer {r['observer'] or '?'}, queue {r['queue'] if r['queue'] is not None else '?'}, "
            f"papers pending {r['papers_pending'] if r['papers_pending'] is not None else '?'}, "
            f"notes processed {r['processed'] or 0}, written {r['written'] or 0}",
        ]
    if r["last_errors"]:
        lines.append("last errors:")
        lines += [
            f"  {e.get('time', '')} {e.get('path', '')}: {e.get('message', '')}"
            for e in r["last_errors"]
        ]
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = (
        [f"{days}d"] * bool(days) + [f"{hours}h"] * bool(hours) + [f"{minutes}m"] * bool(minutes)
    )
    return "".join(parts + [f"{secs}s"])


KIND = [
    click.option("--systemd", "kind", flag_value="systemd", help="A systemd --user unit (Linux)."),
    click.option("--launchd", "kind", flag_value="launchd", help="A launchd agent (macOS)."),
    click.option(
        "--vault",
        "vault",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="The vault the daemon watches.",
    ),
]
OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the service file (default: the standard per-user folder).",
)


def _kind_options(func: Any) -> Any:
    for option in reversed(KIND):
        func = option(func)
    return func


@click.group()
def service() -> None:
    """Run the daemon at login: a systemd --user unit or a macOS launchd agent."""


@service.command("print")
@_kind_options
def print_(kind: str | None, vault: Path) -> None:
    """Print the service file for VAULT to stdout."""
    click.echo(_build(kind, vault, None).text, nl=False)


@service.command()
@_kind_options
@OUTPUT
@error_boundary
def install(kind: str | None, vault: Path, output: Path | None) -> None:
    """Write the service file and say how to start it and read its logs."""
    svc = _build(kind, vault, output)
    svc.path.parent.mkdir(parents=True, exist_ok=True)
    svc.path.write_text(svc.text, encoding="utf-8")
    click.echo(f"wrote {svc.path}")
    click.echo(f"start it now and at every login:  {svc.enable}")
    click.echo(f"stop it:                          {svc.disable}")
    click.echo(f"logs:                             {svc.logs}")


@service.command()
@_kind_options
@OUTPUT
@error_boundary
def uninstall(kind: str | None, vault: Path, output: Path | None) -> None:
    """Remove the service file (stop the service first with the printed command)."""
    svc = _build(kind, vault, output)
    if not svc.path.exists():
        click.echo(f"nothing to remove: {svc.path} does not exist")
        return
    click.echo(f"stop it first if it runs: {svc.disable}")
    svc.path.unlink()
    click.echo(f"removed {svc.path}")


def _build(kind: str | None, vault: Path, output: Path | None) -> Any:
    from vaultbot.daemon.service import build, default_kind

    root = vault.resolve()
    if not root.is_dir():
        raise click.BadParameter(f"{root}: no such folder", param_hint="--vault")
    return build(kind or default_kind(), root, output)
