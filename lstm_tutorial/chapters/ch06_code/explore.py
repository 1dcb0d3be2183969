"""Chapter 6's views of the code model: code as heatmaps, the explorer, the
intervention, the gates at chosen characters, and the live controls.

Code is drawn line by line (a row per source line, the newline shown as "↵"
at the end of its line), coloured by one unit, in the style of Chen's and
Karpathy's cell visualisations.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as W
import numpy as np
import plotly.graph_objects as go

from lstm_tutorial.cells import SequenceModel
from lstm_tutorial.chapters.ch06_code.corpus import encode
from lstm_tutorial.chapters.ch06_code.sampling import sample, softmax_at
from lstm_tutorial.chapters.ch06_code.units import FeatureUnit, stack_units
from lstm_tutorial.display import LiveFigure
from lstm_tutorial.models import CharModel
from lstm_tutorial.text import UnknownTokenError
from lstm_tutorial.traces import Override, Trace
from lstm_tutorial.viz import char_heatmap

__all__ = ["CodeExplorer", "Sampler", "code_heatmap", "forced_next", "gates_at",
           "unit_values", "units_explorer"]

NEWLINE = "\u21b5"


def unit_values(trace: Trace, unit: FeatureUnit) -> np.ndarray:
    """The values of one feature unit in a trace: (B, T) or (T,)."""
    return stack_units(trace, unit.quantity)[..., unit.unit]


def _lines(text: str, values: np.ndarray) -> tuple[list[np.ndarray], list[list[str]]]:
    """Cut one sequence into source lines: values per line, characters per line."""
    rows, toks, at = [], [], 0
    for line in text.split("\n"):
        end = min(at + len(line) + 1, len(text))  # the newline ends its line
        chars = list(line) + ([NEWLINE] if end > at + len(line) else [])
        rows.append(np.asarray(values[at:end], dtype=float))
        toks.append(chars)
        at = end
    if rows and not toks[-1]:  # text ending in "\n": no empty last row
        rows.pop()
        toks.pop()
    return rows, toks


def code_heatmap(text: str, values: np.ndarray, name: str,
                 quantity: str = "c", title: str | None = None) -> go.Figure:
    """One unit over one piece of code: values (T,) for the T characters of
    ``text``, a row per source line."""
    values = np.asarray(values)
    if values.shape != (len(text),):
        raise ValueError(f"values must hold one value per character: shape "
                         f"({len(text)},), got {values.shape}")
    rows, toks = _lines(text, values)
    fig = char_heatmap(rows, toks, quantity, unit_name=name, wrap=0,
                       row_labels=[str(k + 1) for k in range(len(rows))],
                       title=title)
    fig.update_layout(yaxis_title="line", xaxis_title="column")
    return fig


def units_explorer(trace: Trace, text: str, units: Sequence[FeatureUnit],
                   row: int = 0) -> go.Figure:
    """The code of ``trace``'s sequence ``row`` (= ``text``) coloured by each
    of ``units``, picked from a plotly dropdown (no kernel needed)."""
    if not units:
        raise ValueError("units must name at least one FeatureUnit")
    def values(u: FeatureUnit) -> np.ndarray:
        v = unit_values(trace, u)
        return v[row] if v.ndim == 2 else v

    figs = [code_heatmap(text, values(u), u.name, u.quantity,
                         title=f"{u.feature}: {u.name} ({u.measure} = {u.score:.2f})")
            for u in units]
    fig = go.Figure(figs[0])
    buttons = [dict(label=f"{u.feature}: {u.name}", method="update",
                    args=[{"z": [f.data[0].z], "zmin": [f.data[0].zmin],
                           "zmax": [f.data[0].zmax],
                           "colorscale": [f.data[0].colorscale],
                           "hovertemplate": [f.data[0].hovertemplate]},
                          {"title": f.layout.title}])
               for u, f in zip(units, figs)]
    fig.update_layout(updatemenus=[dict(buttons=buttons, active=0, x=0,
                                        xanchor="left", y=1.0, yanchor="bottom",
                                        pad=dict(b=8), direction="down",
                                        showactive=True)],
                      margin=dict(t=110), height=fig.layout.height + 40)
    return fig


def forced_next(sm: SequenceModel, prompt: str, unit: FeatureUnit,
                value: float | None, last: int | None = None) -> np.ndarray:
    """p(next character) after reading ``prompt`` while ``unit`` is forced to
    ``value`` at its last ``last`` steps (all steps if None; nothing forced if
    ``value`` is None): (V,) in float64."""
    ids = encode(prompt)
    H = sm.cell.hidden_size
    layer, k = divmod(unit.unit, H)
    T = len(ids)
    first = 0 if last is None else max(0, T - last)
    overrides = [] if value is None else [
        Override(t, unit.quantity, k, value, layer) for t in range(first, T)]
    return softmax_at(sm.trace(ids, overrides=overrides).logits[-1], 1.0)


def gates_at(trace: Trace, texts: Sequence[str], unit: FeatureUnit,
             groups: dict[str, str]) -> dict[str, dict[str, float]]:
    """Mean forget gate f, input gate i and change of the cell state
    dc = c_t - c_{t-1} (c_{-1} = 0) of ``unit``'s cell at the characters of
    each group ({label: characters}) and at all other characters ("other"):
    {label: {"f": mean, "i": mean, "dc": mean, "n": count}}."""
    H = trace.layers[0].h.shape[-1]
    layer, k = divmod(unit.unit, H)
    lt = trace.layers[layer]
    chars = np.array([list(t) for t in texts])  # (B, T)
    c = lt.c[..., k]
    dc = np.diff(c, axis=-1, prepend=0.0)
    out, used = {}, np.zeros(chars.shape, dtype=bool)
    masks = {label: np.isin(chars, list(members)) for label, members in groups.items()}
    for m in masks.values():
        used |= m
    masks["other"] = ~used
    for label, m in masks.items():
        out[label] = {"f": float(lt.f[..., k][m].mean()),
                      "i": float(lt.i[..., k][m].mean()),
                      "dc": float(dc[m].mean()), "n": int(m.sum())}
    return out


class CodeExplorer:
    """Live: paste code, pick a unit, see it coloured line by line.

    Attributes: ``widget``, ``text`` (Textarea), ``unit`` (Dropdown of the
    feature units), ``error`` (HTML), ``output`` (LiveFigure)."""

    def __init__(self, sm: SequenceModel, units: Sequence[FeatureUnit],
                 text: str) -> None:
        self.sm, self.units = sm, list(units)
        self.text = W.Textarea(value=text, description="code", rows=10,
                               continuous_update=False,
                               layout=W.Layout(width="95%"))
        self.unit = W.Dropdown(options=[(f"{u.feature}: {u.name}", k)
                                        for k, u in enumerate(self.units)],
                               value=0, description="unit",
                               layout=W.Layout(width="auto"))
        self.error = W.HTML("")
        self.output = LiveFigure()
        self.text.observe(lambda _: self.redraw(), names="value")
        self.unit.observe(lambda _: self.redraw(), names="value")
        self.widget = W.VBox([self.unit, self.text, self.error, self.output])
        self.redraw()

    def redraw(self) -> None:
        code = self.text.value
        try:
            trace = self.sm.trace(encode(code))
        except (UnknownTokenError, ValueError) as e:
            self.error.value = f"<span style='color:#b00'>{e}</span>"
            return
        self.error.value = ""
        u = self.units[self.unit.value]
        self.output.update(code_heatmap(code, unit_values(trace, u), u.name,
                                        u.quantity, title=f"{u.feature}: {u.name}"))


class Sampler:
    """Live: a prompt, a temperature slider and a seed; shows the sample."""

    def __init__(self, model: CharModel, prompt: str = "def ",
                 length: int = 300) -> None:
        self.model, self.length = model, length
        self.prompt = W.Textarea(value=prompt, description="prompt", rows=3,
                                 continuous_update=False,
                                 layout=W.Layout(width="95%"))
        self.temperature = W.FloatSlider(value=0.8, min=0.1, max=1.5, step=0.1,
                                         description="temperature",
                                         continuous_update=False,
                                         style={"description_width": "initial"})
        self.seed = W.IntText(value=0, description="seed",
                              layout=W.Layout(width="160px"))
        self.out = W.HTML("")
        for w in (self.prompt, self.temperature, self.seed):
            w.observe(lambda _: self.redraw(), names="value")
        self.widget = W.VBox([self.prompt, W.HBox([self.temperature, self.seed]),
                              self.out])
        self.redraw()

    def redraw(self) -> None:
        try:
            text = sample(self.model, self.prompt.value, self.length,
                          self.temperature.value, self.seed.value)
        except ValueError as e:
            self.out.value = f"<span style='color:#b00'>{e}</span>"
            return
        shown = (self.prompt.value + text).replace("&", "&amp;").replace("<", "&lt;")
        self.out.value = (f"<pre style='font-size:12px;line-height:1.3'>{shown}"
                          f"</pre>")
