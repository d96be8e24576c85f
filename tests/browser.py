"""Headless Chromium from the OS packages, driven with Playwright-for-Python.

Never ``playwright install``: the tests use the system browser (Debian's ``chromium``),
which ``.ci/run`` installs.  When it is missing the browser tests skip and say what to
install; nothing else is a reason to skip.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str | None:
    """Return the system Chromium's path, or None when it is not installed."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_context() -> Iterator[Any]:
    """Yield a Playwright browser context on a fresh profile; skip when Chromium is absent."""
    path = chromium_path()
    if path is None:
        pytest.skip("needs Chromium: install it with `apt-get install chromium` (Debian/Ubuntu)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="vaultbot-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=path, headless=True, args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 900}
        )
        try:
            yield context
        finally:
            context.close()


class PageLog:
    """Console errors, uncaught exceptions and non-local requests seen by one page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:  # the map must work offline: any other request is recorded and refused
            self.requests.append(url)
            route.abort()
