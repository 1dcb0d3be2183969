"""Chapter 2: a memory that holds (the France LED) and memories that fade.

- ``france_led``: a one-unit word-level RNN that lights up at "France" and stays
  lit; ``led_heatmap``, ``fixed_point``;
- ``gradient_norms``: ``||dh_T/dh_t||`` against the distance T - t;
- the long-gap recall sweep (``RecallConfig``, ``recall_run``, ``recall_sweep``,
  ``recall_model_sizes``, ``recall_table``, ``recall_figure``, ``recall_confusion``)
  and ``gradient_figure``.
"""

from __future__ import annotations

import copy
import dataclasses
import html
import json
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch

from lstm_tutorial import handset, style, tasks, train, viz
from lstm_tutorial.cells import RNN, Dense, SequenceModel
from lstm_tutorial.printing import text_table
from lstm_tutorial.text import encode, tokenize

# ------------------------------------------------------------------- France LED


@dataclass(frozen=True)
class WordRNN:
    """A word-level RNN with a readout: one-hot words over `vocabulary` ->
    ``model`` (a cells.SequenceModel). Text is split by ``handset.tokenize``."""

    name: str
    model: Any
    vocabulary: tuple[str, ...]
    unit_names: tuple[str, ...]

    def encode(self, text: str) -> np.ndarray:
        """Text -> word ids (T,); an unknown word raises UnknownTokenError."""
        words = tokenize(text)
        if not words:
            raise ValueError(f"{self.name}: text must hold at least one word, "
                             f"got {text!r}")
        return encode(words, self.vocabulary, owner=self.name)

    def run(self, texts: Sequence[str]) -> tuple[list[list[str]], list[np.ndarray]]:
        """The words of each text and the hidden states (T_b, H) over them."""
        if isinstance(texts, str):
            texts = [texts]
        words, states = [], []
        for text in texts:
            tr = self.model.trace(self.encode(text))
            words.append(tokenize(text))
            states.append(np.asarray(tr.h))
        return words, states


def france_led(self_weight: float = 2.0, input_weight: float = 3.0) -> WordRNN:
    """A one-unit tanh RNN over ``handset.SENTENCE_VOCABULARY`` that lights up at
    "France" and stays lit; built by hand, not trained:

        h_t = tanh(w [word = france] - w [word = italy] + u h_{t-1})

    with w = input_weight, u = self_weight. "france" drives h to tanh(w) = 0.995
    (w = 3); every later word only feeds h back, h <- tanh(u h). For u > 1 this
    map has a lit fixed point h* = tanh(u h*) > 0 (0.957 for u = 2): the LED
    stays lit. For u <= 1 the only fixed point is 0: the light fades. "italy"
    pushes h to the negative fixed point: the unit holds France (+) vs Italy (-).
    """
    for name, v in (("self_weight", self_weight), ("input_weight", input_weight)):
        if not isinstance(v, int | float) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    vocab = handset.SENTENCE_VOCABULARY
    W = np.zeros((1, len(vocab)))
    W[0, vocab.index("france")] = input_weight
    W[0, vocab.index("italy")] = -input_weight
    params = {"weight_ih_l0": W, "weight_hh_l0": np.array([[float(self_weight)]]),
              "bias_ih_l0": np.zeros(1), "bias_hh_l0": np.zeros(1)}
    model = SequenceModel(RNN(params, nonlinearity="tanh"), Dense(np.ones((1, 1))))
    return WordRNN("France LED", model, vocab, ("France LED",))


