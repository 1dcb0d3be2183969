"""Can a GRU count? The hand-set counters' float limits and the trained ones' units.

A GRU's state is a mix of its old state and a tanh, so it stays in [-1, 1]; an
LSTM's cell state adds without bound. ``gru_stall`` finds where the hand-set
GRU counter (``handset.counter_gru``) stops moving in floating point.
``counting_units`` and ``counters`` find, in a trained model, the units that
count up on a and back down on b; ``scripts/ch05_counting.py`` records them for
every seed, and the chapter reads them to say why a seed stops early.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch

from lstm_tutorial import cells, style, viz
from lstm_tutorial.handnet import HandSet
from lstm_tutorial.printing import text_table
from lstm_tutorial.tasks import CountingTask

__all__ = [
    "gru_stall",
    "exact_at",
    "counting_units",
    "counters",
    "limits_table",
    "limits_figure",
    "creep_figure",
    "step_through",
]

KIND_NAMES = {"lstm": "LSTM", "gru": "GRU", "peephole": "peephole LSTM",
              "cifg": "CIFG", "rnn_relu": "ReLU RNN", "rnn": "tanh RNN",
              "merged": "merged (h = c)", "nig": "no input gate",
              "nfg": "no forget gate", "nog": "no output gate",
              "niaf": "no input act.", "noaf": "no output act."}


def _model(net: HandSet, dtype: Any) -> cells.SequenceModel:
    """The HandSet's numpy model with its weights cast to ``dtype``."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    cell = type(net.cell)({k: v.astype(dtype) for k, v in net.params.items()})
    readout = cells.Dense(*(net.readout[k].astype(dtype) for k in ("weight", "bias")))
    return cells.SequenceModel(cell, readout)


def gru_stall(net: HandSet, dtype: Any = np.float64, unit: str = "a's",
              token: str = "a", cap: int = 10**6) -> int:
    """The last k at which ``unit`` of the HandSet ``net`` still moved while it
    read ``token`` k times (its numpy cell, in ``dtype``): from then on the unit
    reads the same for every k. ``cap`` if it still moves at k = cap."""
    model, u, token_id = _model(net, dtype), net.unit(unit), net.encode(token)[0]
    h_n = c_n = None
    chunk = 1024  # doubles every round: few rounds, little past the stall
    last, k0 = 0.0, 0  # the unit starts at h = 0
    while k0 < cap:
        tr = model.trace(np.full(chunk, token_id), h_n, c_n)
        h = np.concatenate([[last], tr.h[:, u]])  # (chunk + 1,)
        still = np.flatnonzero(h[1:] == h[:-1])
        if still.size:
            return min(k0 + int(still[0]), cap)
        k0, last, h_n, c_n = k0 + chunk, h[-1], tr.h_n, tr.c_n
        chunk *= 2
    return cap


