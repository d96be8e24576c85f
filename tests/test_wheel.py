"""A wheel built from the repository carries its rules: install it elsewhere and lint.

The wheel maps the top-level ``rules/`` into ``vaultbot/rules`` (pyproject force-include);
this test builds it from a copy of the checkout, installs it into a fresh virtualenv
outside the repository (the test environment's packages visible, so no dependency is
downloaded, but ``vaultbot`` itself must come from the wheel) and runs ``vaultbot lint``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from checkout_snapshot import copy_checkout


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )


def make_venv_with_current_dependencies(venv: Path) -> Path:
    """Create a venv that sees this environment's installed packages but not its vaultbot.

    A ``.pth`` line appends the running environment's site-packages after the venv's own
    (so click & co. need no download).  Lines of a ``.pth`` file are plain paths: the
    editable install's own ``.pth`` there is not processed, so the checkout is not on
    ``sys.path`` and ``vaultbot`` can only come from the wheel.
    """
    created = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    assert created.returncode == 0, created.stderr
    purelib = run(
        venv / "bin" / "python",
        "-c",
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        cwd=venv.parent,
    ).stdout.strip()
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "current-env.pth").write_text(
        "".join(p + "\n" for p in sorted(here)), encoding="utf-8"
    )
    return venv


def test_wheel_installed_elsewhere_finds_its_rules(tmp_path: Path) -> None:
    source = copy_checkout(tmp_path / "src")
    # Offline-friendly: reuse an installed hatchling; else pip fetches it as usual.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q",
        "-w", tmp_path / "dist", source, cwd=tmp_path,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("vaultbot-*.whl")
    assert "vaultbot/rules/lint.toml" in zipfile.ZipFile(wheel).namelist()

    venv = make_venv_with_current_dependencies(tmp_path / "venv")
    installed = run(
        sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
        "--no-deps", "--no-index", "--force-reinstall", wheel, cwd=tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    where = run(
        venv / "bin" / "python",
        "-c",
        "import vaultbot, vaultbot.rules_data as r; print(vaultbot.__file__); print(r.rules_dir())",
        cwd=tmp_path,
    )
    module, rules = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(rules).is_relative_to(venv), where.stdout

    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "n.md").write_text(
        "- https://arxiv.org/abs/2512.24880\n\n![](asset/gone.png)\n", encoding="utf-8"
    )
    result = run(venv / "bin" / "vaultbot", "lint", vault, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert [(d["rule"], d["line"]) for d in json.loads(result.stdout)] == [
        ("bare-paper-link", 1),
        ("missing-asset", 3),
    ]