def led_heatmap(led: WordRNN, sentences: Sequence[str], *, wrap: int = 8,
                title: str | None = None) -> go.Figure:
    """The LED's value at every word of each sentence (``viz.char_heatmap``
    with word cells): a row per sentence, cut into lines of `wrap` words
    (labelled "sentence k", then "sentence k (cont.)"), wide enough for words,
    red (-1) through white to blue (+1), colour bar "h"."""
    if not isinstance(wrap, int) or wrap < 1:
        raise ValueError(f"wrap must be an int >= 1 (words per line), got {wrap!r}")
    words, states = led.run(sentences)
    fig = viz.char_heatmap([s[:, 0] for s in states], words, quantity="h",
                           kind="rnn", unit_name=led.unit_names[0], wrap=wrap,
                           title=title)
    labels = [f"sentence {k + 1}" + (" (cont.)" if line else "")
              for k, w in enumerate(words)
              for line in range(max(1, math.ceil(len(w) / wrap)))]
    fig.update_layout(
        width=None, margin=dict(l=130),
        xaxis=dict(showticklabels=False, ticks="", title=dict(
            text=f"the words in reading order, {wrap} to a line")),
        yaxis=dict(ticktext=labels, tickvals=list(range(len(labels))), ticks=""))
    trace = fig.data[0]
    # customdata [sentence, word] from 0 -> from 1, as the labels count
    trace.customdata = [[None if c is None else [c[0] + 1, c[1] + 1] for c in row]
                        for row in trace.customdata]
    trace.hovertemplate = ("sentence %{customdata[0]}, word %{customdata[1]}: "
                           "'%{text}'<br>France LED h = %{z:.3f}<extra></extra>")
    trace.textfont = dict(size=12)
    trace.colorbar = dict(title=dict(text="h"), tickvals=[-1, 0, 1])
    return fig


def fixed_point(u: float, h0: float = 1.0, steps: int = 10_000) -> float:
    """The value h <- tanh(u h) settles at from h0 (0 for u <= 1, else the
    positive root of h = tanh(u h) when h0 > 0)."""
    h = float(h0)
    for _ in range(steps):
        h_new = math.tanh(u * h)
        if abs(h_new - h) < 1e-15:
            break
        h = h_new
    return h


# -------------------------------------------------------------------- gradients


def gradient_norms(model: Any, ids: Any) -> np.ndarray:
    """How much the last memory h_T depends on each earlier memory h_t:

        g[d] = mean over sequences of || dh_T / dh_t ||_2,   d = T - t,

    the spectral norm (largest singular value) of the H x H Jacobian, by torch
    autograd through the recurrence. For an LSTM, dh_T/dh_t holds the cell
    state c_t fixed (every path from h_t forward, through the gates and the
    candidate into c_{t+1}, ...). g[0] = 1 (the identity).

    model: a models.CharModel (one recurrent layer) or its ``.rnn``; ids: token
    ids (B, T) (a torch tensor or an int array). Computed in float64 on a copy
    of the weights. Returns g (T,), g[d] for d = 0 .. T-1.
    """
    rnn = getattr(model, "rnn", model)
    if not isinstance(rnn, torch.nn.RNNBase) or rnn.num_layers != 1 or not \
            rnn.batch_first:
        raise ValueError(f"model must be a CharModel or a one-layer batch_first "
                         f"torch RNN/LSTM/GRU, got {type(rnn).__name__}")
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    if ids.dim() != 2 or ids.shape[1] < 1:
        raise ValueError(f"ids must have shape (B, T) with T >= 1, got "
                         f"{tuple(ids.shape)}")
    V = rnn.input_size
    if ids.min() < 0 or ids.max() >= V:
        raise ValueError(f"ids must be in [0, {V}), got values in "
                         f"[{int(ids.min())}, {int(ids.max())}]")
    rnn = copy.deepcopy(rnn).double()  # float64: products of 100 small factors
    dtype = torch.float64
    x = torch.nn.functional.one_hot(ids, V).to(dtype)  # (B, T, V)
    B, T = ids.shape
    H = rnn.hidden_size
    lstm = isinstance(rnn, torch.nn.LSTM)
    hs = []  # h_t, each (B, H), a node of the graph
    h = torch.zeros(1, B, H, dtype=dtype)
    c = torch.zeros(1, B, H, dtype=dtype)
    with torch.enable_grad():
        for t in range(T):
            state = (h, c) if lstm else h
            _, state = rnn(x[:, t : t + 1], state)
            h, c = state if lstm else (state, c)
            hs.append(h[0])  # the node every later step reads h_t from:
            h = hs[-1].unsqueeze(0)
        J = torch.zeros(B, T, H, H, dtype=dtype)  # J[b, t, j, :] = dh_T[j] / dh_t
        for j in range(H):
            grads = torch.autograd.grad(hs[-1][:, j].sum(), hs, retain_graph=True,
                                        allow_unused=True)
            for t, g in enumerate(grads):
                if g is not None:
                    J[:, t, j] = g
    norms = torch.linalg.matrix_norm(J, ord=2)  # (B, T)
    return norms.mean(dim=0).flip(0).detach().double().numpy()  # index d = T - t


