"""Chapter 3: the LSTM cell drawn (plotly shapes and annotations, so they draw
offline).

- ``four_networks_figure()``: the cell as four small networks, Learn, Forget,
  Combine and Use, passing long-term memory c and working memory h along.
- ``lstm_cell_figure(trace=None, tokens=None, unit_names=None)``: the standard
  cell diagram with the four networks as coloured regions. Given a trace, a
  plotly slider steps through the words and every gate and state of the chosen
  unit (buttons) shows its value.
- ``word_step_through``, ``start_at``: the book's step-through over a sentence,
  opened at a chosen word.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from lstm_tutorial import diagrams as dg
from lstm_tutorial import gates, style, viz

NETWORK_COLOURS = {
    "Forget": gates.colour("f"),  # orange, forget gate f
    "Learn": gates.colour("i"),  # green, input gate i (with the candidate g)
    "Combine": gates.colour("c"),  # blue, cell state c
    "Use": gates.colour("o"),  # purple, output gate o
}


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
        shapes.append(dg.rounded_box(x0, y0, x1, y1, fillcolor=dg.rgba(C[name], 0.13),
                           line=dict(color=C[name], width=2)))
        notes.append(dg.label((x0 + x1) / 2, y1 - 0.36, f"<b>{name.upper()}</b>",
                            size=15, colour=C[name]))
        notes.append(dg.label((x0 + x1) / 2, (y0 + y1) / 2 - 0.3, text, size=13))
    cl, hl = NETWORK_COLOURS["Combine"], gates.colour("h")
    # inputs on the left, outputs on the right
    notes += [
        dg.label(0.0, 5.8, f"<b>{sub['c0']}</b><br>long-term<br>memory", 13, cl,
               anchor="left"),
        dg.label(0.0, 3.2, f"<b>{sub['h0']}</b><br>working<br>memory", 13, hl,
               anchor="left"),
        dg.label(0.0, 0.55, f"<b>{sub['x']}</b> event", 13, anchor="left"),
        dg.label(14.2, 5.8, f"<b>{sub['c']}</b><br>long-term<br>memory", 13, cl,
               anchor="right"),
        dg.label(14.2, 2.5, f"<b>{sub['h']}</b><br>working<br>memory", 13, hl,
               anchor="right"),
    ]
    # the long-term memory: c_{t-1} -> Forget -> Combine -> c_t (thick, blue)
    notes += [dg.arrow((1.35, 5.8), (xl[0], 5.8), cl, 3),
              dg.arrow((xl[1], 5.8), (xr[0], 5.8), cl, 3),
              dg.arrow((xr[1], 5.8), (12.95, 5.8), cl, 3)]
    # Learn's proposal goes up into Combine (a horizontal arrow head);
    # Combine's c_t goes down into Use
    x_up = (xl[1] + xr[0]) / 2
    shapes.append(dg.polyline([(xl[1], 2.5), (x_up, 2.5), (x_up, 5.2)], C["Learn"]))
    notes.append(dg.arrow((x_up, 5.2), (xr[0], 5.2), C["Learn"]))
    x_c = (xr[0] + xr[1]) / 2
    notes.append(dg.arrow((x_c, 4.7), (x_c, 3.7), cl, 2))
    notes.append(dg.label(x_c + 0.12, 4.2, "c<sub>t</sub>", size=13, colour=cl,
                        anchor="left"))
    # the working memory and the event feed Forget, Learn and Use
    x_bus, grey = 1.9, "#444"
    shapes += [
        dg.polyline([(1.2, 3.2), (x_bus, 3.2)], hl),
        dg.polyline([(1.05, 0.55), (x_bus, 0.55)], grey),
        dg.polyline([(x_bus, 0.55), (x_bus, 5.3)], grey),
        dg.polyline([(x_bus, 0.55), (7.9, 0.55), (7.9, 2.0)], grey),
    ]
    notes += [dg.arrow((x_bus, 5.3), (xl[0], 5.3), grey),
              dg.arrow((x_bus, 2.5), (xl[0], 2.5), grey),
              dg.arrow((7.9, 2.0), (xr[0], 2.0), grey),
              dg.arrow((xr[1], 2.5), (12.95, 2.5), hl, 3),
              dg.label(2.05, 0.85, "[h<sub>t−1</sub>, x<sub>t</sub>]", size=12,
                     colour=grey, anchor="left")]
    fig = go.Figure(layout=dg.frame(440, (-0.1, 14.3), (0.0, 7.2), title))
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
    shapes = [dg.rounded_box(1.3, 0.9, 11.1, 7.35, r=0.3, fillcolor="rgb(250,250,250)",
                   line=dict(color="#bbb", width=1.5))]
    notes = []
    for name, (x0, y0, x1, y1) in _REGIONS.items():
        shapes.append(dg.rounded_box(
            x0, y0, x1, y1, r=0.15, fillcolor=dg.rgba(C[name], 0.12),
            line=dict(color=dg.rgba(C[name], 0.7), width=1, dash="dot")))
    notes += [
        dg.label(3.0, 6.86, "<b>FORGET</b>", 11, C["Forget"]),
        dg.label(5.2, 6.86, "<b>COMBINE</b>", 11, C["Combine"]),
        dg.label(4.2, 5.12, "<b>LEARN</b>", 11, C["Learn"], anchor="left"),
        dg.label(7.35, 5.5, "<b>USE</b>", 11, C["Use"], anchor="left"),
    ]
    xf, xi, xg, xo = (_GATE_X[k] for k in "figo")
    # the cell state line, c_{t-1} -> c_t
    shapes.append(dg.polyline([(_CHIPS["c_prev"][0], _Y_C), (_CHIPS["c"][0], _Y_C)],
                            C["Combine"], 3))
    # the bus [h_{t-1}, x_t] into the four layers
    shapes += [dg.polyline([(_CHIPS["h_prev"][0], _Y_BUS), (xo, _Y_BUS)]),
               dg.polyline([(1.9, 0.1), (1.9, _Y_BUS)])]
    for x in (xf, xi, xg, xo):
        shapes.append(dg.polyline([(x, _Y_BUS), (x, _Y_GATE)]))
    # f -> x on the cell line; i, g -> x -> + on the cell line
    shapes += [dg.polyline([(xf, _Y_GATE), (xf, _Y_C)]),
               dg.polyline([(xi, _Y_GATE), (xi, _Y_IG), (xg, _Y_IG)]),
               dg.polyline([(xg, _Y_GATE), (xg, _Y_C)])]
    notes += [dg.arrow((xf, _Y_C - 0.7), (xf, _Y_C - 0.25)),
              dg.arrow((xg, _Y_C - 0.7), (xg, _Y_C - 0.25)),
              dg.arrow((xg - 0.8, _Y_IG), (xg - 0.25, _Y_IG)),
              dg.arrow((xg, _Y_IG - 0.9), (xg, _Y_IG - 0.25))]
    # output path: c_t -> tanh -> x with o -> h_t
    shapes += [dg.polyline([(_X_OUT, _Y_C), (_X_OUT, _Y_GATE)]),
               dg.polyline([(xo, _Y_GATE), (_X_OUT, _Y_GATE)]),
               dg.polyline([(_X_OUT, _Y_GATE), (_CHIPS["h"][0], _Y_GATE)],
                         gates.colour("h"), 2)]
    notes.append(dg.arrow((_X_OUT - 0.8, _Y_GATE), (_X_OUT - 0.25, _Y_GATE)))
    notes += [dg.arrow((_X_OUT, _Y_C - 0.2), (_X_OUT, 5.35)),
              dg.arrow((_X_OUT, 4.85), (_X_OUT, _Y_GATE + 0.25)),
              dg.arrow((_CHIPS["h"][0] - 1.2, _Y_GATE), (_CHIPS["h"][0] - 0.4, _Y_GATE),
                     gates.colour("h")),
              dg.arrow((_CHIPS["c"][0] - 1.2, _Y_C), (_CHIPS["c"][0] - 0.4, _Y_C),
                     C["Combine"], 3)]
    # the pointwise operations: x, +, tanh
    for x, y, op in ((xf, _Y_C, "×"), (xg, _Y_C, "+"), (xg, _Y_IG, "×"),
                     (_X_OUT, _Y_GATE, "×")):
        shapes.append(dict(type="circle", x0=x - 0.25, y0=y - 0.25, x1=x + 0.25,
                           y1=y + 0.25, fillcolor="white", line=dict(color=dg.LINE),
                           layer="below"))
        notes.append(dg.label(x, y, f"<b>{op}</b>", 14))
    shapes.append(dict(type="circle", x0=_X_OUT - 0.42, y0=5.1 - 0.24,
                       x1=_X_OUT + 0.42, y1=5.1 + 0.24, fillcolor="white",
                       line=dict(color=dg.LINE), layer="below"))
    notes.append(dg.label(_X_OUT, 5.1, "tanh", 11))
    # gate names, right of each layer's upward line
    for k, x in _GATE_X.items():
        notes.append(dg.label(x + 0.12, _Y_GATE + 0.62, gates.short_label(k), 11,
                              "#333", anchor="left"))
    # the states' names at the chips
    hl, cl = gates.colour("h"), C["Combine"]
    notes += [
        dg.label(_CHIPS["c_prev"][0], _Y_C + 0.62, "<b>c<sub>t−1</sub></b>", 12, cl),
        dg.label(_CHIPS["c_prev"][0], _Y_C - 0.75, "long-term", 9, "#666"),
        dg.label(_CHIPS["h_prev"][0], _Y_BUS + 0.62, "<b>h<sub>t−1</sub></b>", 12, hl),
        dg.label(_CHIPS["h_prev"][0], _Y_BUS - 0.75, "working", 9, "#666"),
        dg.label(_CHIPS["c"][0], _Y_C + 0.62, "<b>c<sub>t</sub></b>", 12, cl),
        dg.label(_CHIPS["c"][0], _Y_C - 0.75, "long-term", 9, "#666"),
        dg.label(_CHIPS["h"][0], _Y_GATE + 0.62, "<b>h<sub>t</sub></b>", 12, hl),
        dg.label(_CHIPS["h"][0], _Y_GATE - 0.75, "working", 9, "#666"),
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
    fig = go.Figure(layout=dg.frame(520 if trace is not None else 440,
                                  (-0.2, 13.2), (-0.6, 7.6),
                                  title if title is not None else
                                  "the standard LSTM cell, four networks shaded"))
    if trace is None:
        xs, ys = zip(*(_point_xy(p) for p in _POINTS))
        texts = [_GATE_FN[p] if p in _GATE_FN else "" for p in _POINTS]
        fill = [dg.tint(NETWORK_COLOURS[n], 0.35) for n in
                ("Forget", "Learn", "Learn", "Use")] + ["white"] * 4
        fig.add_scatter(x=xs, y=ys, mode="markers+text", text=texts,
                        marker=dict(symbol=["square"] * 4 + ["circle"] * 4, size=40,
                                    color=fill, line=dict(color="#333", width=1.5)),
                        textfont=dict(size=13), hoverinfo="skip")
        notes.append(dg.label(1.9, -0.3, "<b>x<sub>t</sub></b> input", 12,
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
