"""Showing figures and live controls in two places at once.

A chapter is read in two ways: as a rendered HTML page (no kernel, no network)
and as a live notebook. Each display here emits one MIME bundle that serves both:

| call           | live notebook renders                | rendered book renders      |
|----------------|--------------------------------------|----------------------------|
| ``show(fig)``  | ``application/vnd.plotly.v1+json``   | ``text/html``: a div and a |
|                | (JupyterLab's plotly renderer)       | ``Plotly.newPlot`` call    |
| ``live(w)``    | ``application/vnd.jupyter.widget-view+json`` (the widget) | ``text/html``: a note that the control runs live |

The HTML never carries plotly.js itself: the book serves one local copy per page
(``book/_ext/offline_assets.py``), so pages stay light and nothing is fetched from
a CDN. The book's Sphinx configuration drops the widget-view MIME type, so a
control that needs a kernel never appears dead in the page.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import display

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def _config(config: dict[str, Any] | None) -> dict[str, Any]:
    return PLOT_CONFIG | (config or {})


def figure_html(fig: go.Figure, config: dict[str, Any] | None = None) -> str:
    """The figure as an HTML fragment that needs a page-level plotly.js.

    The div id is a hash of the figure, so the same figure always gives the same
    markup (stable notebooks, reviewable diffs). ``config`` adds plotly config
    keys, e.g. ``{"displayModeBar": False}`` for a diagram.
    """
    spec = fig.to_json()
    div_id = "fig-" + hashlib.sha1(spec.encode()).hexdigest()[:12]
    return pio.to_html(
        fig,
        config=_config(config),
        include_plotlyjs=False,
        full_html=False,
        auto_play=False,
        div_id=div_id,
    )


def figure_bundle(fig: go.Figure, config: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """The MIME bundle ``show`` displays: plotly JSON, static HTML, plain text."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"show expects a plotly go.Figure, got {type(fig).__name__}")
    spec = json.loads(fig.to_json())
    spec["config"] = _config(config)
    title = fig.layout.title.text or "untitled"
    return {
        PLOTLY_MIME: spec,
        "text/html": figure_html(fig, config),
        "text/plain": f"<plotly figure: {title}>",
    }


def show(fig: go.Figure, config: dict[str, Any] | None = None) -> None:
    """Display a plotly figure so it draws live and in the rendered book.

    ``config``: extra plotly config, e.g. ``{"displayModeBar": False}`` for a
    diagram that has nothing to zoom.
    """
    display(figure_bundle(fig, config), raw=True)


LIVE_NOTE = (
    '<div class="live-only admonition note"><p class="admonition-title">'
    "Runs live</p><p>{what} This control recomputes with Python, so it needs a "
    "running notebook: open this chapter in JupyterLab to use it. Everything "
    "above and below works in this page as it is.</p></div>"
)


def live_bundle(widget: Any, what: str) -> dict[str, Any]:
    """The MIME bundle ``live`` displays: the widget view plus a note for the page."""
    if not hasattr(widget, "model_id"):
        raise TypeError(
            f"live expects an ipywidgets widget, got {type(widget).__name__}"
        )
    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    return {
        WIDGET_MIME: view,
        "text/html": LIVE_NOTE.format(what=html.escape(what)),
        "text/plain": f"[live control] {what}",
    }


def live(widget: Any, what: str = "An interactive control.") -> None:
    """Display an ipywidgets control; the rendered book shows ``what`` instead."""
    display(live_bundle(widget, what), raw=True)