# -------------------------------------------------------------- long-gap recall


@dataclass(frozen=True)
class RecallConfig:
    """The long-gap recall sweep: for each gap k, each kind and each seed, train
    on recall after 1..k distractors (``tasks.LongGapTask(1, k)``) with a fixed
    budget, then test recall after exactly k distractors."""

    gaps: tuple[int, ...] = (5, 10, 20, 40, 80)  # k: distractors before the "?"
    kinds: tuple[str, ...] = ("rnn", "lstm")  # tanh RNN and LSTM (models.KINDS)
    seeds: tuple[int, ...] = (0, 1, 2)
    hidden_size: int = 16  # units H of both kinds
    steps: int = 400  # training budget: at most this many Adam steps
    lr: float = 0.01
    batch_size: int = 64  # random texts per step
    eval_every: int = 25  # steps between early-stopping checks
    test_size: int = 256  # test texts per gap
    test_seed: int = 2024  # the test texts: np.random.default_rng(test_seed)

    def __post_init__(self) -> None:
        if not self.gaps or any(not isinstance(k, int) or k < 1 for k in self.gaps):
            raise ValueError(f"gaps must be ints >= 1, got {self.gaps!r}")
        if not self.seeds or not self.kinds:
            raise ValueError("need at least one seed and one kind")
        for kind in self.kinds:
            if kind not in ("rnn", "rnn_relu", "lstm", "gru", "peephole"):
                raise ValueError(f"kinds must be model kinds (models.KINDS), got "
                                 f"{kind!r}")


@dataclass
class RecallRun:
    """One training run of the sweep and its test result."""

    kind: str
    gap: int
    seed: int
    accuracy: float  # recall after exactly `gap` distractors, on the test texts
    steps: int  # Adam steps taken (fewer than the budget: stopped early)
    seconds: float
    model: Any = dataclasses.field(repr=False, default=None)


def recall_test_texts(gap: int, config: RecallConfig = RecallConfig()) -> list[str]:
    """The fixed test texts of one gap: ``config.test_size`` texts with exactly
    `gap` distractors."""
    task = tasks.LongGapTask(gap, gap)
    return task.validation_texts(seed=config.test_seed + gap, size=config.test_size)


def recall_run(kind: str, gap: int, seed: int,
               config: RecallConfig = RecallConfig()) -> RecallRun:
    """Train one model on recall after 1..gap distractors with
    ``train.train`` (early stop once every validation text is right), then
    test it after exactly `gap` distractors."""
    c = config
    cfg = train.TrainConfig(kind=kind, hidden_size=c.hidden_size, seed=seed,
                            steps=c.steps, lr=c.lr, batch_size=c.batch_size,
                            full_batch=False, eval_every=c.eval_every)
    res = train.train(tasks.LongGapTask(1, gap), cfg, progress=False)
    test, texts = tasks.LongGapTask(gap, gap), recall_test_texts(gap, c)
    acc = train.accuracy(res.model, test, texts).position
    return RecallRun(kind, gap, seed, acc, res.steps, res.seconds, res.model)


def recall_sweep(config: RecallConfig = RecallConfig()) -> list[RecallRun]:
    """``recall_run`` for every gap, kind and seed of `config` (gap-major)."""
    return [recall_run(kind, gap, seed, config) for gap in config.gaps
            for kind in config.kinds for seed in config.seeds]


RECALL_RESULTS = Path(__file__).resolve().parents[2] / "results" / "ch02_recall.npz"
_RUN_FIELDS = ("kind", "gap", "seed", "accuracy", "steps")


