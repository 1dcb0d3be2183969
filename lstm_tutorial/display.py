"""Showing figures and live controls in two places at once.

A chapter is read in two ways: as a rendered HTML page (no kernel, no network)
and as a live notebook. Each display here emits one MIME bundle that serves both:

| call          | live notebook renders               | rendered book renders     |
|---------------|-------------------------------------|---------------------------|
| ``show(fig)`` | ``application/vnd.plotly.v1+json``  | ``text/html``: a div and  |
|               | (JupyterLab's plotly renderer)      | a ``Plotly.newPlot`` call |
| ``live(w)``   | the widget (``application/vnd.``    | ``text/html``: a note     |
|               | ``jupyter.widget-view+json``)       | that the control runs live|

The HTML never carries plotly.js itself: the book serves one local copy per page
(``book/_ext/offline_assets.py``), so pages stay light and nothing is fetched from
a CDN. The book's Sphinx configuration drops the widget-view MIME type, so a
control that needs a kernel never appears dead in the page.

Sizes. Figures set a height and no width, so they fit any column. The page's
fragment is ``responsive`` (its div has a fixed height; ``plotly-fit.js`` fits
the width). The JSON for JupyterLab is not: JupyterLab's plotly renderer resizes
each figure itself (``Plots.resize``, which drops the layout height), and a
responsive figure then takes the height of its auto-sized output div: 0 px at the
first click on a legend, slider or menu.

Live controls redraw through :class:`LiveFigure`, a widget that keeps its plot and
updates it with ``Plotly.react`` (``live_figure.js``) instead of replacing a whole
output. A LiveFigure may follow a ``control`` (an integer slider) in the browser:
the figure carries one plotly frame per value, and a move of the slider shows its
frame without waiting for the kernel (from a plot drawn ahead, when it can).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
import plotly
import plotly.graph_objects as go
import plotly.io as pio
import traitlets
from IPython.display import display

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
# JupyterLab sizes its plotly outputs itself; responsive there collapses them
JUPYTER_CONFIG = {"responsive": False}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


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
    spec["config"] = _config(config) | JUPYTER_CONFIG
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


# One note for two readers: JupyterLab shows it when the widget is not running
# yet ("run this cell"); the page shows the span marked hidden instead
# (book.css swaps the two), since a page cannot run it.
LIVE_NOTE = (
    '<div class="live-only admonition note"><p class="admonition-title">'
    "Runs live in Jupyter</p><p>{what} "
    '<span class="live-in-jupyter">Run this cell to use it: the control '
    "recomputes with Python.</span>"
    '<span class="live-in-page" hidden>This control recomputes with Python, so '
    "it runs live in Jupyter (open this chapter's notebook in JupyterLab and run "
    "it). Everything above and below works in this page as it is.</span>"
    "</p></div>"
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


@functools.cache
def plotly_js() -> bytes:
    """The plotly.js bundle of the installed plotly package (what the book serves)."""
    return PLOTLY_JS.read_bytes()


class LiveFigure(anywidget.AnyWidget):
    """A plotly figure that a live control redraws in place.

    ``update(fig)`` sends the figure as plotly JSON (trait ``spec``); the view
    (``live_figure.js``) calls ``Plotly.react`` on the plot it already has, so only
    what changed is redrawn. Its width is the output's, its height the figure's.
    plotly.js reaches the browser once per page, as a message from this kernel.

    control: an integer slider (e.g. a step slider) whose value k picks frame k of
    the figure (``fig.frames[k]``: new values for some traces and layout keys).
    The view listens to the slider in the browser and shows frame k itself, so a
    move of the slider needs no message to the kernel and back. It draws each
    frame once, into a plot of its own (the current frame first, the others
    while the page is idle), and a move raises the plot of its frame; moves that
    come while a plot is drawn are coalesced, the latest is shown.
    Attributes: ``figure`` (the last go.Figure), ``spec``, ``config``, ``control``.
    """

    _esm = Path(__file__).with_name("live_figure.js")
    spec = traitlets.Unicode("{}").tag(sync=True)  # {"data", "layout", "frames"?}
    config = traitlets.Dict().tag(sync=True)  # plotly config
    control = traitlets.Instance(ipywidgets.IntSlider, allow_none=True).tag(
        sync=True, **ipywidgets.widget_serialization)

    def __init__(self, fig: go.Figure | None = None,
                 config: dict[str, Any] | None = None,
                 control: ipywidgets.IntSlider | None = None,
                 **kwargs: Any) -> None:
        super().__init__(control=control, **kwargs)
        self.figure: go.Figure | None = None
        self.config = _config(config) | JUPYTER_CONFIG
        self.on_msg(self._on_message)
        if fig is not None:
            self.update(fig)

    def update(self, fig: go.Figure) -> None:
        """Show ``fig`` in place of the current figure (at the control's frame)."""
        if not isinstance(fig, go.Figure):
            raise TypeError(
                f"LiveFigure expects a plotly go.Figure, got {type(fig).__name__}")
        self.figure = fig
        self.spec = fig.to_json()

    def spec_dict(self) -> dict[str, Any]:
        """The figure the view shows, as plotly JSON: ``spec`` with the control's
        frame applied (what ``live_figure.js`` draws)."""
        return at_frame(json.loads(self.spec),
                        None if self.control is None else self.control.value)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "plotly.js?":
            self.send({"type": "plotly.js"}, [plotly_js()])


def at_frame(spec: dict[str, Any], k: int | None) -> dict[str, Any]:
    """Plotly JSON ``spec`` as it looks at frame ``k`` (None or no such frame: as
    it is): each trace the frame lists takes the frame's keys, and the layout
    its top-level keys. The frames themselves are dropped."""
    frames = spec.get("frames") or []
    spec = {key: value for key, value in spec.items() if key != "frames"}
    if k is None or not 0 <= k < len(frames):
        return spec
    frame = frames[k]
    data = list(spec.get("data", []))
    for index, values in zip(frame.get("traces", []), frame.get("data", [])):
        data[index] = {**data[index], **values}
    return {**spec, "data": data, "layout": {**spec.get("layout", {}),
                                              **frame.get("layout", {})}}
