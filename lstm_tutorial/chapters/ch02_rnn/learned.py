"""Chapter 2: the hand-set turnstile next to a trained one.

- ``rnn_weights``, ``weights_figure``: W, U, V of hand-set and learned RNNs;
- ``machine_states``, ``state_vectors``, ``state_table``: the memory vector in
  each state of the machine, hand-set vs learned.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from lstm_tutorial import handset, style
from lstm_tutorial.chapters.ch02_rnn.loop import as_model, short_number
from lstm_tutorial.chapters.ch02_rnn.turnstile import TURNSTILE_OUTPUTS
from lstm_tutorial.machines import all_strings

# ---------------------------------------------------------- hand-set vs learned


def rnn_weights(net: Any) -> dict[str, np.ndarray]:
    """The weights of a one-layer RNN with a readout, named as chapter 2 writes
    them: W (H, I), U (H, H), b (H,) (torch's two biases added), V (O, H),
    b_y (O,). net: a ``handset.HandSet`` or a ``cells.SequenceModel``."""
    model = as_model(net)[0]
    if model.cell.kind != "rnn" or model.cell.num_layers != 1:
        raise ValueError(f"rnn_weights needs a one-layer RNN, got {model.cell!r}")
    p = model.cell.params
    return {"W": p["weight_ih_l0"], "U": p["weight_hh_l0"],
            "b": p["bias_ih_l0"] + p["bias_hh_l0"], "V": model.readout.W.copy(),
            "b_y": model.readout.b.copy()}


def _weight_grid(w: Mapping[str, np.ndarray], inputs: Sequence[str],
                 outputs: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """One row per unit: [W | U | b | V^T], plus a last row holding b_y under the
    V columns (NaN elsewhere). Returns (grid (H + 1, I + H + 1 + O), columns)."""
    H = w["U"].shape[0]
    unit_rows = np.hstack([w["W"], w["U"], w["b"][:, None], w["V"].T])
    by_row = np.full(unit_rows.shape[1], np.nan)
    by_row[-len(outputs):] = w["b_y"]
    # two short lines per header: the columns are narrow on a page
    cols = ([f"W from<br>'{s}'" for s in inputs]
            + [f"U from<br>{k}" for k in range(H)] + ["b"]
            + [f"V to<br>{o}" for o in outputs])
    return np.vstack([unit_rows, by_row]), cols


def weights_figure(nets: Mapping[str, Any], *, inputs: Sequence[str] = ("c", "p"),
                   outputs: Sequence[str] = TURNSTILE_OUTPUTS,
                   unit_names: Mapping[str, Sequence[str]] | None = None,
                   title: str | None = None) -> go.Figure:
    """The weights of several one-layer RNNs, one panel each, stacked.

    A row per hidden unit: its weights from each input (W), from each unit at
    the step before (U), its bias b, and its weight into each output (V,
    transposed so it stays on the unit's row); the last row holds the output
    biases b_y. Values are printed in the cells. nets: {panel title: HandSet or
    SequenceModel}; unit_names: {panel title: names} (default: the HandSet's,
    else "unit k").
    """
    if not nets:
        raise ValueError("nets must hold at least one network")
    grids = {}
    for name, net in nets.items():
        w = rnn_weights(net)
        if w["W"].shape[1] != len(inputs) or w["V"].shape[0] != len(outputs):
            raise ValueError(f"{name}: expected {len(inputs)} inputs and "
                             f"{len(outputs)} outputs, got W {w['W'].shape}, "
                             f"V {w['V'].shape}")
        H = w["U"].shape[0]
        names = (unit_names or {}).get(name)
        if names is None:
            names = as_model(net)[2] if isinstance(net, handset.HandSet) else [
                f"unit {k}" for k in range(H)]
        grid, cols = _weight_grid(w, inputs, outputs)
        rows = [f"{k}: {n}" if not str(n).startswith("unit") else str(n)
                for k, n in enumerate(names)] + ["output bias b<sub>y</sub>"]
        grids[name] = (grid, cols, rows)
    m = max(float(np.nanmax(np.abs(g))) for g, _, _ in grids.values()) or 1.0
    row_px, gap_px = 34, 70
    total_rows = sum(len(r) for _, _, r in grids.values())
    plot_h = row_px * total_rows + gap_px * (len(grids) - 1)
    data, layout, top = [], {}, 1.0
    for k, (name, (grid, cols, rows)) in enumerate(grids.items()):
        ax = "" if k == 0 else str(k + 1)
        h = row_px * len(rows) / plot_h
        text = [["" if np.isnan(v) else short_number(v) for v in row] for row in grid]
        data.append(dict(
            type="heatmap", z=style.rounded(grid), text=text, texttemplate="%{text}",
            x=cols, y=rows, colorscale=style.DIVERGING, zmin=-1.5 * m, zmax=1.5 * m,
            showscale=False, xgap=2, ygap=2, xaxis=f"x{ax}", yaxis=f"y{ax}",
            textfont=dict(size=13),
            hovertemplate=f"{html.escape(name)}<br>%{{y}}, %{{x}}: %{{z:.3f}}"
                          "<extra></extra>"))
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", side="top", type="category",
                                    showgrid=False, fixedrange=True, ticks="",
                                    tickfont=dict(size=12))
        layout[f"yaxis{ax}"] = dict(domain=[round(max(top - h, 0), 6), round(top, 6)],
                                    anchor=f"x{ax}", autorange="reversed",
                                    type="category", showgrid=False, fixedrange=True,
                                    ticks="")
        layout.setdefault("annotations", []).append(dict(
            xref="paper", yref="paper", x=-0.01, y=top, yanchor="bottom",
            xanchor="right", text=f"<b>{html.escape(name)}</b>", showarrow=False,
            yshift=28, font=dict(size=14)))
        top -= h + gap_px / plot_h
    return go.Figure(data=data, layout=dict(
        template="none", font=style.FONT, height=plot_h + 90 + (40 if title else 0),
        plot_bgcolor="white", margin=dict(l=210, r=20, t=70 + (40 if title else 0),
                                          b=20),
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        hoverlabel=dict(font_size=13), **layout))


def machine_states(ids: np.ndarray) -> np.ndarray:
    """The two-coin turnstile's state (coins paid, 0..2) after each step of
    each row of ids (B, T) (0 = coin, 1 = push): (B, T) int."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.isin(ids, (0, 1)).all():
        raise ValueError(f"ids must be (B, T) of 0 (coin) and 1 (push), got "
                         f"shape {ids.shape}")
    s = np.zeros(ids.shape[0], dtype=np.int64)
    out = np.empty(ids.shape, dtype=np.int64)
    for t in range(ids.shape[1]):
        coin = ids[:, t] == 0
        s = np.where(coin, np.minimum(s + 1, 2), np.where(s == 2, 0, s))
        out[:, t] = s
    return out


STATE_CASES = (  # (label, machine state after the step, input, state before)
    ("0 coins, after a refused push", 0, 1, 0),
    ("0 coins, after walking through", 0, 1, 2),
    ("1 coin, after a coin", 1, 0, 0),
    ("1 coin, after a refused push", 1, 1, 1),
    ("2 coins, after a coin", 2, 0, None),
)


def state_vectors(net: Any, length: int = 10) -> dict[str, dict[str, np.ndarray]]:
    """The memory vectors a turnstile network uses for each machine state,
    split by how the state was reached (``STATE_CASES``), over every string of
    `length` inputs: {case: {"mean", "min", "max": (H,)}}."""
    model = as_model(net)[0]
    ids = all_strings(length)
    h = np.asarray(model.trace(ids).h)  # (B, T, H)
    s = machine_states(ids)
    before = np.hstack([np.zeros((len(ids), 1), dtype=np.int64), s[:, :-1]])
    out = {}
    for label, after, inp, prev in STATE_CASES:
        sel = (s == after) & (ids == inp)
        if prev is not None:
            sel &= before == prev
        v = h[sel]  # (N, H)
        out[label] = {"mean": v.mean(0), "min": v.min(0), "max": v.max(0)}
    return out


def _signs(lo: np.ndarray, hi: np.ndarray) -> str:
    """Per unit: + (always > 0), - (always < 0), 0 (always exactly 0), ? else."""
    return "".join("+" if a > 0 else "-" if b < 0 else "0" if a == b == 0 else "?"
                   for a, b in zip(lo, hi))


def state_table(net: Any, length: int = 10) -> str:
    """``state_vectors`` as lines of text, one per case of ``STATE_CASES``:
    the mean memory vector and the sign pattern of its units (+ or - when a
    unit has that sign in every vector of the case, 0 when it is exactly 0
    throughout, ? when it varies)."""
    lines = []
    for case, v in state_vectors(net, length).items():
        mean = " ".join(f"{x:5.2f}" for x in v["mean"])
        lines.append(f"  {case:32} mean [{mean}]  signs {_signs(v['min'], v['max'])}")
    return "\n".join(lines)