def save_recall_runs(runs: Sequence[RecallRun], config: RecallConfig,
                     path: str | Path = RECALL_RESULTS) -> None:
    """Write a sweep to one .npz (no pickle): per run its fields, and its model's
    weights as float32 arrays named ``run{i}/<state_dict name>``; the config as
    JSON. ``load_recall_runs`` reads it back."""
    arrays: dict[str, np.ndarray] = {"config": np.array(json.dumps(
        dataclasses.asdict(config)))}
    arrays["runs"] = np.array(json.dumps(
        [{f: getattr(r, f) for f in _RUN_FIELDS} for r in runs]))
    for i, r in enumerate(runs):
        for k, v in r.model.state_dict().items():
            arrays[f"run{i}/{k}"] = v.detach().cpu().numpy().astype(np.float32)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_recall_runs(path: str | Path = RECALL_RESULTS
                     ) -> tuple[list[RecallRun], RecallConfig]:
    """The sweep written by ``save_recall_runs`` (by default the one that ships,
    made by ``scripts/ch02_recall_sweep.py``): its runs, each with its trained
    model (a models.CharModel in eval mode), and its config."""
    expected = "a .npz written by save_recall_runs (runs, config, weights)"
    try:
        with np.load(path, allow_pickle=False) as data:
            config = RecallConfig(**{k: tuple(v) if isinstance(v, list) else v
                                     for k, v in json.loads(str(data["config"]))
                                     .items()})
            rows = json.loads(str(data["runs"]))
            weights = {k: data[k] for k in data.files if k.startswith("run")
                       and "/" in k}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as e:
        raise ValueError(f"{path}: expected {expected}; cannot read it ({e})") from e
    runs = []
    for i, row in enumerate(rows):
        model = train.build_model(tasks.LongGapTask(1, row["gap"]), train.TrainConfig(
            kind=row["kind"], hidden_size=config.hidden_size, seed=row["seed"]))
        prefix = f"run{i}/"
        state = {k[len(prefix):]: torch.from_numpy(v) for k, v in weights.items()
                 if k.startswith(prefix)}
        try:
            model.load_state_dict(state)
        except RuntimeError as e:
            raise ValueError(f"{path}: run {i} ({row['kind']}, gap {row['gap']}, "
                             f"seed {row['seed']}): weights do not fit ({e})") from e
        runs.append(RecallRun(**row, seconds=float("nan"), model=model.eval()))
    return runs, config


def recall_model_sizes(config: RecallConfig = RecallConfig()
                       ) -> dict[str, tuple[int, int]]:
    """How many weights each kind of the sweep has: {kind: (recurrent,
    total)}. Recurrent: the layer's W, U and biases, G * H * (I + H + 2) for G
    rows per unit (1 for an RNN, 3 for a GRU, 4 for an LSTM; peepholes add
    3 H); total adds the readout, V * (H + 1)."""
    task = tasks.LongGapTask(1, max(config.gaps))
    sizes = {}
    for kind in config.kinds:
        model = train.build_model(task, train.TrainConfig(
            kind=kind, hidden_size=config.hidden_size))
        sizes[kind] = (sum(p.numel() for p in model.rnn.parameters()),
                       sum(p.numel() for p in model.parameters()))
    return sizes


def recall_confusion(model: Any, gap: int,
                     config: RecallConfig = RecallConfig()) -> np.ndarray:
    """How a model answers the test texts of one gap: C[i, j] = how many texts
    whose first symbol is ``LongGapTask.symbols[i]`` it answers with symbol j
    (column 4: anything else). (4, 5) int."""
    task = tasks.LongGapTask(gap, gap)
    batch = task.batch(recall_test_texts(gap, config))
    with torch.no_grad():
        logits, _ = model(torch.as_tensor(batch.inputs))
    said = logits.argmax(-1).numpy()[batch.mask]  # (B,): the answer after "?"
    truth = batch.targets[batch.mask]
    C = np.zeros((4, 5), dtype=np.int64)
    for t, s in zip(truth, said):
        C[t, s if s < 4 else 4] += 1  # ids 0..3 are A, B, C, D
    return C


