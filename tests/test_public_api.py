"""The documented library surface exists, and importing vaultbot stays cheap."""

from __future__ import annotations

import importlib
import subprocess
import sys

import vaultbot


def test_every_public_name_resolves() -> None:
    for name in vaultbot.__all__:
        assert getattr(vaultbot, name) is not None, name


def test_no_public_name_shadows_a_submodule() -> None:
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(vaultbot.__path__)}
    assert not submodules & set(vaultbot.__all__)
    link_module = importlib.import_module("vaultbot.link")  # the submodule stays reachable
    assert vaultbot.link_vault is link_module.link


def test_import_does_not_load_heavy_dependencies() -> None:
    code = "import sys, vaultbot; print(sorted(m for m in ('networkx', 'arxiv', 'rapidfuzz') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lint_command_does_not_load_heavy_dependencies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "n.md").write_text("- https://arxiv.org/abs/2512.24880\n", encoding="utf-8")
    code = (
        "import sys, runpy\n"
        "sys.argv = ['vaultbot', 'lint', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_module('vaultbot', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', sorted(m for m in ('networkx', 'arxiv', 'rapidfuzz') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True).stdout
    assert "LOADED []" in out, out
