"""The ``vaultbot`` command: a click group whose subcommands load lazily.

Each subcommand lives in its own module (``vaultbot.cli.<name>``) and is imported only
when invoked, so ``vaultbot lint`` in a pre-commit hook never pays for networkx or arxiv.
Exit codes: 0 clean, 1 findings (or changes under ``--check``), 2 usage/config/internal
error, 130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from vaultbot import __version__

# name -> (module, attribute); the help text is read from the command itself.
COMMANDS: dict[str, tuple[str, str]] = {
    "lint": ("vaultbot.cli.lint", "lint"),
    "resolve": ("vaultbot.cli.resolve", "resolve"),
    "link": ("vaultbot.cli.link", "link"),
    "clean": ("vaultbot.cli.link", "clean"),
    "sync": ("vaultbot.cli.sync", "sync"),
    "graph": ("vaultbot.cli.graph", "graph"),
    "watch": ("vaultbot.cli.watch", "watch"),
    "status": ("vaultbot.cli.watch", "status"),
    "service": ("vaultbot.cli.watch", "service"),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name]
        module = importlib.import_module(module_name)
        command: click.Command = getattr(module, attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultbot")
def cli() -> None:
    """Keep an Obsidian vault of paper-reading notes resolved, linked and valid."""


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI; turn Ctrl-C into exit code 130 and usage errors into 2."""
    try:
        return cli.main(args=argv, prog_name="vaultbot", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - click handles most of these itself
        click.echo("Interrupted.", err=True)
        sys.exit(130)