def recall_gradients(model: Any, gap: int,
                     config: RecallConfig = RecallConfig()) -> dict[str, float]:
    """Where the error at the answer reaches, for the test texts of one gap:
    the gradient of their mean loss (cross-entropy of the answer) with respect
    to two sets of weights, as Frobenius norms,

        "first": the columns of W that read A, B, C, D (used at step 1 only:
                 what the network writes into memory for the first symbol),
        "readout": V and b_y (used at the answer, next to the loss),

    and "loss" itself. Computed in float64 on a copy of the model."""
    task = tasks.LongGapTask(gap, gap)
    batch = task.batch(recall_test_texts(gap, config))
    m = copy.deepcopy(model).double()
    mask = torch.as_tensor(batch.mask)
    W = m.rnn.weight_ih_l0
    readout = [p for n, p in m.named_parameters() if not n.startswith("rnn.")]
    with torch.enable_grad():
        logits, _ = m(torch.as_tensor(batch.inputs))
        loss = torch.nn.functional.cross_entropy(
            logits[mask], torch.as_tensor(batch.targets)[mask])
        grads = torch.autograd.grad(loss, [W] + readout)
    first = task.encode(task.symbols)  # ids of A, B, C, D
    g_first = grads[0][:, torch.as_tensor(first)]
    g_read = torch.cat([g.reshape(-1) for g in grads[1:]])
    return {"loss": float(loss.detach()), "first": float(g_first.norm()),
            "readout": float(g_read.norm())}


def continue_recall(model: Any, k_max: int, config: RecallConfig = RecallConfig(),
                    seed: int = 0, steps: int | None = None) -> train.TrainResult:
    """Train a copy of a model further on recall after 1..k_max distractors,
    with the sweep's settings (a fresh Adam, early stop once every validation
    text is right, at most `steps`, default the sweep's budget)."""
    c = config
    cfg = train.TrainConfig(kind=model.kind, hidden_size=c.hidden_size, seed=seed,
                            steps=steps or c.steps, lr=c.lr, batch_size=c.batch_size,
                            full_batch=False, eval_every=c.eval_every)
    return train.train(tasks.LongGapTask(1, k_max), cfg, model=copy.deepcopy(model),
                       progress=False)


_KIND_NAMES = {"rnn": "tanh RNN", "rnn_relu": "ReLU RNN", "lstm": "LSTM",
               "gru": "GRU", "peephole": "peephole LSTM"}


def recall_table(runs: Sequence[RecallRun]) -> str:
    """Recall accuracy by gap (rows) and kind (columns): the mean over seeds,
    then each seed's accuracy, and the Adam steps each run took."""
    if not runs:
        raise ValueError("runs must hold at least one run")
    gaps = sorted({r.gap for r in runs})
    kinds = list(dict.fromkeys(r.kind for r in runs))

    def cells(k: int, kind: str) -> tuple[str, str]:  # accuracy, steps per seed
        mine = [r for r in runs if r.gap == k and r.kind == kind]
        accs = " ".join(f"{r.accuracy:.2f}" for r in mine)
        return (f"{np.mean([r.accuracy for r in mine]):.3f} ({accs})",
                " ".join(f"{r.steps:>4}" for r in mine))

    table = {k: [cells(k, kind) for kind in kinds] for k in gaps}
    layout = dict(align=">" + "<" * len(kinds), rules=(),
                  min_widths=[6] + [30] * len(kinds))
    accuracy = text_table(
        ["gap k"] + [f"{_KIND_NAMES.get(kind, kind)}: mean (per seed)"
                     for kind in kinds],
        [[str(k)] + [a for a, _ in table[k]] for k in gaps], **layout)
    steps = text_table(
        [""] + ["steps taken per seed"] * len(kinds),
        [[str(k)] + [s for _, s in table[k]] for k in gaps], **layout)
    return f"{accuracy}\n\n{steps}"


_KIND_COLOURS = {"rnn": "#d62728", "lstm": "#1f77b4", "rnn_relu": "#ff7f0e",
                 "gru": "#2ca02c", "peephole": "#9467bd"}


