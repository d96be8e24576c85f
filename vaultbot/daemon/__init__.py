"""The parts of ``vaultbot watch``: debounce queue, saved state, events, papers worker,
status file, logging and service files.  ``vaultbot.watch`` puts them together."""

from __future__ import annotations
