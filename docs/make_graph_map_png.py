"""Regenerate docs/graph-map.png: the sample vault's HTML map in headless Chromium.

Run from the checkout: ``python docs/make_graph_map_png.py`` (needs Debian's chromium and
the ``test`` extra).  Works on a copy of sample_vault, so tracked files stay untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import PageLog, browser_context  # noqa: E402  (tests/ is on the path now)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "sample_vault"
        shutil.copytree(ROOT / "sample_vault", vault, ignore=shutil.ignore_patterns("cache.sqlite-*"))
        page_file = Path(tmp) / "map.html"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's vaultbot, not an installed one
        command = [sys.executable, "-m", "vaultbot", "graph", str(vault), "-o", str(page_file)]
        subprocess.run(command, check=True, env=env)
        contexts = browser_context()
        context = next(contexts)
        try:
            page = context.new_page()
            log = PageLog(page)
            page.set_viewport_size({"width": 1500, "height": 900})
            page.goto(page_file.as_uri())
            page.wait_for_function("window.vaultbotMap !== undefined")
            page.fill("#search", "Infinite-World")
            page.press("#search", "Enter")
            page.wait_for_timeout(600)
            page.evaluate("window.vaultbotMap.cy.elements().removeClass('faded'); window.vaultbotMap.cy.fit(undefined, 20)")
            page.wait_for_timeout(300)
            page.screenshot(path=str(ROOT / "docs" / "graph-map.png"))
            assert not log.errors and not log.requests, (log.errors, log.requests)
        finally:
            contexts.close()


if __name__ == "__main__":
    main()
