"""The rendered book, as a reader sees it: every page in headless Chromium.

The book is built once (warnings are errors), served on 127.0.0.1, and every page
listed in ``_toc.yml`` is opened with every request leaving the machine blocked
and recorded. For each page the test asserts that

- no request went anywhere but the local server, and the page weighs < 10 MB;
- the page logged no JavaScript error;
- every figure the chapter's notebook outputs is in the page and drew (plotly
  built its SVG), with plotly.js loaded once at most and never inlined;
- equations were typeset by the locally served MathJax;
- every plotly slider and button menu works: using it changes what is drawn;
- no widget view from a live-only control is left in the page, and each one
  left its "Runs live" note instead.

A full-page screenshot of each page is saved in ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from offline_browser import OfflinePage, chromium

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "test-artifacts" / "screenshots"
MAX_PAGE_BYTES = 10 * 1024 * 1024


def toc_pages() -> list[str]:
    """Page names from _toc.yml, in reading order (e.g. 'book/intro')."""
    names = []
    for line in (ROOT / "_toc.yml").read_text().splitlines():
        line = line.split("#")[0].strip().removeprefix("- ")
        for key in ("root:", "file:"):
            if line.startswith(key):
                names.append(line.removeprefix(key).strip())
    return names


def expected_outputs(page: str) -> tuple[int, int]:
    """(plotly figures, live-only control notes) the page's notebook outputs."""
    nb = ROOT / f"{page}.ipynb"
    if not nb.exists():
        return 0, 0
    figures = widgets = 0
    for cell in json.loads(nb.read_text())["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            figures += "plotly-graph-div" in "".join(data.get("text/html", ""))
            widgets += 'class="live-only' in "".join(data.get("text/html", ""))
    return figures, widgets


@pytest.fixture(scope="session")
def built_book() -> Path:
    jb = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run(
        [str(jb), "build", str(ROOT), "--warningiserror", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert run.returncode == 0, f"book build failed:\n{run.stdout[-4000:]}{run.stderr}"
    return HTML


@pytest.fixture(scope="session")
def server(built_book: Path):
    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass


@pytest.fixture(scope="module")  # closed before test_live.py starts its own
def browser():
    with chromium() as b:
        yield b


class PageVisit(OfflinePage):
    """One page opened with the network closed, and what happened on it."""

    def __init__(self, browser, base: str, page_name: str) -> None:
        super().__init__(browser, base)
        self.bytes = 0
        self.page.on("response", self._response)
        self.page.goto(f"{base}/{page_name}.html", wait_until="networkidle")
        self.page.wait_for_function(ALL_DRAWN, timeout=20_000)
        self.page.wait_for_timeout(300)  # let MathJax finish typesetting

    def _response(self, response) -> None:
        try:
            self.bytes += len(response.body())
        except Exception:  # redirects have no body
            pass

    def close(self) -> None:
        self.context.close()


ALL_DRAWN = """() => !document.querySelector('.plotly-graph-div') || (window.Plotly &&
    Array.from(document.querySelectorAll('.plotly-graph-div')).every(
        gd => gd._fullLayout && gd.querySelector('.main-svg')))"""

FIGURE_STATE = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(
    gd => ({drew: !!gd._fullLayout && !!gd.querySelector('.main-svg'),
            overflow: gd.getBoundingClientRect().width
                      - gd.closest('article').getBoundingClientRect().width,
            sliders: (gd._fullLayout && gd._fullLayout.sliders || []).length,
            menus: (gd._fullLayout && gd._fullLayout.updatemenus || []).length}))"""

DRAWN = """(i) => { const gd = document.querySelectorAll('.plotly-graph-div')[i];
    return JSON.stringify([gd.data.map(t => [t.x, t.y, t.z, t.text, t.visible]),
                           gd.layout.title, gd.layout.annotations]); }"""


@pytest.mark.parametrize("page_name", toc_pages())
def test_page_in_browser(browser, server, page_name: str) -> None:
    visit = PageVisit(browser, server, page_name)
    page = visit.page
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{page_name.replace('/', '_')}.png",
                        full_page=True)
        assert visit.external == [], f"requests left the machine: {visit.external}"
        assert visit.errors == [], f"JavaScript errors: {visit.errors}"
        assert visit.bytes < MAX_PAGE_BYTES, f"page weighs {visit.bytes} bytes"

        html = page.content()
        assert "plotly.js v" not in html, "plotly.js is inlined in the page"
        assert page.locator('script[src*="plotly.min.js"]').count() <= 1
        assert page.locator(".jupyter-widgets, script[type*='widget-view']").count() \
            == 0, "a live-only widget view is left in the page"

        n_figures, n_live = expected_outputs(page_name)
        assert page.locator(".live-only").count() == n_live, \
            "each live-only control must leave its note in the page"
        figures = page.evaluate(FIGURE_STATE)
        assert len(figures) == n_figures
        assert all(f["drew"] for f in figures), f"figures that did not draw: {figures}"
        too_wide = [i for i, f in enumerate(figures) if f["overflow"] > 1]
        assert too_wide == [], f"figures wider than the page's column: {too_wide}"

        if page.locator(".math").count():
            assert page.locator("mjx-container").count() > 0, "MathJax did not run"
            assert page.locator("mjx-merror").count() == 0, "MathJax reported errors"

        for i, fig in enumerate(figures):
            if fig["sliders"]:
                check_slider_moves(page, i)
            if fig["menus"]:
                check_menu_buttons(page, i)
        assert visit.errors == [], f"JavaScript errors while interacting: {visit.errors}"
    finally:
        visit.close()


SHAPES = """(i) => { const gd = document.querySelectorAll('.plotly-graph-div')[i];
    const n = a => a ? (Array.isArray(a[0]) ? a.length * a[0].length : a.length) : 0;
    return JSON.stringify(gd.data.map(t => [n(t.x), n(t.y), n(t.z)])); }"""


def check_slider_moves(page, i: int) -> None:
    """Click the far end of figure i's first slider: the drawing must change.

    A slider steps through values of the same picture, so it may change what the
    traces hold but never how many points they have (a step that replaced whole
    curves by single points would pass a plain "something changed" check).
    """
    div = page.locator(".plotly-graph-div").nth(i)
    div.scroll_into_view_if_needed()
    before = page.evaluate(DRAWN, i)
    shapes = page.evaluate(SHAPES, i)
    rail = div.locator(".slider-rail-touch-rect").first
    box = rail.bounding_box()
    assert box is not None, f"figure {i}: slider rail not drawn"
    for x in (box["x"] + box["width"] - 2, box["x"] + 2):  # the last step, then the first
        page.mouse.click(x, box["y"] + box["height"] / 2)
        page.wait_for_timeout(200)
        after = page.evaluate(DRAWN, i)
        assert page.evaluate(SHAPES, i) == shapes, \
            f"figure {i}: moving the slider changed the size of the drawn data"
        if after != before:
            return
    raise AssertionError(f"figure {i}: moving the slider changed nothing")


def check_menu_buttons(page, i: int) -> None:
    """Use every entry of figure i's menus: each menu must change the figure.

    Button rows show their buttons; a dropdown shows only its header until it is
    clicked open, so it is opened before each entry is chosen.
    """
    div = page.locator(".plotly-graph-div").nth(i)
    div.scroll_into_view_if_needed()
    menus = div.locator(".updatemenu-container")
    for m in range(menus.count()):
        menu = menus.nth(m)
        header = menu.locator(".updatemenu-header")
        if header.count():
            header.first.click()
            page.wait_for_timeout(200)
        entries = ".updatemenu-button"  # plotly's buttons in a row, or in a list
        if not menu.locator(entries).count():  # that some dropdowns draw as
            entries = ".updatemenu-dropdown-button"
        n = menu.locator(entries).count()
        assert n > 0, f"figure {i}, menu {m}: no entries to choose"
        states = {page.evaluate(DRAWN, i)}
        for k in range(n):
            if header.count() and k > 0:
                header.first.click()  # reopen the dropdown
                page.wait_for_timeout(200)
            menu.locator(entries).nth(k).click()
            page.wait_for_timeout(200)
            states.add(page.evaluate(DRAWN, i))
        assert len(states) > 1, f"figure {i}, menu {m}: no entry changed the figure"
