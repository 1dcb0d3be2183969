"""Chapter 3: gates forced by hand, and what the cell does then.

- ``gated_memory``: a one-unit memory with or without its input and forget gates;
- ``weight_lines``: rows of a hand-set weight table as wrapped text;
- ``cell_vs_hidden_figure``: c, o and h = o * tanh(c) of every unit, stacked;
- ``what_if`` forces gates of a hand-set network and re-runs it;
  ``what_if_figure`` compares scenarios with plotly buttons; ``SentenceWhatIf``
  is the live control (type a sentence, force a gate).
"""

from __future__ import annotations

import dataclasses
import html
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np
import plotly.graph_objects as go

from lstm_tutorial import cells, gates, style, viz
from lstm_tutorial.cells import Override
from lstm_tutorial.widgets import StepThrough

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
        go.Heatmap(z=style.rounded(traces[first].c.T), x=list(range(T)), y=names,
                   xgap=2, ygap=2, texttemplate="%{z:.2f}", textfont=dict(size=9),
                   customdata=[toks] * net.hidden_size,
                   hovertemplate="%{y}, '%{customdata}'<br>cell state c = %{z:.3f}"
                                 "<extra></extra>", **colours),
        go.Bar(x=words, y=style.rounded(scores[first][shown_out]), xaxis="x2",
               yaxis="y2",
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
                                   "y": [names,
                                         style.rounded(scores[label][shown_out])],
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
