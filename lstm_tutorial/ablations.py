"""Chapter 3's pictures and experiments: the LSTM cell drawn, and taken apart.

Diagrams (plotly shapes and annotations, so they draw offline):

- ``four_networks_figure()``: the cell as four small networks, Learn, Forget,
  Combine and Use, passing long-term memory c and working memory h along.
- ``lstm_cell_figure(trace=None, tokens=None, unit_names=None)``: the standard
  cell diagram with the four networks as coloured regions. Given a trace, a
  plotly slider steps through the words and every gate and state of the chosen
  unit (buttons) shows its value.
- ``cell_vs_hidden_figure(trace, tokens)``: c, o and h = o * tanh(c) of every
  unit, stacked.

What-ifs on a hand-set network (``handset.HandSet``): ``what_if`` forces gates
and re-runs; ``what_if_figure`` compares scenarios with plotly buttons;
``SentenceWhatIf`` is the live control (type a sentence, force a gate).

Experiments (fixed budgets, seeded, small enough for the chapter's 2 minutes),
trained with ``train.train``:

- the swap experiment: the counting task with the gate and cell activations
  exchanged (``ActivationLSTM``, ``SwapConfig``, ``swap_experiment``);
- forget-gate bias 1 vs 0 at initialisation on long-gap recall
  (``ForgetBiasConfig``, ``forget_bias_experiment``, ``forget_bias_figure``);
- ``summary_table``: per-seed values and medians as plain text.
"""

from __future__ import annotations

import dataclasses
import html
import inspect
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from . import cells, gates, style, viz
from .printing import text_table
from .cells import Override

__all__ = [
    "gated_memory",
    "source_lines",
    "weight_lines",
    "NETWORK_COLOURS",
    "four_networks_figure",
    "lstm_cell_figure",
    "start_at",
    "word_step_through",
    "ActivationLSTM",
    "cell_vs_hidden_figure",
    "what_if",
    "what_if_figure",
    "SentenceWhatIf",
    "VARIANTS",
    "SwapConfig",
    "swap_model",
    "swap_experiment",
    "sign_sources",
    "ForgetBiasConfig",
    "forget_bias_experiment",
    "forget_bias_figure",
    "summary_table",
]

# The four networks, coloured like their gates in every line plot of the book.
NETWORK_COLOURS = {
    "Forget": gates.colour("f"),  # orange, forget gate f
    "Learn": gates.colour("i"),  # green, input gate i (with the candidate g)
    "Combine": gates.colour("c"),  # blue, cell state c
    "Use": gates.colour("o"),  # purple, output gate o
}
_FONT = dict(family="Helvetica, Arial, sans-serif", size=12, color="#222")
_LINE = "#555"


# ----------------------------------------------------------------- a memory, gated


def gated_memory(input_gate: bool = True, forget_gate: bool = True) -> cells.LSTM:
    """One LSTM memory cell, set by hand, reading x_t = (v_t, m_t): a value and
    a marker (m_t = 1: "store this value", else 0). With SAT = 40 saturating
    a gate (sigma(40) = 1.0 in float64, sigma(-40) = 4e-18):

        i_t = 1, or with input_gate:   sigma(80 m_t - 40)   (open on a marker)
        f_t = 1, or with forget_gate:  sigma(40 - 80 m_t)   (shut on a marker)
        g_t = tanh(v_t),  o_t = 1
        c_t = f_t c_{t-1} + i_t g_t,  h_t = o_t tanh(c_t)

    No gates: the cell adds every value it reads (a memory whose weight from
    the last step is 1). Input gate: it adds only the marked values. Both: each
    marked value replaces what it held. Returns a cells.LSTM (I = 2, H = 1).
    """
    sat = 40.0
    W = np.zeros((4, 2))  # rows i | f | g | o, columns (v, m)
    b = np.array([sat, sat, 0.0, sat])
    if input_gate:
        W[0, 1], b[0] = 2 * sat, -sat
    if forget_gate:
        W[1, 1], b[1] = -2 * sat, sat
    W[2, 0] = 1.0  # g = tanh(v)
    return cells.LSTM({"weight_ih_l0": W, "weight_hh_l0": np.zeros((4, 1)),
                       "bias_ih_l0": b, "bias_hh_l0": np.zeros(4)})


def source_lines(obj: Any, first: str, last: str) -> str:
    """The lines of ``inspect.getsource(obj)`` from the first line containing
    ``first`` through the next line containing ``last``, dedented: a slice of
    the package's own code to show in the book."""
    lines = inspect.getsource(obj).splitlines()
    try:
        a = next(k for k, line in enumerate(lines) if first in line)
        b = next(k for k in range(a, len(lines)) if last in lines[k])
    except StopIteration:
        raise ValueError(f"the source of {getattr(obj, '__qualname__', obj)} has no "
                         f"line with {first!r} followed by one with {last!r}"
                         ) from None
    return textwrap.dedent("\n".join(lines[a : b + 1]))


def weight_lines(rows: Sequence[Any], width: int = 77) -> str:
    """Rows of a hand-set weight table (handset.WeightRow) as text lines of at
    most ``width`` characters (77 fit the book's code column): the entry, its
    value, and the reason, wrapped under itself."""
    if not rows:
        raise ValueError("rows must hold at least one WeightRow")
    w = max(len(r.weight) for r in rows)
    indent = " " * (w + 9)
    out = []
    for r in rows:
        head = f"{r.weight:<{w}}  {r.value:+5.0f}  "
        out.append(textwrap.fill(r.why, width, initial_indent=head,
                                 subsequent_indent=indent))
    return "\n".join(out)


# ----------------------------------------------------------------- drawing helpers


