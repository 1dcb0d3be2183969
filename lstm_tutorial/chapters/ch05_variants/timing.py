"""Where peepholes should matter: timing an interval (Gers et al. 2002).

``tasks.IntervalTask``: "A" + "-"*k + "B" + "-"*k + "!", the mark exactly k
steps after the cue B. ``interval_exact`` checks a trained model on intervals
longer than it was trained on; ``scripts/ch05_timing.py`` runs it for the plain
and the peephole LSTM over several seeds, and ``by_interval_figure`` draws the
fraction of seeds exact at each interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import plotly.graph_objects as go

from lstm_tutorial import style
from lstm_tutorial.tasks import IntervalTask
from lstm_tutorial.train import generate

__all__ = ["interval_exact", "limit_of", "by_interval_figure"]


def interval_exact(model: Any, task: IntervalTask, ks: Iterable[int]
                   ) -> dict[int, bool]:
    """For each k: does greedy generation after "A" + "-"*k + "B" write exactly
    "-"*k + "!"? (``train.generate``, all prompts in one batch.)"""
    ks = [int(k) for k in ks]
    if not ks or min(ks) < 1:
        raise ValueError(f"ks must be intervals >= 1, got {ks}")
    prompts = [task.split(task.example(k))[0] for k in ks]
    got = generate(model, task, prompts, max_new=max(ks) + 2, stop="!")
    return {k: g == "-" * k + "!" for k, g in zip(ks, got)}


def limit_of(exact: Mapping[int, bool]) -> int:
    """The largest K such that every interval k = 1..K is exact (0 if k = 1
    is not)."""
    limit = 0
    while exact.get(limit + 1, False):
        limit += 1
    return limit


def by_interval_figure(results: Mapping[str, Any], title: str | None = None
                       ) -> go.Figure:
    """Fraction of seeds exact at each interval k, one line per kind and
    recipe (``results``: the loaded ch05_timing.json); the training range
    shaded."""
    ks = results["test_ks"]
    k_max = results["task"]["k_max"]
    fig = go.Figure()
    dashes = {"lstm": "solid", "peephole": "dot"}
    names = {"lstm": "LSTM", "peephole": "peephole LSTM"}
    for key, frac in results["by_interval"].items():
        kind, _, bias = key.split()  # "lstm fb 20"
        fig.add_trace(go.Scatter(
            x=ks, y=frac, mode="lines+markers",
            name=f"{names.get(kind, kind)}, forget bias {bias}",
            line={"dash": dashes.get(kind, "solid")},
            hovertemplate="k = %{x}: %{y:.0%} of seeds exact<extra>%{fullData.name}"
                          "</extra>"))
    fig.add_vrect(x0=0.5, x1=k_max + 0.5, fillcolor="#888", opacity=0.12,
                  line_width=0, annotation_text="trained",
                  annotation_position="bottom left")
    fig.update_layout(**style.base_layout(height=360),
                      title=style.title_dict(title),
                      xaxis_title="interval k (steps between the cues, and to wait)",
                      yaxis_title="fraction of seeds exact",
                      yaxis_range=[-0.05, 1.05])
    return fig