def exact_at(net: HandSet, n: int, dtype: Any = np.float64) -> bool:
    """Does the counter ``net``, fed a^n X, write exactly b^n and "." (its numpy
    model in ``dtype``)? Checked teacher-forced on a^n X b^n: greedy writing
    feeds back its own choices, so it writes b^n . exactly when every choice
    after X matches the true text."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    logits = _model(net, dtype).trace(net.encode("a" * n + "X" + "b" * n)).logits
    wrote = "".join(net.outputs[k] for k in logits[n:].argmax(axis=-1))
    return wrote == "b" * n + "."


def counting_units(model: Any, task: CountingTask = CountingTask(),
                   n: int = 50) -> list[dict[str, float]]:
    """Per unit of a trained CharModel's top layer: the R^2 and slope of its
    state (c for the LSTMs, h otherwise), teacher-forced on a^n X b^n, against
    the a's read (a phase, after a^k, k = 1..n) and against the b's still due
    (b phase, after a^n X b^k, k = 0..n-1)."""
    ids = torch.from_numpy(task.encode(task.example(n)))[None, :]  # (1, 2n+2)
    states = []
    with torch.no_grad():
        state = None
        for t in range(ids.shape[1]):
            _, state = model(ids[:, t:t + 1], state)
            s = state[1] if isinstance(state, tuple) else state  # (L, 1, H)
            states.append(s[-1, 0].double().numpy().copy())
    S = np.array(states)  # (2n+2, H): after reading character t
    phases = (("a", S[:n], np.arange(1, n + 1)),  # after a^1 .. a^n
              ("b", S[n:2 * n], np.arange(n, 0, -1)))  # X (n due) .. b^(n-1)
    out = []
    for u in range(S.shape[1]):
        row = {}
        for name, ys, xs in ((p, s[:, u], x) for p, s, x in phases):
            slope, icpt = np.polyfit(xs, ys, 1)
            ss = float(((ys - ys.mean()) ** 2).sum())
            res = float(((ys - (slope * xs + icpt)) ** 2).sum())
            row[f"r2_{name}"] = round(1 - res / ss, 6) if ss > 0 else 0.0
            row[f"slope_{name}"] = round(float(slope), 6)
        out.append(row)
    return out


def counters(units: Sequence[dict[str, float]], r2: float = 0.99) -> list[dict]:
    """The units that count up on a and back down on b: linear in both phases
    (R^2 > r2) with slopes of one sign against the a's read and the b's due (a
    unit whose slopes differ in sign moves one way all along: a clock).
    mismatch = slope_b / slope_a - 1: 0 for an exact counter; after N a's and
    N b's it is off by about N * mismatch * slope_a."""
    out = []
    for j, u in enumerate(units):
        if min(u["r2_a"], u["r2_b"]) > r2 and u["slope_a"] * u["slope_b"] > 0:
            out.append({"unit": j, "slope_a": u["slope_a"], "slope_b": u["slope_b"],
                        "mismatch": round(u["slope_b"] / u["slope_a"] - 1, 4)})
    return out


def _recipe(cfg: Mapping[str, Any]) -> str:
    """A recipe as the tables print it."""
    if cfg.get("forget_bias") is not None:
        gate = "update-gate" if cfg.get("kind") == "gru" else "forget"
        start = f"{gate} bias {cfg['forget_bias']:g}"
    else:
        start = "W_hh = I" if cfg.get("hh_init") == "identity" else "torch init"
    decay = f", W_hh decay {cfg['hh_decay']:g}" if cfg.get("hh_decay") else ""
    return f"lr {cfg['lr']:g}, {start}, stop {cfg['stop_loss']:g}{decay}"


def limits_table(results: Mapping[str, Any], kinds: Sequence[str]) -> str:
    """Per kind: the chosen recipe, every seed's generalisation limit, the
    median and the worst (``results``: the loaded ch05_counting.json)."""
    seeds = results["seeds"]
    head = ["kind"] + [f"s{s}" for s in seeds] + ["median", "worst"]
    rows = []
    for k in kinds:
        if k not in results["runs"]:
            raise ValueError(f"the counting results hold no kind {k!r}; they "
                             f"hold {sorted(results['runs'])}")
        lims = [r["limit"] for r in results["runs"][k]]
        rows.append([KIND_NAMES.get(k, k)] + [str(v) for v in lims]
                    + [f"{statistics.median(lims):g}", str(min(lims))])
    recipes = [f"{KIND_NAMES.get(k, k)}: {_recipe(results['recipes'][k])}"
               for k in kinds]
    return (text_table(head, rows, align="<" + ">" * (len(head) - 1))
            + "\n\nrecipes (chosen by the search):\n  " + "\n  ".join(recipes))