def _rgba(hex_colour: str, alpha: float) -> str:
    """'#ff7f0e', 0.2 -> 'rgba(255,127,14,0.2)'."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _tint(hex_colour: str, alpha: float) -> str:
    """The colour at opacity alpha over white, as an opaque 'rgb(...)'."""
    h = hex_colour.lstrip("#")
    r, g, b = (round(255 - alpha * (255 - int(h[k : k + 2], 16))) for k in (0, 2, 4))
    return f"rgb({r},{g},{b})"


def _box(x0: float, y0: float, x1: float, y1: float, r: float = 0.18,
         **kw: Any) -> dict:
    """A rounded rectangle as an SVG path shape in data coordinates."""
    path = (f"M {x0 + r},{y0} L {x1 - r},{y0} Q {x1},{y0} {x1},{y0 + r} "
            f"L {x1},{y1 - r} Q {x1},{y1} {x1 - r},{y1} L {x0 + r},{y1} "
            f"Q {x0},{y1} {x0},{y1 - r} L {x0},{y0 + r} Q {x0},{y0} {x0 + r},{y0} Z")
    return dict(type="path", path=path, layer="below", **kw)


def _polyline(points: Sequence[tuple[float, float]], colour: str = _LINE,
              width: float = 2) -> dict:
    """An open path through points (the arrow head is a separate annotation)."""
    path = "M " + " L ".join(f"{x},{y}" for x, y in points)
    return dict(type="path", path=path, layer="below",
                line=dict(color=colour, width=width))


def _arrow(tail: tuple[float, float], head: tuple[float, float],
           colour: str = _LINE, width: float = 2) -> dict:
    """An arrow annotation from tail to head, in data coordinates."""
    return dict(x=head[0], y=head[1], ax=tail[0], ay=tail[1], xref="x", yref="y",
                axref="x", ayref="y", text="", showarrow=True, arrowhead=2,
                arrowsize=1.1, arrowwidth=width, arrowcolor=colour)


def _label(x: float, y: float, text: str, size: int = 12, colour: str = "#222",
           anchor: str = "center", **kw: Any) -> dict:
    return dict(x=x, y=y, xref="x", yref="y", text=text, showarrow=False,
                font=dict(size=size, color=colour), xanchor=anchor, **kw)


def _frame(height: int, x_range: tuple[float, float], y_range: tuple[float, float],
           title: str | None) -> dict:
    """A layout with hidden, fixed, equally scaled axes for a diagram."""
    axis = dict(visible=False, fixedrange=True)
    return dict(
        font=_FONT, height=height, plot_bgcolor="white", paper_bgcolor="white",
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15))
        if title else None,
        margin=dict(l=5, r=5, t=40 if title else 5, b=5), showlegend=False,
        xaxis=dict(range=list(x_range), **axis),
        yaxis=dict(range=list(y_range), scaleanchor="x", scaleratio=1, **axis),
    )


# ----------------------------------------------------------------- four networks


def four_networks_figure(title: str | None = "one LSTM cell = four small networks"
                         ) -> go.Figure:
    """The LSTM cell as four networks passing two memories along.

    Forget keeps f * c_{t-1}; Learn proposes i * g; Combine adds them into
    c_t; Use shows o * tanh(c_t) as h_t. Forget, Learn and Use each read the
    working memory h_{t-1} and the event x_t; only Use also reads c_t. Each
    layer is written as in the book, e.g. f = sigma(W_f x_t + U_f h_{t-1} + b_f).
    """
    C = NETWORK_COLOURS
    sub = {"c0": "c<sub>t−1</sub>", "h0": "h<sub>t−1</sub>", "x": "x<sub>t</sub>",
           "c": "c<sub>t</sub>", "h": "h<sub>t</sub>"}

    def layer(out: str, fn: str, k: str) -> str:
        """e.g. f = σ(W_f x_t + U_f h_{t-1} + b_f)"""
        return (f"{out} = {fn}(W<sub>{k}</sub>{sub['x']} + U<sub>{k}</sub>"
                f"{sub['h0']} + b<sub>{k}</sub>)")

    xl, xr = (2.6, 7.0), (8.3, 12.3)  # x extent of the left and right blocks
    blocks = {  # name: (x0, y0, x1, y1, text)
        "Forget": (*xl[:1], 4.7, xl[1], 6.9,
                   f"{layer('f', 'σ', 'f')}<br>keeps f ⊙ {sub['c0']}"),
        "Learn": (*xl[:1], 1.3, xl[1], 3.7,
                  f"{layer('i', 'σ', 'i')}<br>{layer('g', 'tanh', 'g')}<br>"
                  "proposes i ⊙ g"),
        "Combine": (*xr[:1], 4.7, xr[1], 6.9,
                    f"{sub['c']} = f ⊙ {sub['c0']} + i ⊙ g"),
        "Use": (*xr[:1], 1.3, xr[1], 3.7,
                f"{layer('o', 'σ', 'o')}<br>{sub['h']} = o ⊙ tanh({sub['c']})"),
    }
    shapes, notes = [], []
    for name, (x0, y0, x1, y1, text) in blocks.items():
        shapes.append(_box(x0, y0, x1, y1, fillcolor=_rgba(C[name], 0.13),
                           line=dict(color=C[name], width=2)))
        notes.append(_label((x0 + x1) / 2, y1 - 0.36, f"<b>{name.upper()}</b>",
                            size=15, colour=C[name]))
        notes.append(_label((x0 + x1) / 2, (y0 + y1) / 2 - 0.3, text, size=13))
    cl, hl = NETWORK_COLOURS["Combine"], gates.colour("h")
    # inputs on the left, outputs on the right
    notes += [
        _label(0.0, 5.8, f"<b>{sub['c0']}</b><br>long-term<br>memory", 13, cl,
               anchor="left"),
        _label(0.0, 3.2, f"<b>{sub['h0']}</b><br>working<br>memory", 13, hl,
               anchor="left"),
        _label(0.0, 0.55, f"<b>{sub['x']}</b> event", 13, anchor="left"),
        _label(14.2, 5.8, f"<b>{sub['c']}</b><br>long-term<br>memory", 13, cl,
               anchor="right"),
        _label(14.2, 2.5, f"<b>{sub['h']}</b><br>working<br>memory", 13, hl,
               anchor="right"),
    ]
    # the long-term memory: c_{t-1} -> Forget -> Combine -> c_t (thick, blue)
    notes += [_arrow((1.35, 5.8), (xl[0], 5.8), cl, 3),
              _arrow((xl[1], 5.8), (xr[0], 5.8), cl, 3),
              _arrow((xr[1], 5.8), (12.95, 5.8), cl, 3)]
    # Learn's proposal goes up into Combine (a horizontal arrow head);
    # Combine's c_t goes down into Use
    x_up = (xl[1] + xr[0]) / 2
    shapes.append(_polyline([(xl[1], 2.5), (x_up, 2.5), (x_up, 5.2)], C["Learn"]))
    notes.append(_arrow((x_up, 5.2), (xr[0], 5.2), C["Learn"]))
    x_c = (xr[0] + xr[1]) / 2
    notes.append(_arrow((x_c, 4.7), (x_c, 3.7), cl, 2))
    notes.append(_label(x_c + 0.12, 4.2, "c<sub>t</sub>", size=13, colour=cl,
                        anchor="left"))
    # the working memory and the event feed Forget, Learn and Use
    x_bus, grey = 1.9, "#444"
    shapes += [
        _polyline([(1.2, 3.2), (x_bus, 3.2)], hl),
        _polyline([(1.05, 0.55), (x_bus, 0.55)], grey),
        _polyline([(x_bus, 0.55), (x_bus, 5.3)], grey),
        _polyline([(x_bus, 0.55), (7.9, 0.55), (7.9, 2.0)], grey),
    ]
    notes += [_arrow((x_bus, 5.3), (xl[0], 5.3), grey),
              _arrow((x_bus, 2.5), (xl[0], 2.5), grey),
              _arrow((7.9, 2.0), (xr[0], 2.0), grey),
              _arrow((xr[1], 2.5), (12.95, 2.5), hl, 3),
              _label(2.05, 0.85, "[h<sub>t−1</sub>, x<sub>t</sub>]", size=12,
                     colour=grey, anchor="left")]
    fig = go.Figure(layout=_frame(440, (-0.1, 14.3), (0.0, 7.2), title))
    fig.update_layout(shapes=shapes, annotations=notes)
    return fig


# ----------------------------------------------------------------- the standard cell

# Where each part of the standard diagram sits (data coordinates).
_Y_C, _Y_GATE, _Y_BUS, _Y_IG = 6.4, 3.3, 1.6, 4.85
_GATE_X = {"f": 3.0, "i": 4.5, "g": 6.0, "o": 7.9}
_X_OUT = 9.4  # the output path: tanh(c_t), then o_t * tanh(c_t)
_CHIPS = {  # state readouts: (x, y)
    "c_prev": (0.45, _Y_C), "h_prev": (0.45, _Y_BUS),
    "c": (12.45, _Y_C), "h": (12.45, _Y_GATE),
}
_REGIONS = {  # the four networks as regions of the diagram: x0, y0, x1, y1
    "Forget": (2.35, 2.55, 3.65, 7.05),
    "Learn": (3.8, 2.55, 6.65, 5.35),
    "Combine": (3.8, 5.55, 6.65, 7.05),
    "Use": (7.2, 2.55, 10.1, 5.75),
}
_GATE_FN = {q: "σ" if g.gate else g.activation
            for q, g in gates.QUANTITIES["lstm"].items() if g.activation}


def _cell_skeleton() -> tuple[list[dict], list[dict]]:
    """Shapes and annotations of the standard LSTM cell (no values)."""
    C = NETWORK_COLOURS
    shapes = [_box(1.3, 0.9, 11.1, 7.35, r=0.3, fillcolor="rgb(250,250,250)",
                   line=dict(color="#bbb", width=1.5))]
    notes = []
    for name, (x0, y0, x1, y1) in _REGIONS.items():
        shapes.append(_box(x0, y0, x1, y1, r=0.15, fillcolor=_rgba(C[name], 0.12),
                           line=dict(color=_rgba(C[name], 0.7), width=1, dash="dot")))
    notes += [
        _label(3.0, 6.86, "<b>FORGET</b>", 11, C["Forget"]),
        _label(5.2, 6.86, "<b>COMBINE</b>", 11, C["Combine"]),
        _label(4.2, 5.12, "<b>LEARN</b>", 11, C["Learn"], anchor="left"),
        _label(7.35, 5.5, "<b>USE</b>", 11, C["Use"], anchor="left"),
    ]
    xf, xi, xg, xo = (_GATE_X[k] for k in "figo")
    # the cell state line, c_{t-1} -> c_t
    shapes.append(_polyline([(_CHIPS["c_prev"][0], _Y_C), (_CHIPS["c"][0], _Y_C)],
                            C["Combine"], 3))
    # the bus [h_{t-1}, x_t] into the four layers
    shapes += [_polyline([(_CHIPS["h_prev"][0], _Y_BUS), (xo, _Y_BUS)]),
               _polyline([(1.9, 0.1), (1.9, _Y_BUS)])]
    for x in (xf, xi, xg, xo):
        shapes.append(_polyline([(x, _Y_BUS), (x, _Y_GATE)]))
    # f -> x on the cell line; i, g -> x -> + on the cell line
    shapes += [_polyline([(xf, _Y_GATE), (xf, _Y_C)]),
               _polyline([(xi, _Y_GATE), (xi, _Y_IG), (xg, _Y_IG)]),
               _polyline([(xg, _Y_GATE), (xg, _Y_C)])]
    notes += [_arrow((xf, _Y_C - 0.7), (xf, _Y_C - 0.25)),
              _arrow((xg, _Y_C - 0.7), (xg, _Y_C - 0.25)),
              _arrow((xg - 0.8, _Y_IG), (xg - 0.25, _Y_IG)),
              _arrow((xg, _Y_IG - 0.9), (xg, _Y_IG - 0.25))]
    # output path: c_t -> tanh -> x with o -> h_t
    shapes += [_polyline([(_X_OUT, _Y_C), (_X_OUT, _Y_GATE)]),
               _polyline([(xo, _Y_GATE), (_X_OUT, _Y_GATE)]),
               _polyline([(_X_OUT, _Y_GATE), (_CHIPS["h"][0], _Y_GATE)],
                         gates.colour("h"), 2)]
    notes.append(_arrow((_X_OUT - 0.8, _Y_GATE), (_X_OUT - 0.25, _Y_GATE)))
    notes += [_arrow((_X_OUT, _Y_C - 0.2), (_X_OUT, 5.35)),
              _arrow((_X_OUT, 4.85), (_X_OUT, _Y_GATE + 0.25)),
              _arrow((_CHIPS["h"][0] - 1.2, _Y_GATE), (_CHIPS["h"][0] - 0.4, _Y_GATE),
                     gates.colour("h")),
              _arrow((_CHIPS["c"][0] - 1.2, _Y_C), (_CHIPS["c"][0] - 0.4, _Y_C),
                     C["Combine"], 3)]
    # the pointwise operations: x, +, tanh
    for x, y, op in ((xf, _Y_C, "×"), (xg, _Y_C, "+"), (xg, _Y_IG, "×"),
                     (_X_OUT, _Y_GATE, "×")):
        shapes.append(dict(type="circle", x0=x - 0.25, y0=y - 0.25, x1=x + 0.25,
                           y1=y + 0.25, fillcolor="white", line=dict(color=_LINE),
                           layer="below"))
        notes.append(_label(x, y, f"<b>{op}</b>", 14))
    shapes.append(dict(type="circle", x0=_X_OUT - 0.42, y0=5.1 - 0.24,
                       x1=_X_OUT + 0.42, y1=5.1 + 0.24, fillcolor="white",
                       line=dict(color=_LINE), layer="below"))
    notes.append(_label(_X_OUT, 5.1, "tanh", 11))
    # gate names, right of each layer's upward line
    for k, x in _GATE_X.items():
        notes.append(_label(x + 0.12, _Y_GATE + 0.62, gates.short_label(k), 11, "#333",
                            anchor="left"))
    # the states' names at the chips
    hl, cl = gates.colour("h"), C["Combine"]
    notes += [
        _label(_CHIPS["c_prev"][0], _Y_C + 0.62, "<b>c<sub>t−1</sub></b>", 12, cl),
        _label(_CHIPS["c_prev"][0], _Y_C - 0.75, "long-term", 9, "#666"),
        _label(_CHIPS["h_prev"][0], _Y_BUS + 0.62, "<b>h<sub>t−1</sub></b>", 12, hl),
        _label(_CHIPS["h_prev"][0], _Y_BUS - 0.75, "working", 9, "#666"),
        _label(_CHIPS["c"][0], _Y_C + 0.62, "<b>c<sub>t</sub></b>", 12, cl),
        _label(_CHIPS["c"][0], _Y_C - 0.75, "long-term", 9, "#666"),
        _label(_CHIPS["h"][0], _Y_GATE + 0.62, "<b>h<sub>t</sub></b>", 12, hl),
        _label(_CHIPS["h"][0], _Y_GATE - 0.75, "working", 9, "#666"),
    ]
    return shapes, notes


# one readout per point of a unit's marker trace, in this order
_POINTS = ("f", "i", "g", "o", "c_prev", "h_prev", "c", "h")
_PRODUCTS = ("fc", "ig", "tanh_c")  # value labels next to the x, x and tanh nodes
_PRODUCT_XY = {"fc": (3.3, 5.95), "ig": (6.3, 4.55), "tanh_c": (9.9, 5.1)}


def _point_xy(p: str) -> tuple[float, float]:
    return (_GATE_X[p], _Y_GATE) if p in _GATE_X else _CHIPS[p]


def _text_colour(v: float) -> str:
    """White on the dark ends of the colour scale, black elsewhere."""
    return "white" if abs(v) > 0.62 else "#111"


def _cell_values(tr: Any, unit: int, t: int) -> dict[str, float]:
    """Every readout of one unit at step t (c_prev, h_prev = 0 at t = 0)."""
    v = {q: float(np.asarray(tr[q])[t, unit]) for q in ("i", "f", "g", "o", "c", "h")}
    v["c_prev"] = float(np.asarray(tr["c"])[t - 1, unit]) if t else 0.0
    v["h_prev"] = float(np.asarray(tr["h"])[t - 1, unit]) if t else 0.0
    v["fc"], v["ig"] = v["f"] * v["c_prev"], v["i"] * v["g"]  # f c_{t-1}, i g
    v["tanh_c"] = np.tanh(v["c"])
    return {k: float(np.round(x, 2)) + 0.0 for k, x in v.items()}  # + 0.0: no -0.00


def lstm_cell_figure(
    trace: Any = None,
    tokens: Sequence[str] | None = None,
    *,
    unit_names: Sequence[str] | None = None,
    unit: int = 0,
    step: int = 0,
    title: str | None = None,
) -> go.Figure:
    """The standard LSTM cell, its four networks shaded.

    Without a trace: the diagram, each layer marked by its activation (σ or
    tanh). With an unbatched LSTM trace ((T, H) fields i, f, g, o, c, h) and its
    T tokens: a slider moves through the steps (starting at ``step``) and
    buttons pick the unit (starting at ``unit``); each gate box and state chip
    is coloured by its value (gates white 0 to blue 1, states red -1 to blue +1)
    and prints it, with f * c_{t-1}, i * g and tanh(c_t) next to their nodes.
    """
    shapes, notes = _cell_skeleton()
    fig = go.Figure(layout=_frame(520 if trace is not None else 440,
                                  (-0.2, 13.2), (-0.6, 7.6),
                                  title if title is not None else
                                  "the standard LSTM cell, four networks shaded"))
    if trace is None:
        xs, ys = zip(*(_point_xy(p) for p in _POINTS))
        texts = [_GATE_FN[p] if p in _GATE_FN else "" for p in _POINTS]
        fill = [_tint(NETWORK_COLOURS[n], 0.35) for n in
                ("Forget", "Learn", "Learn", "Use")] + ["white"] * 4
        fig.add_scatter(x=xs, y=ys, mode="markers+text", text=texts,
                        marker=dict(symbol=["square"] * 4 + ["circle"] * 4, size=40,
                                    color=fill, line=dict(color="#333", width=1.5)),
                        textfont=dict(size=13), hoverinfo="skip")
        notes.append(_label(1.9, -0.3, "<b>x<sub>t</sub></b> input", 12,
                            anchor="center"))
        fig.update_layout(shapes=shapes, annotations=notes)
        return fig
    return _cell_with_values(fig, shapes, notes, trace, tokens, unit_names, unit,
                             step)


def _cell_with_values(fig: go.Figure, shapes: list, notes: list, trace: Any,
                      tokens: Sequence[str] | None, unit_names: Any,
                      unit: int, step: int) -> go.Figure:
    need = ("i", "f", "g", "o", "c", "h")
    try:
        arrays = {q: np.asarray(trace[q], dtype=float) for q in need}
    except (KeyError, TypeError) as e:
        raise ValueError(f"trace must be an LSTM trace with fields {need}: {e}"
                         ) from None
    shape = arrays["h"].shape
    if len(shape) != 2 or any(a.shape != shape for a in arrays.values()):
        raise ValueError(f"trace fields must all be (T, H) (one sequence), got "
                         f"{ {q: a.shape for q, a in arrays.items()} }")
    T, H = shape
    toks = list(tokens) if tokens is not None else [str(t) for t in range(T)]
    if len(toks) != T:
        raise ValueError(f"tokens must hold {T} tokens (one per step), got {len(toks)}")
    if not 0 <= unit < H:
        raise ValueError(f"unit must be in [0, {H}), got {unit}")
    if not 0 <= step < T:
        raise ValueError(f"step must be in [0, {T}), got {step}")
    names = viz.unit_labels(H, unit_names)
    vals = [[_cell_values(arrays, u, t) for t in range(T)] for u in range(H)]

    def marker_state(u: int, t: int) -> tuple[list, list, list]:
        v = vals[u][t]
        nums = [v[p] for p in _POINTS]
        return nums, [f"{x:.2f}" for x in nums], [_text_colour(x) for x in nums]

    def product_text(u: int, t: int) -> list[str]:
        v = vals[u][t]
        return [f"= {v['fc']:.2f}", f"= {v['ig']:.2f}", f"= {v['tanh_c']:.2f}"]

    xs, ys = zip(*(_point_xy(p) for p in _POINTS))
    px, py = zip(*(_PRODUCT_XY[p] for p in _PRODUCTS))
    symbols = ["square"] * 4 + ["circle"] * 4
    for u in range(H):  # traces 2u (boxes and chips) and 2u + 1 (products)
        nums, texts, colours = marker_state(u, step)
        fig.add_scatter(
            x=xs, y=ys, mode="markers+text", text=texts, visible=u == unit,
            marker=dict(symbol=symbols, size=40, color=nums, cmin=-1, cmax=1,
                        colorscale=style.DIVERGING, line=dict(color="#333", width=1.5)),
            textfont=dict(size=12, color=colours), name=names[u],
            customdata=[viz.quantity_label(p) if p in _GATE_X else
                        {"c_prev": "cell state c, step t−1",
                         "h_prev": "hidden state h, step t−1",
                         "c": "cell state c", "h": "hidden state h"}[p]
                        for p in _POINTS],
            hovertemplate="%{customdata} = %{text}<extra>" + html.escape(names[u])
                          + "</extra>")
        fig.add_scatter(x=px, y=py, mode="text", text=product_text(u, step),
                        textposition="middle right", visible=u == unit,
                        textfont=dict(size=11, color="#333"), hoverinfo="skip")
    shown = [style.shown(s) for s in toks]
    notes.append(dict(x=0, y=1.0, xref="paper", yref="paper", text="unit:",
                      showarrow=False, xanchor="left", yanchor="bottom",
                      yshift=10, font=dict(size=12)))
    fig.add_scatter(x=[1.9], y=[-0.3], mode="text", hoverinfo="skip",
                    text=[f"<b>x<sub>t</sub></b> = '{shown[step]}'"],
                    textfont=dict(size=13))
    idx = list(range(2 * H + 1))
    steps = []
    for t in range(T):
        colours, texts, fonts = [], [], []
        for u in range(H):
            nums, tx, fc = marker_state(u, t)
            colours += [nums, None]
            texts += [tx, product_text(u, t)]
            fonts += [fc, "#333"]
        texts.append([f"<b>x<sub>t</sub></b> = '{shown[t]}'"])
        colours.append(None)
        fonts.append("#222")
        steps.append(dict(method="restyle", label=shown[t],
                          args=[{"text": texts, "marker.color": colours,
                                 "textfont.color": fonts}, idx]))
    buttons = [dict(method="restyle", label=names[u],
                    args=[{"visible": [k // 2 == u for k in range(2 * H)] + [True]},
                          idx]) for u in range(H)]
    fig.update_layout(
        shapes=shapes, annotations=notes, margin=dict(l=5, r=5, t=80, b=5),
        title=dict(yref="container", y=0.99, yanchor="top"),
        updatemenus=[dict(type="buttons", direction="right", buttons=buttons,
                          active=unit, x=0.08, xanchor="left", y=1.0,
                          yanchor="bottom", pad=dict(t=0, b=4), font=dict(size=11),
                          showactive=True)],
        sliders=[dict(active=step, steps=steps, x=0.02, len=0.96, y=0, yanchor="top",
                      pad=dict(t=10, b=5),
                      currentvalue=dict(prefix="word: ", font=dict(size=13)),
                      font=dict(size=10))],
        height=590,
    )
    return fig


# ----------------------------------------------------------------- step-throughs


def start_at(fig: go.Figure, step: int) -> go.Figure:
    """Open a figure's first slider at ``step``: apply that slider step's
    restyle to the data and mark it active (the static page opens there).

    The slider's steps must use method "restyle" with args [update, trace
    indices], as the step-throughs of viz and this module do. Returns fig.
    """
    if not fig.layout.sliders:
        raise ValueError("fig has no slider")
    slider = fig.layout.sliders[0]
    n = len(slider.steps)
    if not 0 <= step < n:
        raise ValueError(f"step must be in [0, {n}), got {step}")
    chosen = slider.steps[step]
    if chosen.method != "restyle":
        raise ValueError(f"slider steps must use method 'restyle', got "
                         f"{chosen.method!r}")
    update, idx = chosen.args[0], chosen.args[1]
    for key, values in update.items():
        for k, v in zip(idx, values):
            if v is not None:  # None leaves a trace as it is, as in plotly.js
                fig.data[k].update({key.replace(".", "_"): v})
    slider.active = step
    return fig


def word_step_through(trace: Any, tokens: Sequence[str], *,
                      unit_names: Sequence[str] | None = None, step: int = 0,
                      title: str | None = None) -> go.Figure:
    """``viz.step_through`` for a sentence: opens at word ``step``, with the
    colour bars' titles along the bars (clear of the next panel) and the word
    strip in a smaller font with gaps, so long words do not run together."""
    fig = viz.step_through(trace, tokens, unit_names=unit_names, title=title)
    for d in fig.data:
        if getattr(d, "showscale", None) is not False and d.type == "heatmap":
            d.colorbar.title.side = "right"
    fig.data[0].update(textfont=dict(size=9), xgap=4)  # the word strip
    return start_at(fig, step)


# ----------------------------------------------------------------- the swap experiment

_TORCH_ACTIVATIONS = ("sigmoid", "tanh")


class ActivationLSTM(nn.Module):
    """A one-layer LSTM whose activations can be swapped (torch.nn.LSTM's layout):

        i_t = gate(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
        f_t = gate(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
        g_t = cell(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
        o_t = gate(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * cell(c_t)

    gate, cell: "sigmoid" or "tanh"; gate="sigmoid", cell="tanh" is the
    standard LSTM (equal to nn.LSTM with the same weights). Parameters
    ``weight_ih_l0`` (4H, I), ``weight_hh_l0`` (4H, H), ``bias_ih_l0``,
    ``bias_hh_l0`` (4H,), rows i | f | g | o, initialised like nn.LSTM.
    ``forward(x (B, T, I), state=None) -> (h (B, T, H), (h_n, c_n) (1, B, H))``,
    batch first, like nn.LSTM(batch_first=True).
    """

    def __init__(self, input_size: int, hidden_size: int, gate: str = "sigmoid",
                 cell: str = "tanh") -> None:
        super().__init__()
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        for name, v in (("gate", gate), ("cell", cell)):
            if v not in _TORCH_ACTIVATIONS:
                raise ValueError(f"{name} must be one of {_TORCH_ACTIVATIONS}, "
                                 f"got {v!r}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.gate, self.cell = gate, cell
        self.num_layers, self.batch_first = 1, True
        H = hidden_size
        self.weight_ih_l0 = nn.Parameter(torch.empty(4 * H, input_size))
        self.weight_hh_l0 = nn.Parameter(torch.empty(4 * H, H))
        self.bias_ih_l0 = nn.Parameter(torch.empty(4 * H))
        self.bias_hh_l0 = nn.Parameter(torch.empty(4 * H))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight ~ U(-1/sqrt(H), 1/sqrt(H)), as nn.LSTM."""
        k = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def forward(self, x: torch.Tensor, state: Any = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape (B, T, {self.input_size}), "
                             f"got {tuple(x.shape)}")
        B, T, _ = x.shape
        H = self.hidden_size
        if state is None:
            h = x.new_zeros(B, H)
            c = x.new_zeros(B, H)
        else:
            h, c = state[0][0], state[1][0]
        out, _, (h, c) = self._run(x, h, c, keep=False)
        return out, (h[None], c[None])

    def _run(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, keep: bool
             ) -> tuple[torch.Tensor, dict[str, list],
                        tuple[torch.Tensor, torch.Tensor]]:
        """The recurrence; keep=True also collects i, f, g, o, c per step."""
        H = self.hidden_size
        gate = torch.sigmoid if self.gate == "sigmoid" else torch.tanh
        cell = torch.tanh if self.cell == "tanh" else torch.sigmoid
        # W_ih x_t + b_ih + b_hh for all steps at once: (B, T, 4H)
        pre_x = x @ self.weight_ih_l0.T + (self.bias_ih_l0 + self.bias_hh_l0)
        W_hh_T = self.weight_hh_l0.T
        out, seen = [], {q: [] for q in "ifgoc"}
        for t in range(x.shape[1]):
            pre = torch.addmm(pre_x[:, t], h, W_hh_T)  # (B, 4H): i | f | g | o
            pre_i, pre_f, pre_g, pre_o = pre.split(H, dim=1)
            i, f, g, o = gate(pre_i), gate(pre_f), cell(pre_g), gate(pre_o)
            c = f * c + i * g
            h = o * cell(c)
            out.append(h)
            if keep:
                for q, v in zip("ifgoc", (i, f, g, o, c)):
                    seen[q].append(v)
        return torch.stack(out, 1), seen, (h, c)

    @torch.no_grad()
    def trace(self, x: torch.Tensor) -> dict[str, Any]:
        """Every gate and state over x (B, T, I) from zero states, as numpy
        arrays (B, T, H): {"kind": "lstm", "i", "f", "g", "o", "c", "h"}. The
        viz figure builders accept it like a cells.Trace."""
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape (B, T, {self.input_size}), "
                             f"got {tuple(x.shape)}")
        zeros = x.new_zeros(x.shape[0], self.hidden_size)
        out, seen, _ = self._run(x, zeros, zeros, keep=True)
        fields = {q: torch.stack(v, 1).numpy() for q, v in seen.items()}
        return {"kind": "lstm", **fields, "h": out.numpy()}

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, gate={self.gate!r}, "
                f"cell={self.cell!r}")


# ----------------------------------------------------------------- cell vs hidden


def cell_vs_hidden_figure(
    trace: Any,
    tokens: Sequence[str],
    *,
    unit_names: Sequence[str] | None = None,
    title: str | None = "long-term memory c, output gate o, working memory h",
) -> go.Figure:
    """Cell state c, output gate o and hidden state h = o * tanh(c) of every unit
    over one sequence, stacked so each word's column reads top to bottom.

    trace: an unbatched LSTM trace ((T, H) fields c, o, h); tokens: T tokens.
    """
    try:
        vals = {q: np.asarray(trace[q], dtype=float) for q in ("c", "o", "h")}
    except (KeyError, TypeError) as e:
        raise ValueError(f"trace must be an LSTM trace with fields c, o, h: {e}"
                         ) from None
    if vals["h"].ndim != 2 or any(v.shape != vals["h"].shape for v in vals.values()):
        raise ValueError(f"c, o, h must all be (T, H) (one sequence), got "
                         f"{ {q: v.shape for q, v in vals.items()} }")
    T, H = vals["h"].shape
    toks = [style.shown(s) for s in style.sequence_tokens(tokens, T)]
    names = viz.unit_labels(H, unit_names)
    row_px, gap_px, top_px = 22 * H + 8, 46, 10
    total = 3 * row_px + 2 * gap_px + top_px
    data, layout = [], {}
    for k, q in enumerate(("c", "o", "h")):
        ax = "" if k == 0 else str(k + 1)
        top = 1 - (top_px + k * (row_px + gap_px)) / total
        dom = [round(top - row_px / total, 6), round(top, 6)]
        colours = viz.colour_range(q)
        colours["colorbar"].update(y=sum(dom) / 2, len=dom[1] - dom[0] + 0.04,
                                   thickness=12)
        label = viz.quantity_label(q)
        data.append(go.Heatmap(
            z=style.rounded(vals[q].T), x=list(range(T)), y=names, xgap=2, ygap=2,
            texttemplate="%{z:.2f}", textfont=dict(size=9), customdata=[toks] * H,
            xaxis=f"x{ax}", yaxis=f"y{ax}",
            hovertemplate=f"%{{y}}, '%{{customdata}}'<br>{label} = %{{z:.3f}}"
                          "<extra></extra>", **colours))
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", tickvals=list(range(T)),
                                    ticktext=toks, tickangle=-45, showgrid=False,
                                    zeroline=False, fixedrange=True)
        layout[f"yaxis{ax}"] = dict(domain=dom, autorange="reversed", showgrid=False,
                                    fixedrange=True, type="category",
                                    title=dict(text=label, font=dict(size=12)))
    fig = go.Figure(data=data, layout=style.base_layout(
        title=style.title_dict(title), height=total + 160,
        margin=dict(l=150, r=20, t=50, b=60), **layout))
    return fig


# ----------------------------------------------------------------- what-ifs


def what_if(net: Any, text: str | Sequence[str],
            overrides: Sequence[Override] = ()) -> Any:
    """The trace of a hand-set network (handset.HandSet) on ``text`` with some
    gates forced: ``Override(t, gate, unit, value)`` sets gate (i, f, g, o, c or
    h) of ``unit`` at step t and the recurrence continues from there. Units may
    be given by name. Returns the cells.Trace with ``logits``."""
    tokens = net.split(text) if isinstance(text, str) else list(text)
    T = len(tokens)
    fixed = []
    for ov in overrides:
        if not isinstance(ov, Override):
            raise ValueError(f"overrides must be cells.Override, got {ov!r}")
        unit = net.unit(ov.unit) if isinstance(ov.unit, str) else ov.unit
        if not 0 <= ov.t < T:
            raise ValueError(f"override step t must be in [0, {T}) for {T} tokens, "
                             f"got {ov.t}")
        fixed.append(dataclasses.replace(ov, unit=unit))
    return net.trace(tokens, overrides=fixed)


def what_if_figure(
    net: Any,
    text: str,
    scenarios: Mapping[str, Sequence[Override]],
    *,
    step: int = -1,
    title: str | None = None,
) -> go.Figure:
    """Compare what-ifs on one sentence, picked with buttons (no kernel needed).

    scenarios: {label: overrides}; the first is usually {"as built": []}; the
    buttons carry the labels. Top: the cell state c of every unit over the
    words; each forced gate frames the (word, unit) square it acted on, in the
    gate's colour, and is named above that word's column ("f = 1 forced").
    Bottom: the logits (next-word scores) after token ``step``, for every
    output that scores anything in some scenario (all others score 0, as a
    note says); the top word is dark blue, unless the top is a tie.
    """
    if not scenarios:
        raise ValueError("scenarios must hold at least one {label: overrides}")
    tokens = net.split(text)
    T = len(tokens)
    if not -T <= step < T:
        raise ValueError(f"step must be in [-{T}, {T}), got {step}")
    step %= T
    traces = {label: what_if(net, tokens, ovs) for label, ovs in scenarios.items()}
    scores = {label: tr.logits[step] for label, tr in traces.items()}
    shown_out = [k for k in range(len(net.outputs))
                 if any(abs(s[k]) > 1e-9 for s in scores.values())]
    if not shown_out:
        shown_out = list(np.argsort(-scores[next(iter(scores))])[:5])
    words = [net.outputs[k] for k in shown_out]
    toks = [style.shown(s) for s in tokens]
    names = viz.unit_labels(net.hidden_size, net.unit_names)
    first = next(iter(traces))

    def bar_colours(label: str) -> list[str]:
        s = scores[label]
        unique_top = (s == s.max()).sum() == 1
        return ["#1f77b4" if unique_top and v == s.max() else "#aab8c8"
                for v in s[shown_out]]

    heat_h = 22 * net.hidden_size + 10
    total = heat_h + 300
    top_of_heat = 1.0  # paper y of the heat map's top edge
    colours = viz.colour_range("c")
    colours["colorbar"].update(y=1, yanchor="top", len=0.5, thickness=12)
    colours["colorbar"]["title"].update(side="right")
    fig = go.Figure([
        go.Heatmap(z=style.rounded(traces[first].c.T), x=list(range(T)), y=names, xgap=2,
                   ygap=2, texttemplate="%{z:.2f}", textfont=dict(size=9),
                   customdata=[toks] * net.hidden_size,
                   hovertemplate="%{y}, '%{customdata}'<br>cell state c = %{z:.3f}"
                                 "<extra></extra>", **colours),
        go.Bar(x=words, y=style.rounded(scores[first][shown_out]), xaxis="x2", yaxis="y2",
               marker=dict(color=bar_colours(first)), texttemplate="%{y:.2f}",
               textposition="outside", cliponaxis=False,
               hovertemplate="%{x}: logit %{y:.3f}<extra></extra>"),
    ])
    lo = min(0.0, min(float(s[shown_out].min()) for s in scores.values()))
    hi = max(0.0, max(float(s[shown_out].max()) for s in scores.values()))
    others = len(net.outputs) - len(shown_out)
    notes = [dict(x=1, y=round(200 / total, 6), xref="paper", yref="paper",
                  xanchor="right", yanchor="bottom", showarrow=False,
                  text=f"the other {others} words: 0 in every scenario",
                  font=dict(size=11, color="#555"))] if others else []

    def marks(label: str) -> tuple[list[dict], list[dict]]:
        """Frames around each forced (word, unit) square and the gate's name
        above the word's column."""
        frames, names_above = [], []
        for ov in scenarios[label]:
            u = net.unit(ov.unit) if isinstance(ov.unit, str) else ov.unit
            colour = gates.colour(ov.gate, default="#000")
            frames.append(dict(type="rect", xref="x", yref="y", x0=ov.t - 0.5,
                               x1=ov.t + 0.5, y0=u - 0.5, y1=u + 0.5,
                               line=dict(color=colour, width=3)))
            names_above.append(dict(
                x=ov.t, y=top_of_heat, xref="x", yref="paper", yanchor="bottom",
                showarrow=False, text=f"<b>{ov.gate} = {ov.value:g}</b> forced",
                font=dict(size=11, color=colour)))
        return frames, names_above

    buttons = []
    for label in scenarios:
        frames, above = marks(label)
        buttons.append(dict(method="update", label=label,
                            args=[{"z": [style.rounded(traces[label].c.T), None],
                                   "y": [names, style.rounded(scores[label][shown_out])],
                                   "marker.color": [None, bar_colours(label)]},
                                  {"shapes": frames, "annotations": notes + above}]))
    frames, above = marks(first)
    fig.update_layout(**style.base_layout(
        title=dict(text=title if title is not None else
                   f"cell states c, and the logits after '{toks[step]}'",
                   x=0.01, xanchor="left", yref="container", y=0.99,
                   yanchor="top"),
        height=total + 190, shapes=frames, annotations=notes + above,
        margin=dict(l=140, r=20, t=140, b=50), showlegend=False,
        xaxis=dict(tickvals=list(range(T)), ticktext=toks, tickangle=-45,
                   showgrid=False, zeroline=False, fixedrange=True),
        yaxis=dict(domain=[round(1 - heat_h / total, 6), 1], autorange="reversed",
                   showgrid=False, type="category", fixedrange=True),
        xaxis2=dict(anchor="y2", fixedrange=True, type="category"),
        yaxis2=dict(domain=[0, round(200 / total, 6)], fixedrange=True,
                    range=[lo - 1.6 if lo < 0 else 0, hi + 0.8],
                    title=dict(text=f"logit after '{toks[step]}'"),
                    zeroline=True, zerolinecolor="#999"),
        updatemenus=[dict(type="buttons", direction="right", buttons=buttons,
                          active=0, x=-130 / 528, xanchor="left", y=1.0,
                          yanchor="bottom", pad=dict(b=34), font=dict(size=11),
                          showactive=True)],
    ))
    return fig


# ----------------------------------------------------------------- live what-if


class SentenceWhatIf:
    """Live: type or pick a sentence, step through it, force a gate.

    net: a word-level handset.HandSet (e.g. ``sentence_lstm()``); sentences: the
    choices offered in the text box (any sentence of the vocabulary may be
    typed). Under a widgets.StepThrough (step slider, unit, what-if gate and
    value) a line lists the top next-word logits after the current word, with
    the what-if applied. Words outside the vocabulary give a message listing it.
    Attributes: ``widget`` (show with display.live), ``text``, ``message``,
    ``stepper`` (the current StepThrough), ``predictions``.
    """

    def __init__(self, net: Any, sentences: Sequence[str], *, unit: str | int = 0,
                 quantity: str = "c", top: int = 3) -> None:
        import ipywidgets as W

        from .widgets import StepThrough

        if getattr(net, "level", None) != "word":
            raise ValueError(f"net must be a word-level handset.HandSet, got {net!r}")
        if isinstance(sentences, str) or not sentences:
            raise ValueError("sentences must be a non-empty list of sentences")
        self.net, self.top, self.quantity = net, top, quantity
        self.unit = net.unit(unit) if isinstance(unit, str) else int(unit)
        self._StepThrough = StepThrough
        self.text = W.Combobox(value=sentences[0], options=list(sentences),
                               ensure_option=False, continuous_update=False,
                               description="sentence",
                               layout=W.Layout(width="95%"))
        self.message = W.HTML("")
        self.predictions = W.HTML("")
        self.box = W.VBox([])
        self.stepper: Any = None
        self._set_sentence(sentences[0])
        self.text.observe(lambda change: self._set_sentence(change["new"]),
                          names="value")
        vocabulary = ", ".join(html.escape(w) for w in net.vocabulary)
        self.widget = W.VBox([
            self.text,
            W.HTML(f"<small>vocabulary: {vocabulary}</small>"),
            self.message, self.box, self.predictions,
        ])

    def _set_sentence(self, text: str) -> bool:
        """Trace ``text``; on an unknown word keep the old view and say why."""
        try:
            ids = self.net.encode(text)
        except (KeyError, ValueError) as e:
            self.message.value = ('<span style="color:#b2182b"><b>Cannot read '
                                  f"that:</b> {html.escape(str(e))}</span>")
            return False
        self.message.value = ""
        st = self._StepThrough(self.net.model, ids, self.net.split(text),
                               unit_names=self.net.unit_names, unit=self.unit,
                               quantity=self.quantity)
        for control in (st.step, st.value):
            control.observe(lambda _: self._predict(), names="value")
        for button in (st.apply, st.clear):
            button.on_click(lambda _: self._predict())
        self.stepper = st
        self.box.children = (st.widget,)
        self._predict()
        return True

    def _predict(self) -> None:
        """List the words that score anything after the current word."""
        st = self.stepper
        t = st.step.value
        logits = np.asarray(st.trace.logits)[t]
        order = [k for k in np.argsort(-logits, kind="stable") if abs(logits[k]) > 1e-9]
        scored = ", ".join(f"{html.escape(self.net.outputs[k])} {logits[k]:.2f}"
                           for k in order[: self.top])
        more = len(order) - self.top  # non-zero logits not listed (lower ones)
        rest = ("every word 0.00" if not scored else "every other word 0.00"
                if more <= 0 else f"{more} more below; every other word 0.00")
        self.predictions.value = (f"<b>next-word logits after "
                                  f"'{html.escape(st.tokens[t])}'</b>: "
                                  f"{scored + '; ' if scored else ''}{rest}")


# ----------------------------------------------------------------- the experiments

# variant: (gate activation of i, f, o; activation of the candidate g and of c in h)
VARIANTS: dict[str, tuple[str, str]] = {
    "standard": ("sigmoid", "tanh"),
    "swapped": ("tanh", "sigmoid"),
    "all sigmoid": ("sigmoid", "sigmoid"),
    "all tanh": ("tanh", "tanh"),
}


@dataclass(frozen=True)
class SwapConfig:
    """The swap experiment: the counting task a^N X b^N, N in [1, n_max], one
    layer of ``hidden_size`` units, trained by ``train.train`` until every
    scored target is right and the validation loss is below ``stop_loss``, or
    ``steps`` steps."""

    n_max: int = 10  # training range N = 1..n_max
    hidden_size: int = 10  # units H
    steps: int = 2000  # at most this many Adam steps
    stop_loss: float = 0.01  # early stop: all right and loss below this (nats)
    seeds: tuple[int, ...] = (0, 1, 2)  # one run per seed and variant
    n_cap: int = 200  # the generalisation limit is searched up to this N
    lr: float = 0.01  # Adam step size (constant)
    clip: float = 1.0  # max gradient norm
    forget_bias: float = 1.0  # b_f at initialisation
    eval_every: int = 5  # steps between checks of the training texts


def swap_model(task: Any, config: Any, gate: str, cell: str) -> Any:
    """``train.build_model(task, config)`` with its nn.LSTM replaced by an
    ActivationLSTM(gate, cell) holding the same initial weights: the variants
    of one seed start from identical weights and see identical batches."""
    from .train import build_model

    if config.kind != "lstm" or config.num_layers != 1:
        raise ValueError(f"the swap experiment needs kind='lstm' with one layer, got "
                         f"kind={config.kind!r}, num_layers={config.num_layers}")
    model = build_model(task, config)
    rnn = ActivationLSTM(task.vocab_size, config.hidden_size, gate=gate, cell=cell)
    rnn.load_state_dict(model.rnn.state_dict())
    model.rnn = rnn
    return model


def swap_experiment(config: SwapConfig = SwapConfig(),
                    variants: Mapping[str, tuple[str, str]] = VARIANTS,
                    progress: bool = False) -> list[dict[str, Any]]:
    """Train every variant once per seed on the counting task; one row per run.

    Row: variant, gates, candidate (activations), seed, solved (first step with
    every validation text right, None if never), steps (trained), sequence
    (fraction of the N = 1..n_max texts all right at the end), limit (largest N
    counted right for every N' <= N, greedy), min_c (lowest cell state over
    the training texts), min_f (lowest forget gate value there) and model
    (the trained CharModel, its ``.rnn`` an ActivationLSTM).
    """
    from .tasks import CountingTask
    from .train import TrainConfig, generalisation_limit, train

    unknown = {v for pair in variants.values() for v in pair} - set(_TORCH_ACTIVATIONS)
    if unknown:
        raise ValueError(f"variants must pair activations from {_TORCH_ACTIVATIONS}, "
                         f"got {sorted(unknown)}")
    task = CountingTask(1, config.n_max)
    texts = task.batch(task.all_texts())
    rows = []
    for name, (gate, cell) in variants.items():
        for seed in config.seeds:
            cfg = TrainConfig(kind="lstm", hidden_size=config.hidden_size,
                              seed=int(seed), steps=config.steps,
                              stop_loss=config.stop_loss, lr=config.lr,
                              clip=config.clip, forget_bias=config.forget_bias,
                              eval_every=config.eval_every, full_batch=True,
                              schedule="constant", hh_decay=0.0, loss_on="scored")
            res = train(task, cfg, model=swap_model(task, cfg, gate, cell),
                        progress=progress)
            with torch.no_grad():
                ids = torch.from_numpy(texts.inputs)  # (B, T)
                x = nn.functional.one_hot(ids, task.vocab_size)
                tr = res.model.rnn.trace(x.to(res.model.readout.weight.dtype))
            real = np.arange(texts.inputs.shape[1])[None, :] < texts.lengths[:, None]
            rows.append({
                "variant": name, "gates": gate, "candidate": cell, "seed": int(seed),
                "solved": res.solved_step, "steps": res.steps,
                "sequence": res.accuracy.sequence,
                "limit": generalisation_limit(res.model, task, n_cap=config.n_cap),
                "min_c": float(tr["c"][real].min()),
                "min_f": float(tr["f"][real].min()),
                "model": res.model,
            })
    return rows


def sign_sources(model: Any, task: Any, n: int = 12) -> dict[str, Any]:
    """Where a trained counting LSTM gets a sign from, on a^n X b^n (all but
    the final "."), read from ``model.rnn.trace`` (an ActivationLSTM):

    - flip: among the units whose forget gate is negative at X, the one holding
      the largest |c| just before X: {"unit", "f" (at X), "c_before",
      "c_at_x"}; None if no forget gate is negative there;
    - write: the most negative write i * g on a b, over units and b's:
      {"unit", "ig", "i", "g"} (i and g at that unit and step).
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    text = task.example(n)
    ids = torch.as_tensor(task.encode(text[:-1]))[None]  # (1, T)
    x = nn.functional.one_hot(ids, task.vocab_size).to(model.readout.weight.dtype)
    tr = model.rnn.trace(x)
    f, i, g, c = (np.asarray(tr[q])[0] for q in "figc")  # (T, H) each
    t_x = text.index("X")
    negative = np.flatnonzero(f[t_x] < 0)
    flip = None
    if negative.size:
        u = int(negative[np.argmax(np.abs(c[t_x - 1, negative]))])
        flip = {"unit": u, "f": float(f[t_x, u]), "c_before": float(c[t_x - 1, u]),
                "c_at_x": float(c[t_x, u])}
    b_steps = np.arange(t_x + 1, len(text) - 1)  # the steps that read a b
    ig = i[b_steps] * g[b_steps]  # (n, H)
    t, u = np.unravel_index(int(np.argmin(ig)), ig.shape)
    write = {"unit": int(u), "ig": float(ig[t, u]), "i": float(i[b_steps[t], u]),
             "g": float(g[b_steps[t], u])}
    return {"flip": flip, "write": write}


@dataclass(frozen=True)
class ForgetBiasConfig:
    """Forget-gate bias at initialisation on long-gap recall: a first symbol,
    k in [k_min, k_max] distractors, "?", the first symbol again. One layer of
    ``hidden_size`` units, random batches, at most ``steps`` Adam steps, stopped
    once every validation text is recalled."""

    k_min: int = 1  # shortest gap
    k_max: int = 30  # longest gap
    hidden_size: int = 10  # units H
    steps: int = 1000  # at most this many Adam steps
    batch_size: int = 32  # random texts per step
    eval_every: int = 25  # steps between checks of the 256 validation texts
    seeds: tuple[int, ...] = (0, 1, 2)
    biases: tuple[float, ...] = (0.0, 1.0)  # b_f = b_if + b_hf at initialisation
    lr: float = 0.01  # Adam step size (constant)
    clip: float = 1.0  # max gradient norm


def forget_bias_experiment(config: ForgetBiasConfig = ForgetBiasConfig(),
                           progress: bool = False) -> list[dict[str, Any]]:
    """Train an LSTM on long-gap recall once per forget bias and seed.

    Row: bias, seed, solved (first step with all validation texts recalled,
    None if never within the budget), steps (trained), accuracy (recall of the
    validation texts at the end), curve (list of (step, validation accuracy)),
    f0 and f_end (mean forget gate over the validation texts before and after
    training).
    """
    from .tasks import LongGapTask
    from .train import TrainConfig, build_model, train

    task = LongGapTask(config.k_min, config.k_max)
    val = task.batch(task.validation_texts())
    rows = []
    for bias in config.biases:
        for seed in config.seeds:
            cfg = TrainConfig(kind="lstm", hidden_size=config.hidden_size,
                              seed=int(seed), steps=config.steps,
                              forget_bias=float(bias), full_batch=False,
                              batch_size=config.batch_size,
                              eval_every=config.eval_every, lr=config.lr,
                              clip=config.clip, schedule="constant",
                              hh_decay=0.0, loss_on="scored", stop_loss=math.inf)
            model = build_model(task, cfg)
            f0 = _mean_forget_gate(model, val)
            res = train(task, cfg, model=model, progress=progress)
            rows.append({
                "bias": float(bias), "seed": int(seed), "solved": res.solved_step,
                "steps": res.steps, "accuracy": res.accuracy.position,
                "curve": [(int(s), float(a)) for s, _, a in res.evals], "f0": f0,
                "f_end": _mean_forget_gate(res.model, val),
            })
    return rows


def _mean_forget_gate(model: Any, batch: Any) -> float:
    """Mean forget gate f over the real (unpadded) steps of a batch."""
    from .cells import SequenceModel

    tr = SequenceModel.from_torch(model).trace(batch.inputs)
    real = np.arange(batch.inputs.shape[1])[None, :] < batch.lengths[:, None]
    return float(tr.f[real].mean())


def summary_table(rows: Sequence[Mapping[str, Any]], group: str,
                  columns: Mapping[str, str], *, lowest: Sequence[str] = (),
                  digits: int = 2) -> str:
    """One line per value of ``group``. A column lists its per-seed values (in
    row order) and, in brackets, their median; a column named in ``lowest``
    gives only the lowest value over the seeds; a column whose values are all
    equal gives that value once. columns: {row key: heading}. None (a run that
    never got there) prints as "-" and counts as +inf in the median."""
    if not rows:
        raise ValueError("rows must hold at least one row")
    missing = [k for k in (group, *columns) if k not in rows[0]]
    if missing:
        raise ValueError(f"rows have no {missing}; they have {list(rows[0])}")

    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isinf(v)):
            return "-"
        if isinstance(v, float) and not v.is_integer():
            return f"{v:.{digits}f}"
        return f"{v:g}" if isinstance(v, float) else str(v)

    lines = []
    for g in dict.fromkeys(r[group] for r in rows):
        vals_by = {k: [r[k] for r in rows if r[group] == g] for k in columns}
        line = [fmt(g)]
        for k, vals in vals_by.items():
            numeric = all(v is None or isinstance(v, (int, float)) for v in vals)
            if k in lowest and numeric:
                line.append(fmt(min(math.inf if v is None else v for v in vals)))
            elif len(set(map(fmt, vals))) == 1:
                line.append(fmt(vals[0]))
            elif numeric:
                med = float(np.median([math.inf if v is None else v for v in vals]))
                line.append(" ".join(fmt(v) for v in vals) + f"  ({fmt(med)})")
            else:
                line.append(" ".join(fmt(v) for v in vals))
        lines.append(line)
    return text_table([group, *columns.values()], lines, align="<")


def forget_bias_figure(rows: Sequence[Mapping[str, Any]],
                       title: str | None = "long-gap recall while training"
                       ) -> go.Figure:
    """Validation recall against training step, one line per run, coloured by
    the forget-gate bias at initialisation (rows from forget_bias_experiment)."""
    palette = {0.0: "#999999", 1.0: gates.colour("f")}
    data, seen = [], set()
    for r in rows:
        steps, acc = zip(*r["curve"]) if r["curve"] else ((), ())
        colour = palette.get(r["bias"], "#1f77b4")
        name = f"forget bias {r['bias']:g}"
        data.append(go.Scatter(
            x=list(steps), y=style.rounded(acc), mode="lines", name=name, legendgroup=name,
            showlegend=name not in seen, line=dict(color=colour, width=2),
            hovertemplate=f"{name}, seed {r['seed']}: recall %{{y:.2f}} at step "
                          "%{x}<extra></extra>"))
        seen.add(name)
    return go.Figure(data=data, layout=style.base_layout(
        title=style.title_dict(title), height=380,
        xaxis=dict(title=dict(text="training step")),
        yaxis=dict(title=dict(text="recall of the first symbol"), range=[0, 1.05]),
        legend=dict(x=0.98, xanchor="right", y=0.05, yanchor="bottom"),
    ))
