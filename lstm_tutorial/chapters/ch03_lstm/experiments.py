"""Chapter 3's experiments: fixed budgets, seeded, small enough for 2 minutes.

- the swap experiment: the counting task with the gate and cell activations
  exchanged (``models.ActivationLSTM``, ``SwapConfig``, ``swap_experiment``,
  ``sign_sources``);
- forget-gate bias 1 vs 0 at initialisation on long-gap recall
  (``ForgetBiasConfig``, ``forget_bias_experiment``, ``forget_bias_figure``);
- ``summary_table``: per-seed values and medians as plain text.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch

from lstm_tutorial import gates, style
from lstm_tutorial.cells import SequenceModel
from lstm_tutorial.models import GATE_ACTIVATIONS, ActivationLSTM
from lstm_tutorial.printing import text_table
from lstm_tutorial.tasks import CountingTask, LongGapTask
from lstm_tutorial.train import TrainConfig, build_model, generalisation_limit, train

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

    unknown = {v for pair in variants.values() for v in pair} - set(GATE_ACTIVATIONS)
    if unknown:
        raise ValueError(f"variants must pair activations from {GATE_ACTIVATIONS}, "
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
                x = torch.nn.functional.one_hot(ids, task.vocab_size)
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
    x = torch.nn.functional.one_hot(ids, task.vocab_size).to(model.readout.weight.dtype)
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
    training), initial and model (the CharModel before and after training).
    """

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
            initial = copy.deepcopy(model)
            f0 = _mean_forget_gate(model, val)
            res = train(task, cfg, model=model, progress=progress)
            rows.append({
                "bias": float(bias), "seed": int(seed), "solved": res.solved_step,
                "steps": res.steps, "accuracy": res.accuracy.position,
                "curve": [(int(s), float(a)) for s, _, a in res.evals], "f0": f0,
                "f_end": _mean_forget_gate(res.model, val),
                "initial": initial, "model": res.model,
            })
    return rows


def _mean_forget_gate(model: Any, batch: Any) -> float:
    """Mean forget gate f over the real (unpadded) steps of a batch."""
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
            x=list(steps), y=style.rounded(acc), mode="lines", name=name,
            legendgroup=name,
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
