"""Configuration: one validated TOML file; errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultbot.config import CONFIG_NAME, DEFAULTS, find_vault_root, load_config
from vaultbot.errors import ConfigError


def write(root: Path, text: str) -> Path:
    path = root / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert config.source is None
    assert config.get("vault", "max_note_bytes") == 5_000_000
    assert config["lint"]["select"] == []
    assert set(config.sections) == set(DEFAULTS)


def test_file_values_are_merged(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[vault]\nignore = ["templates/"]\n[lint]\nignore = ["orphan-asset"]\n'
        '[lint.severity]\nbare-paper-link = "error"\n[link]\nthreshold = 1\n',
    )
    config = load_config(tmp_path, environ={})
    assert config.source == path
    assert config.get("vault", "ignore") == ["templates/"]
    assert config.get("vault", "max_note_bytes") == 5_000_000  # untouched keys keep defaults
    assert dict(config.get("lint", "severity")) == {"bare-paper-link": "error"}
    assert config.get("link", "threshold") == 1.0 and isinstance(
        config.get("link", "threshold"), float
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[lnt]\nselect = []\n",
            r"unknown section \[lnt\]; valid: vault, lint, resolve, link, watch",
        ),
        ("[lint]\nselec = []\n", "unknown key lint.selec; valid: select, ignore, severity"),
        ('[vault]\nmax_note_bytes = "5MB"\n', "vault.max_note_bytes must be an integer, got '5MB'"),
        ("[vault]\nmax_note_bytes = -1\n", "vault.max_note_bytes must not be negative"),
        ('[vault]\nignore = "templates"\n', "vault.ignore must be a list of strings"),
        ("[vault]\nignore = [1]\n", "vault.ignore must be a list of strings"),
        ("[watch]\npolling = 1\n", "watch.polling must be true or false"),
        ('[lint]\nseverity = "error"\n', "lint.severity must be a table, got 'error'"),
        ("lint = 3\n", r"\[lint\] must be a table"),
        ("[vault\n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(tmp_path, environ={})
    assert str(info.value).startswith(str(path))


def test_not_utf8_config(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_bytes(b"[vault]\n# caf\xe9\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path, environ={})


def test_precedence_defaults_file_environment_command_line(tmp_path: Path) -> None:
    write(tmp_path, "[resolve]\nrequest_interval = 5\nbatch_size = 10\n")
    env = {"VAULTBOT_REQUEST_INTERVAL": "1.5"}
    config = load_config(
        tmp_path, overrides={"resolve": {"batch_size": 7, "timeout": None}}, environ=env
    )
    assert config.get("resolve", "request_interval") == 1.5  # environment beats the file
    assert config.get("resolve", "batch_size") == 7  # command line beats the file
    assert config.get("resolve", "timeout") == 15.0  # None means "not given"


def test_bad_environment_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\$VAULTBOT_BATCH_SIZE: expected a number, got 'many'"):
        load_config(tmp_path, environ={"VAULTBOT_BATCH_SIZE": "many"})


def test_unknown_command_line_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="command line: unknown key lint.nope"):
        load_config(tmp_path, overrides={"lint": {"nope": 1}}, environ={})


def test_config_is_read_only(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    with pytest.raises(TypeError):
        config["lint"]["select"] = ["x"]  # type: ignore[index]


def test_find_vault_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "notes" / ".obsidian").mkdir(parents=True)
    (tmp_path / "notes" / "2026").mkdir()
    (tmp_path / "notes" / "2026" / "n.md").write_text("", encoding="utf-8")
    (tmp_path / "other" / "deep").mkdir(parents=True)
    (tmp_path / "configured").mkdir()
    write(tmp_path / "configured", "")
    assert find_vault_root(tmp_path / "notes" / "2026" / "n.md") == tmp_path / "notes"
    assert find_vault_root(tmp_path / "notes") == tmp_path / "notes"
    assert find_vault_root(tmp_path / "other" / "deep") == tmp_path  # the git top level
    assert find_vault_root(tmp_path / "configured") == tmp_path / "configured"


def test_find_vault_root_without_markers(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "n.md").write_text("", encoding="utf-8")
    assert find_vault_root(tmp_path / "a" / "n.md") == tmp_path / "a"
