"""The LSTM's family in miniature, after Greff et al. (2017).

``scripts/ch05_family.py`` trains every kind (the LSTM, its variants, the GRU
and the two RNNs) on each of the book's tasks, three seeds each, with one
recipe and one hidden size, and ships what it measured. Here: the table and the
figure of those results, and ``step_times``, which times a training step of
each kind on this machine (live, so the page's numbers are this run's).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F

from lstm_tutorial import style
from lstm_tutorial.printing import text_table
from lstm_tutorial.tasks import Task
from lstm_tutorial.train import TrainConfig, build_model

__all__ = ["TASK_NAMES", "SHORT_TASK_NAMES", "beyond", "family_table",
           "family_figure", "step_times"]

TASK_NAMES = {"counting": "counting", "noisy_counting": "noisy counting",
              "remember": "remember", "copy": "copy", "long_gap": "long-gap recall"}
SHORT_TASK_NAMES = {"counting": "count", "noisy_counting": "noisy",
                    "remember": "remember", "copy": "copy", "long_gap": "recall"}


def beyond(row: Mapping[str, Any]) -> str:
    """What a cell of the grid did beyond its training range, as printed: the
    counting limit N, the fraction of longer-gap texts right, or "" (copy)."""
    if "limit" in row:
        return f"{row['limit']:g}"
    if "longer_sequence" in row:
        return f"{row['longer_sequence']:.2f}"
    return ""


def _cells(results: Mapping[str, Any], kinds: Sequence[str]
           ) -> tuple[list[str], list[str]]:
    tasks = list(results["medians"])
    for t in tasks:
        missing = [k for k in kinds if k not in results["medians"][t]]
        if missing:
            raise ValueError(f"the results hold no {missing} for task {t!r}")
    return tasks, list(kinds)


def family_table(results: Mapping[str, Any], kinds: Sequence[str],
                 names: Mapping[str, str]) -> str:
    """Per kind: parameters, and per task the median over seeds of the
    in-range texts all right and of what it did beyond (``beyond``), as
    "in|beyond" under the task's short name (``SHORT_TASK_NAMES``)."""
    tasks, kinds = _cells(results, kinds)
    head = ["kind", "params"] + [SHORT_TASK_NAMES.get(t, t) for t in tasks]
    rows = []
    for k in kinds:
        cells = [names.get(k, k), f"{results['medians'][tasks[0]][k]['params']:g}"]
        for t in tasks:
            m = results["medians"][t][k]
            extra = beyond(m)
            cells.append(f"{m['sequence']:.2f}" + (f"|{extra}" if extra else ""))
        rows.append(cells)
    return text_table(head, rows, align="<" + ">" * (len(head) - 1))


def family_figure(results: Mapping[str, Any], kinds: Sequence[str],
                  names: Mapping[str, str], title: str | None = None) -> go.Figure:
    """Heatmap, a row per kind and a column per task. Colour: what the kind did
    beyond the training range as a share of the best kind on that task (the
    counting limit, or the fraction of longer-gap texts right; copy has no
    beyond, so its in-range fraction). Text: in-range fraction, then beyond."""
    tasks, kinds = _cells(results, kinds)
    med = results["medians"]

    def score(t: str, k: str) -> float:
        m = med[t][k]
        return float(m.get("limit", m.get("longer_sequence", m["sequence"])))

    best = {t: max(score(t, k) for k in kinds) or 1.0 for t in tasks}
    z = [[score(t, k) / best[t] for t in tasks] for k in kinds]
    text = [[f"{med[t][k]['sequence']:.2f}<br>" + beyond(med[t][k]) for t in tasks]
            for k in kinds]
    fig = go.Figure(go.Heatmap(
        z=style.rounded(np.array(z)), x=[TASK_NAMES.get(t, t) for t in tasks],
        y=[names.get(k, k) for k in kinds], text=text, texttemplate="%{text}",
        colorscale="Blues", zmin=0, zmax=1, xgap=2, ygap=2,
        colorbar={"title": {"text": "beyond the range,<br>share of the best",
                            "side": "right"}},
        hovertemplate="%{y}, %{x}: %{text}<extra></extra>"))
    fig.update_layout(**style.base_layout(height=90 + 34 * len(kinds),
                                          margin=dict(l=160, r=30, t=60, b=50)),
                      title=style.title_dict(title))
    fig.update_yaxes(autorange="reversed")
    return fig


def step_times(task: Task, config: TrainConfig, kinds: Sequence[str],
               repeats: int = 15) -> dict[str, float]:
    """Median milliseconds of one training step (forward, loss, backward, Adam)
    of each kind on the whole training range of ``task``, measured here and now
    in one run: only the ratios between kinds carry over to other machines."""
    texts = task.all_texts() or task.validation_texts(size=64)
    batch = task.batch(texts)
    x, y = torch.from_numpy(batch.inputs), torch.from_numpy(batch.targets)
    m = torch.from_numpy(batch.mask)
    out = {}
    for kind in kinds:
        model = build_model(task, TrainConfig.from_dict(
            {**config.to_dict(), "kind": kind}))
        opt = torch.optim.Adam(model.parameters(), lr=config.lr)
        times = []
        for _ in range(repeats + 2):  # two warm-up steps
            t0 = time.perf_counter()
            logits, _ = model(x)
            loss = F.cross_entropy(logits[m], y[m])
            opt.zero_grad()
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
        out[kind] = 1000 * statistics.median(times[2:])
    return out