def recall_figure(runs: Sequence[RecallRun], chance: float = 0.25,
                  title: str | None = None) -> go.Figure:
    """Recall accuracy against the gap k (log axis): one line per kind through
    the mean over seeds, one circle per seed, and the chance level. Each
    kind's circles sit a little to one side of its line (and each seed a
    little apart), so that none hides under a line."""
    if not runs:
        raise ValueError("runs must hold at least one run")
    gaps = sorted({r.gap for r in runs})
    kinds = list(dict.fromkeys(r.kind for r in runs))
    seeds = sorted({r.seed for r in runs})
    data = []
    for ki, kind in enumerate(kinds):
        name = _KIND_NAMES.get(kind, kind)
        colour = _KIND_COLOURS.get(kind, "#444")
        mine = [r for r in runs if r.kind == kind]
        means = [float(np.mean([r.accuracy for r in mine if r.gap == k]))
                 for k in gaps]
        data.append(go.Scatter(
            x=gaps, y=style.rounded(means), mode="lines+markers", name=f"{name}, mean",
            line=dict(color=colour, width=3), marker=dict(size=9),
            hovertemplate=f"{name}, gap %{{x}}: mean %{{y:.3f}}<extra></extra>"))
        # log10 shift: kinds to either side of the gap, seeds slightly apart
        side = ki - (len(kinds) - 1) / 2
        shift = [0.07 * side + 0.02 * (seeds.index(r.seed) - (len(seeds) - 1) / 2)
                 for r in mine]
        data.append(go.Scatter(
            x=[float(f"{r.gap * 10**d:.4g}") for r, d in zip(mine, shift)],
            y=style.rounded([r.accuracy for r in mine]),
            mode="markers", name=f"{name}, each seed", legendgroup=kind,
            marker=dict(color=colour, size=8, opacity=0.8, symbol="circle-open",
                        line=dict(width=2)),
            customdata=[[r.seed, r.gap] for r in mine],
            hovertemplate=f"{name}, gap %{{customdata[1]}}, seed "
                          "%{customdata[0]}: %{y:.3f}<extra></extra>"))
    data.append(go.Scatter(x=[gaps[0], gaps[-1]], y=[chance, chance], mode="lines",
                           name="chance (1 in 4)", line=dict(color="#999", dash="dot"),
                           hoverinfo="skip"))
    lo, hi = math.log10(gaps[0]) - 0.12, math.log10(gaps[-1]) + 0.12
    return go.Figure(data=data, layout=dict(
        template="none", font=style.FONT, height=470, plot_bgcolor="white",
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        margin=dict(l=70, r=20, t=50 if title else 20, b=110),
        xaxis=dict(type="log", tickvals=gaps, range=[lo, hi], title=dict(
            text="gap k, on a log scale: distractors before the question")),
        yaxis=dict(range=[0, 1.05], title=dict(text="recall accuracy at gap k")),
        legend=dict(orientation="h", x=0, y=-0.22, yanchor="top"),
        hoverlabel=dict(font_size=13)))


def gradient_figure(curves: Mapping[str, np.ndarray], title: str | None = None,
                    styles: Mapping[str, dict] | None = None) -> go.Figure:
    """||dh_T/dh_t|| against the distance T - t on a log y axis, one line per
    entry of `curves` ({name: g (T,)} from ``gradient_norms``). Values below
    1e-30 are left out (float64 underflow)."""
    data = []
    for name, g in curves.items():
        g = np.asarray(g, dtype=float)
        y = [float(f"{v:.4g}") if v > 1e-30 else None for v in g]
        data.append(go.Scatter(
            x=list(range(len(g))), y=y, mode="lines", name=name,
            line=(styles or {}).get(name, dict(width=2.5)),
            hovertemplate=f"{html.escape(name)}<br>T - t = %{{x}}: "
                          "%{y:.3g}<extra></extra>"))
    return go.Figure(data=data, layout=dict(
        template="none", font=style.FONT, height=440, plot_bgcolor="white",
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        margin=dict(l=80, r=20, t=50 if title else 20, b=60),
        xaxis=dict(title=dict(text="distance T - t (steps back from the last input)")),
        yaxis=dict(type="log", exponentformat="power", title=dict(
            text="||dh<sub>T</sub> / dh<sub>t</sub>||, mean over sequences")),
        legend=dict(x=0.01, y=0.02, yanchor="bottom",
                    bgcolor="rgba(255,255,255,0.8)"),
        hoverlabel=dict(font_size=13)))
