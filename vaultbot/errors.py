"""One exception tree, so the CLI has a single place that turns failures into exit codes."""

from __future__ import annotations


class VaultbotError(Exception):
    """Base of every error vaultbot raises on purpose; the message names the file or key."""


class ConfigError(VaultbotError):
    """A configuration file or option is invalid (names the file and the key)."""


class RuleError(VaultbotError):
    """A rule catalogue or tag-rule file is invalid (names the file and the rule)."""


class NoteReadError(VaultbotError):
    """A note cannot be read as text: not UTF-8, binary, or over the size limit."""

    def __init__(self, path: str, reason: str, line: int = 1) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line


class CacheError(VaultbotError):
    """The metadata cache cannot be opened or is corrupt (names the cache file)."""


class ArxivError(VaultbotError):
    """The arXiv API failed in a way that is worth reporting (names the IDs)."""


class LockError(VaultbotError):
    """Another process holds the vault's write lock or the daemon lock."""
