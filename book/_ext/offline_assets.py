"""Serve plotly.js from the build so figures draw with no network.

Chapters show figures as HTML fragments that call ``Plotly.newPlot`` and carry no
plotly.js (``lstm_tutorial.display``). This extension copies the plotly.js that
ships inside the installed ``plotly`` package into ``_static`` and adds one
``<script>`` for it to exactly the pages that hold a figure.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import plotly
from sphinx.application import Sphinx

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
MARKER = 'class="plotly-graph-div"'


def add_plotly_where_needed(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree
) -> None:
    if MARKER in context.get("body", ""):
        app.add_js_file("plotly.min.js", priority=100)
        app.add_js_file("plotly-fit.js", priority=101)


def drop_remote_launchers(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree
) -> None:
    """Remove the thebe launcher's scripts, which point at a CDN.

    Jupyter Book always loads sphinx-thebe; its inline config names a CDN URL and
    is added twice (a JavaScript error). The book offers no remote kernels, so
    every script that names sphinx-thebe or a remote URL is dropped.
    """
    def remote(js: Any) -> bool:
        text = str(js) + str(getattr(js, "attributes", {}).get("body", ""))
        return "thebe" in text or "://" in text

    context["script_files"] = [js for js in context.get("script_files", [])
                               if not remote(js)]


def copy_plotly(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PLOTLY_JS, static / "plotly.min.js")


def add_book_css(app: Sphinx) -> None:
    """Serve this folder's static/ (book.css, plotly-fit.js) with the book."""
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))
    app.add_css_file("book.css")


def setup(app: Sphinx) -> dict[str, Any]:
    if not PLOTLY_JS.is_file():
        raise RuntimeError(f"plotly.js not found at {PLOTLY_JS}; is plotly installed?")
    app.connect("builder-inited", add_book_css)
    app.connect("html-page-context", add_plotly_where_needed)
    app.connect("html-page-context", drop_remote_launchers, priority=900)
    app.connect("build-finished", copy_plotly)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