def limits_figure(runs: Mapping[str, Sequence[Mapping[str, Any]]],
                  n_max: int, n_cap: int, title: str | None = None) -> go.Figure:
    """Every seed's generalisation limit, a column of dots per kind (log
    scale; a limit of 0 is drawn at 0.5), the median as a bar; the training
    range and ten times it as lines."""
    fig = go.Figure()
    names = [KIND_NAMES.get(k, k) for k in runs]
    meds = [statistics.median(r["limit"] for r in rows) for rows in runs.values()]
    fig.add_trace(go.Bar(x=names, y=[max(m, 0.5) for m in meds], name="median",
                         marker_color="rgba(31,119,180,0.25)",
                         hovertemplate="%{x}: median %{customdata}<extra></extra>",
                         customdata=meds))
    for name, rows in zip(names, runs.values()):
        fig.add_trace(go.Scatter(
            x=[name] * len(rows), y=[max(r["limit"], 0.5) for r in rows],
            mode="markers", showlegend=False, marker={"size": 8, "color": "#1f77b4"},
            customdata=[[r["seed"], r["limit"]] for r in rows],
            hovertemplate="%{x}, seed %{customdata[0]}: counts to "
                          "%{customdata[1]}<extra></extra>"))
    for y, text in ((n_max, "training range"), (10 * n_max, "10x the range")):
        fig.add_hline(y=y, line_dash="dot", line_color="#888")
        fig.add_annotation(x=1, xref="paper", xanchor="right", yanchor="bottom",
                           y=math.log10(y), text=text, showarrow=False)  # log axis
    ticks = [v for v in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
             if v <= n_cap]
    fig.update_layout(**style.base_layout(height=400), title=style.title_dict(title),
                      yaxis={"type": "log", "range": [-0.4, math.log10(n_cap) + 0.1],
                             "tickvals": [0.5, *ticks],
                             "ticktext": ["0", *map(str, ticks)],
                             "title": {"text": "counts correctly up to N"}},
                      showlegend=False, bargap=0.5)
    return fig


def creep_figure(p: float, stalls: Mapping[str, int], k_max: int,
                 title: str | None = None) -> go.Figure:
    """What one more a adds to the count, against the a's read so far: 1 for
    the LSTM's cell, (1 - z) z^k for the GRU counter's unit (z = sigma(p)),
    with the threshold below which a step near 1 rounds away (half the float
    spacing just below 1: eps / 4) of float32 and float64, and the measured
    stalls (``stalls``: {"float32": k, "float64": k})."""
    k = np.unique(np.geomspace(1, k_max, 400).astype(int))
    z = 1 / (1 + math.exp(-p))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=k, y=np.ones(len(k)), name="LSTM cell: +1 per a",
                             line={"color": "#2ca02c"}))
    fig.add_trace(go.Scatter(x=k, y=(1 - z) * z ** k, line={"color": "#d62728"},
                             name=f"GRU unit: (1 - z) z^k, z = sigma({p:g})"))
    for (name, s), dash in zip(stalls.items(), ("dash", "dot")):
        eps = float(np.finfo(name).eps)
        fig.add_hline(y=eps / 4, line_dash=dash, line_color="#888")
        fig.add_vline(x=s, line_dash=dash, line_color="#d62728")
        # annotations on log axes take log10 coordinates
        fig.add_annotation(x=0, xref="paper", xanchor="left", yanchor="bottom",
                           y=math.log10(eps / 4), showarrow=False,
                           text=f"{name}: a step below this rounds away near 1")
        fig.add_annotation(x=math.log10(s), xanchor="right", y=1, yref="paper",
                           yanchor="top", showarrow=False,
                           text=f"{name} stall<br>k = {s:,}")
    fig.update_layout(**style.base_layout(height=400), title=style.title_dict(title),
                      xaxis={"type": "log", "title": {"text": "a's read so far, k"}},
                      yaxis={"type": "log", "exponentformat": "power",
                             "title": {"text": "what the next a adds"}},
                      legend={"x": 0.01, "y": 0.02, "yanchor": "bottom"})
    return fig


def step_through(trace: Any, tokens: str, title: str | None = None) -> go.Figure:
    """``viz.step_through`` with the colour bars' titles turned along the bars,
    clear of their top tick labels."""
    fig = viz.step_through(trace, tokens, title=title)
    for d in fig.data:
        if d.type == "heatmap" and getattr(d, "showscale", None) is not False:
            d.colorbar.title.side = "right"
    return fig
