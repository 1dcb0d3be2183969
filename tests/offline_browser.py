"""Headless Chromium with the network closed: shared by the browser tests.

``chromium()`` starts Debian's Chromium through Playwright; ``OfflinePage`` opens
one page on a localhost server, aborts every request that leaves that server
(recording it in ``external``) and collects console and page errors in
``errors``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright Chromium browser, closed on exit."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class OfflinePage:
    """One page of ``base`` (a localhost URL) with the outside world cut off."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.errors: list[str] = []
        self.external: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        host = urlparse(base).netloc
        self.page.route("**/*", lambda route: self._route(host, route))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def _route(self, host: str, route: Any) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == host:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(f"console: {msg.text}")
