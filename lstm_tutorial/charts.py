"""Charts of numbers rather than of traces: training curves, lines, bars, tables.

Each builder returns a ``go.Figure`` in the book's style (:mod:`lstm_tutorial.style`)
and is re-exported by :mod:`lstm_tutorial.viz`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from .style import base_layout, rounded, title_dict

__all__ = ["training_curves", "line_chart", "compare_bars", "table_figure"]


def _columns(history: Any) -> dict[str, list[float]]:
    """Records [{metric: value}, ...] or {metric: values} -> {metric: values}."""
    if isinstance(history, Mapping):
        return {str(k): list(v) for k, v in history.items()}
    records = list(history)
    if not all(isinstance(r, Mapping) for r in records):
        raise ValueError("history must be {metric: values}, a list of {metric: value} "
                         "records, or {run: {metric: values}}")
    keys = list(dict.fromkeys(k for r in records for k in r))
    return {k: [r.get(k, np.nan) for r in records] for k in keys}


def training_curves(
    history: Any,
    *,
    x: str | None = None,
    log_y: bool | Sequence[str] = False,
    title: str | None = "training",
) -> go.Figure:
    """Training curves: one panel per metric, one line per run.

    history: {metric: values}, a list of {metric: value} records, or
    {run: <one of those>} to compare runs. x: the metric to use as the x axis
    (default "step" or "epoch" when present, else the record index). log_y:
    True, or the metrics to draw on a log axis (e.g. ["loss"]).
    """
    if isinstance(history, Mapping) and history and all(
        isinstance(v, Mapping) or (isinstance(v, Sequence) and v and
                                   isinstance(v[0], Mapping))
        for v in history.values()
    ):
        runs = {str(k): _columns(v) for k, v in history.items()}
    else:
        runs = {"": _columns(history)}
    some = next(iter(runs.values()))
    if x is None:
        x = next((k for k in ("step", "epoch") if k in some), None)
    metrics = list(dict.fromkeys(m for r in runs.values() for m in r if m != x))
    if not metrics:
        raise ValueError("history holds no metric to plot")
    logs = set(metrics if log_y is True else () if log_y is False else log_y)
    n, gap = len(metrics), 0.08
    h = (1 - gap * (n - 1)) / n
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    layout = base_layout(title=title_dict(title), height=120 + 220 * n,
                     legend=dict(orientation="h", y=-0.08))
    data = []
    for k, m in enumerate(metrics):
        ax = "" if k == 0 else str(k + 1)
        top = 1 - k * (h + gap)
        domain = [max(round(top - h, 6), 0.0), min(round(top, 6), 1.0)]
        layout[f"yaxis{ax}"] = dict(domain=domain, title=dict(text=m),
                                    type="log" if m in logs else "linear",
                                    anchor=f"x{ax}")
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", matches=None if k == 0 else "x",
                                    showticklabels=k == n - 1,
                                    title=dict(text=x or "step") if k == n - 1
                                    else None)
        for j, (run, cols) in enumerate(runs.items()):
            if m not in cols:
                continue
            ys = cols[m]
            xs = cols[x] if x in cols else list(range(len(ys)))
            data.append(go.Scatter(
                x=rounded(xs), y=rounded(ys), mode="lines", name=run or m,
                legendgroup=run,
                showlegend=bool(run) and k == 0, xaxis=f"x{ax}", yaxis=f"y{ax}",
                line=dict(color=palette[j % len(palette)], width=2),
                hovertemplate=f"{run + ': ' if run else ''}{m} = %{{y:.4g}} at "
                              f"{x or 'step'} %{{x}}<extra></extra>",
            ))
    return go.Figure(data=data, layout=layout)


def line_chart(
    series: Mapping[str, Sequence[float]],
    x: Sequence[float],
    *,
    xlabel: str = "",
    ylabel: str = "",
    log_y: bool = False,
    title: str | None = None,
) -> go.Figure:
    """Lines over a shared x, one per entry of ``series`` (e.g. accuracy vs gap k
    for an RNN and an LSTM)."""
    xs = list(x)
    data = []
    for name, ys in series.items():
        if len(ys) != len(xs):
            raise ValueError(
                f"series {name!r} has {len(ys)} values for {len(xs)} x values")
        data.append(go.Scatter(x=rounded(xs), y=rounded(ys), name=str(name),
                               mode="lines+markers",
                               hovertemplate=f"{name}: %{{y:.4g}} at {xlabel or 'x'} "
                                             "%{x}<extra></extra>"))
    return go.Figure(data=data, layout=base_layout(
        title=title_dict(title), height=420,
        xaxis=dict(title=dict(text=xlabel)),
        yaxis=dict(title=dict(text=ylabel), type="log" if log_y else "linear"),
    ))


def compare_bars(
    results: Mapping[str, Mapping[str, float]],
    *,
    ylabel: str = "",
    title: str | None = None,
    number_format: str = ".2f",
) -> go.Figure:
    """Grouped bars: ``results[series][group]``, e.g. {model: {task: accuracy}}.
    Each bar prints its value."""
    groups = list(dict.fromkeys(g for r in results.values() for g in r))
    data = [
        go.Bar(name=str(s), x=groups, y=rounded([r.get(g, np.nan) for g in groups]),
               text=[format(r[g], number_format) if g in r else "" for g in groups],
               textposition="outside",
               hovertemplate=f"{s}, %{{x}}: %{{y}}<extra></extra>")
        for s, r in results.items()
    ]
    return go.Figure(data=data, layout=base_layout(
        title=title_dict(title), barmode="group", height=420,
        yaxis=dict(title=dict(text=ylabel)),
    ))


def table_figure(
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
    *,
    columns: Sequence[str] | None = None,
    digits: int = 3,
    title: str | None = None,
) -> go.Figure:
    """A comparison table as a figure: rows as records or {column: values}.
    Floats are printed with ``digits`` significant digits."""
    cols = _columns(rows)
    names = list(columns) if columns is not None else list(cols)
    missing = [c for c in names if c not in cols]
    if missing:
        raise ValueError(f"columns {missing} are not in the table (has {list(cols)})")

    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return "" if np.isnan(v) else f"{v:.{digits}g}"
        return str(v)

    n = max((len(cols[c]) for c in names), default=0)
    return go.Figure(
        go.Table(
            header=dict(values=[f"<b>{html.escape(c)}</b>" for c in names],
                        fill_color="rgb(235,235,235)", align="left"),
            cells=dict(values=[[cell(v) for v in cols[c]] for c in names],
                       align="left", fill_color="white", line_color="rgb(220,220,220)"),
        ),
        layout=base_layout(title=title_dict(title), height=100 + 28 * (n + 1),
                       margin=dict(l=10, r=10, t=50 if title else 10, b=10)),
    )
