"""Configuration: one validated TOML file per vault (``.vaultbot.toml``), all keys optional.

Precedence, lowest first: built-in defaults < the vault's ``.vaultbot.toml`` <
``VAULTBOT_*`` environment variables < command-line options.  Every key is checked
against ``DEFAULTS``; an unknown section or key is an error naming the file and listing
the valid keys, so a typo never silently does nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from vaultbot.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_NAME = ".vaultbot.toml"
STATE_DIR = ".vaultbot"

DEFAULTS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "vault": MappingProxyType(
            {
                "ignore": [],  # extra gitignore-style globs, relative to the vault root
                "max_note_bytes": 5_000_000,  # larger notes are unreadable-note, never rewritten
                "attachment_folder": "",  # overrides .obsidian/app.json attachmentFolderPath
            }
        ),
        "lint": MappingProxyType(
            {
                "select": [],  # only these rules (empty: all rules that are on by default)
                "ignore": [],  # never these rules
                "severity": MappingProxyType({}),  # rule id -> "error" | "warning" | "info"
            }
        ),
        "resolve": MappingProxyType(
            {
                "arxiv_url": "https://export.arxiv.org/api/query",
                "batch_size": 100,  # IDs per request (the API's id_list)
                "request_interval": 3.0,  # seconds between requests, shared by all processes
                "timeout": 15.0,  # seconds per request
                "retries": 3,  # retries of one request on 5xx, timeouts and throttling
                "max_requests": 200,  # request budget of one run
                "total_timeout": 60.0,  # give up on the API after this many seconds in a run
                "cache_path": "",  # default: <vault>/.vaultbot/cache.sqlite
                "tag_rules": "",  # extra tag rules file (TOML), relative to the vault root
            }
        ),
        "link": MappingProxyType(
            {
                "top_k": 5,  # related papers kept per paper (before the symmetric closure)
                "threshold": 0.45,  # minimum combined similarity for a related link
                "max_links": 12,  # cap of one related line after the symmetric closure
            }
        ),
        "watch": MappingProxyType(
            {
                "debounce": 3.0,  # seconds a note must be quiet before it is processed
                "active_idle": 30.0,  # seconds the note open in Obsidian must be idle
                "polling": False,  # force the polling observer
            }
        ),
    }
)

ENV_KEYS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "VAULTBOT_ARXIV_URL": ("resolve", "arxiv_url"),
        "VAULTBOT_REQUEST_INTERVAL": ("resolve", "request_interval"),
        "VAULTBOT_BATCH_SIZE": ("resolve", "batch_size"),
        "VAULTBOT_TIMEOUT": ("resolve", "timeout"),
        "VAULTBOT_TOTAL_TIMEOUT": ("resolve", "total_timeout"),
        "VAULTBOT_CACHE": ("resolve", "cache_path"),
        "VAULTBOT_DEBOUNCE": ("watch", "debounce"),
    }
)


@dataclass(frozen=True)
class Config:
    """The merged, validated configuration of one vault run; read with ``cfg["sec"]["key"]``."""

    sections: Mapping[str, Mapping[str, Any]]
    source: Path | None = None

    def __getitem__(self, section: str) -> Mapping[str, Any]:
        return self.sections[section]

    def get(self, section: str, key: str) -> Any:
        """Return one value; the key is known to exist because config is validated."""
        return self.sections[section][key]


def load_config(
    vault_root: Path,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Return the vault's configuration: defaults < file < environment < ``overrides``."""
    merged: dict[str, dict[str, Any]] = {s: dict(v) for s, v in DEFAULTS.items()}
    path = vault_root / CONFIG_NAME
    source = None
    if path.is_file():
        source = path
        _merge(merged, _read_toml(path), str(path))
    _merge(merged, _from_env(os.environ if environ is None else environ), "environment")
    if overrides:
        _merge(merged, {s: {k: v for k, v in kv.items() if v is not None} for s, kv in overrides.items()}, "command line")
    frozen = {s: MappingProxyType(v) for s, v in merged.items()}
    return Config(MappingProxyType(frozen), source)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _from_env(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, (section, key) in ENV_KEYS.items():
        if name in environ:
            value = _coerce(environ[name], DEFAULTS[section][key], f"${name}")
            found.setdefault(section, {})[key] = value
    return found


def _coerce(raw: str, default: Any, where: str) -> Any:
    """Turn an environment string into the type of ``default``."""
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, (int, float)):
            return type(default)(raw)
    except ValueError as exc:
        raise ConfigError(f"{where}: expected a number, got {raw!r}") from exc
    return raw


def _merge(into: dict[str, dict[str, Any]], new: Mapping[str, Any], where: str) -> None:
    """Validate ``new`` against DEFAULTS and merge it into ``into``."""
    for section, values in new.items():
        if section not in DEFAULTS:
            raise ConfigError(f"{where}: unknown section [{section}]; valid: {', '.join(DEFAULTS)}")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{where}: [{section}] must be a table")
        for key, value in values.items():
            if key not in DEFAULTS[section]:
                valid = ", ".join(DEFAULTS[section])
                raise ConfigError(f"{where}: unknown key {section}.{key}; valid: {valid}")
            into[section][key] = _check_type(value, DEFAULTS[section][key], f"{where}: {section}.{key}")


def _check_type(value: Any, default: Any, where: str) -> Any:
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif isinstance(default, Mapping):
        ok = isinstance(value, Mapping)
        value = MappingProxyType(dict(value)) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError(f"{where} must be {_kind(default)}, got {value!r}")
    if isinstance(default, (int, float)) and not isinstance(default, bool) and value < 0:
        raise ConfigError(f"{where} must not be negative, got {value!r}")
    return value


def _kind(default: Any) -> str:
    """Name the expected TOML type in words (``mappingproxy`` means nothing to a user)."""
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, (int, float)):
        return "an integer" if isinstance(default, int) else "a number"
    if isinstance(default, list):
        return "a list of strings"
    return "a table" if isinstance(default, Mapping) else "a string"


def find_vault_root(start: Path) -> Path:
    """Return the vault holding ``start``: the nearest folder with ``.obsidian/`` or
    ``.vaultbot.toml``, else the git top level, else ``start`` itself (or its folder).

    pre-commit passes file names; references are resolved against the whole vault.
    """
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        if (folder / ".obsidian").is_dir() or (folder / CONFIG_NAME).is_file():
            return folder
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here
