"""The chapters' notebook files: stored in the form JupyterLab writes them.

A notebook passes through JavaScript when JupyterLab opens and saves it, and
JavaScript has one number type: a float that is a whole number (``0.0``) comes
back as an integer (``0``). The kernel JupyterLab starts also writes its own
kernelspec name. A notebook written by nbconvert (which keeps ``0.0``) therefore
changes the moment a reader opens and saves it. ``jupyterlab_form`` turns a
notebook into what JupyterLab would write, so stored chapters open clean
(``scripts/normalize_notebooks.py`` applies it; ``tests/test_notebook_files.py``
checks it).

JupyterLab's plotly renderer also stores a PNG snapshot next to every plotly
figure it draws (``image/png`` beside ``application/vnd.plotly.v1+json``).
``pre_save`` is a Jupyter server pre-save hook that drops those snapshots, so a
chapter run in JupyterLab saves no image copies. It also drops the widget view of
each live control (``display.live``): JupyterLab does not save widget models, so
a reopened copy would say "Error displaying widget: model not found"; without
the view it shows the control's note ("run this cell to use it"). ``make setup``
installs it into the environment's Jupyter configuration
(``etc/jupyter/jupyter_server_config.json``).
"""

from __future__ import annotations

import json
from typing import Any

import nbformat

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LIVE_NOTE_MARK = 'class="live-only'  # display.LIVE_NOTE
# the kernelspec of the environment's ipykernel, as JupyterLab records it
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python",
              "name": "python3"}
JS_EXACT_INTEGERS = 1e21  # JSON.stringify writes whole numbers below this as ints


def js_numbers(value: Any) -> Any:
    """``value`` with every whole-number float as the int JavaScript writes."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < JS_EXACT_INTEGERS:
            return int(value)
        return value
    if isinstance(value, dict):
        return {k: js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [js_numbers(v) for v in value]
    return value


def strip_plotly_snapshots(nb: dict[str, Any]) -> int:
    """Drop the PNG copy of each plotly figure output, in place; return how many."""
    dropped = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if PLOTLY_MIME in data and "image/png" in data:
                del data["image/png"]
                dropped += 1
    return dropped


def strip_live_views(nb: dict[str, Any]) -> int:
    """Drop the widget view of each live control's output (its note stays), in
    place; return how many."""
    dropped = 0
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            note = "".join(data.get("text/html", ""))
            if WIDGET_MIME in data and LIVE_NOTE_MARK in note:
                del data[WIDGET_MIME]
                dropped += 1
    return dropped


def jupyterlab_form(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook as JupyterLab saves it with ``pre_save`` (numbers, kernelspec;
    no plotly snapshots, no live widget views)."""
    nb = js_numbers(nb)
    strip_plotly_snapshots(nb)
    strip_live_views(nb)
    nb.setdefault("metadata", {})["kernelspec"] = dict(KERNELSPEC)
    return nb


def dumps(nb: dict[str, Any]) -> str:
    """Notebook JSON text as Jupyter writes it (``nbformat.write``: one final
    newline)."""
    text = nbformat.writes(nbformat.from_dict(nb), version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


def normalized_text(text: str) -> str:
    """Notebook file text -> the text JupyterLab would save for it."""
    return dumps(jupyterlab_form(json.loads(text)))


def pre_save(model: dict[str, Any], path: str = "", contents_manager: Any = None,
             **kwargs: Any) -> None:
    """Jupyter server pre-save hook: no plotly PNG snapshots and no live widget
    views in saved notebooks."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip_live_views(model["content"])
        dropped = strip_plotly_snapshots(model["content"])
        if dropped and contents_manager is not None:
            contents_manager.log.info(
                "lstm_tutorial: dropped %d plotly PNG snapshot(s) from %s",
                dropped, path)
