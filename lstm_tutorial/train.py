"""Training and evaluation of the character models on the tasks.

``train(task, TrainConfig(...))`` fits a ``models.CharModel`` (RNN, GRU, LSTM or
peephole LSTM, any number of layers) with Adam on the cross-entropy of the
*scored* targets only (``task.mask``), stops early once every scored target of
the task's validation texts is right, and returns the model with its loss
history. Results are a function of ``config.seed``: the model's initial weights
come from ``torch.manual_seed(seed)``, the random batches from
``np.random.default_rng(seed)``.

Evaluation:

- ``accuracy(model, task, texts)``: exact (argmax) accuracy on scored targets.
- ``generate(model, task, prompts)``: greedy generation, vectorised over prompts.
- ``generalisation_limit(model, task)``: for the counting tasks, the largest N
  such that greedy generation is right for every N' <= N.
- ``run_seeds`` / ``seed_table``: the same experiment over several seeds, as a
  table with medians.

Shipped weights (``lstm_tutorial/weights/*.npz``, written by
``scripts/train_shipped_weights.py``) load with ``load_shipped(name)``.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from . import models
from .models import CharModel
from .printing import text_table
from .tasks import CountingTask, NoisyCountingTask, Task, make_task
from .variants import VARIANTS

__all__ = [
    "TrainConfig",
    "TrainResult",
    "Accuracy",
    "build_model",
    "set_forget_bias",
    "train",
    "accuracy",
    "generate",
    "generalisation_limit",
    "run_seeds",
    "seed_table",
    "WEIGHTS_DIR",
    "shipped_path",
    "load_shipped",
]

WEIGHTS_DIR = Path(__file__).with_name("weights")


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run."""

    kind: str = "lstm"  # "rnn", "rnn_relu", "lstm", "gru", "peephole" (models.KINDS)
    hidden_size: int = 10  # units per layer H
    num_layers: int = 1
    seed: int = 0  # torch init and numpy batches
    steps: int = 2000  # at most this many optimiser steps
    lr: float = 0.01  # Adam step size
    schedule: str = "constant"  # "constant" or "cosine" (lr -> 0 over `steps`)
    batch_size: int = 32  # random texts per step, for tasks with many texts
    full_batch: bool = True  # every text each step when the task has few
    forget_bias: float | None = 1.0  # b_f = b_if + b_hf at init (LSTMs; GRU: b_z);
    #                                  None keeps torch's init; no effect on RNNs
    hh_decay: float = 0.0  # decoupled weight decay on W_hh only (AdamW)
    clip: float | None = 1.0  # max gradient norm, None for no clipping
    loss_on: str = "scored"  # "scored" targets only, or "all" (every next char)
    eval_every: int = 5  # steps between checks of the validation texts
    stop_loss: float = math.inf  # stop once all right AND validation loss below
    hh_init: str = "default"  # "default" (torch's) or "identity" (RNNs: W_hh = I)

    def __post_init__(self) -> None:
        if self.kind not in models.KINDS:
            raise ValueError(f"kind must be one of {models.KINDS}, got {self.kind!r}")
        for name in ("hidden_size", "num_layers", "steps", "batch_size", "eval_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be an int >= 0, got {self.seed!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.schedule not in ("constant", "cosine"):
            raise ValueError(
                f"schedule must be 'constant' or 'cosine', got {self.schedule!r}"
            )
        if self.loss_on not in ("scored", "all"):
            raise ValueError(f"loss_on must be 'scored' or 'all', got {self.loss_on!r}")
        if self.clip is not None and not self.clip > 0:
            raise ValueError(f"clip must be None or > 0, got {self.clip}")
        if self.hh_init not in ("default", "identity"):
            raise ValueError(
                f"hh_init must be 'default' or 'identity', got {self.hh_init!r}")
        if self.hh_init == "identity" and self.kind not in ("rnn", "rnn_relu"):
            raise ValueError(f"hh_init 'identity' is for the RNNs ('rnn', "
                             f"'rnn_relu'), got kind {self.kind!r}")
        if self.hh_decay < 0:
            raise ValueError(f"hh_decay must be >= 0, got {self.hh_decay}")

    def __repr__(self) -> str:
        """The dataclass repr, leaving out hh_init while it is the default (as
        ``to_dict`` does), so configs print as they did before it existed."""
        shown = (f"{f.name}={getattr(self, f.name)!r}"
                 for f in dataclasses.fields(self)
                 if f.name != "hh_init" or self.hh_init != "default")
        return f"TrainConfig({', '.join(shown)})"

    def to_dict(self) -> dict:
        """JSON-friendly copy (inf -> None) for the meta of weight files."""
        d = dataclasses.asdict(self)
        d["stop_loss"] = None if math.isinf(self.stop_loss) else self.stop_loss
        if d["hh_init"] == "default":  # as configs written before hh_init existed
            del d["hh_init"]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        d = dict(d)
        if d.get("stop_loss") is None:
            d["stop_loss"] = math.inf
        return cls(**d)


@dataclass(frozen=True)
class Accuracy:
    """Exact (argmax) accuracy on the scored targets of some texts."""

    position: float  # fraction of scored targets predicted right
    sequence: float  # fraction of texts with every scored target right
    loss: float  # mean cross-entropy of the scored targets (nats)
    n_positions: int
    n_texts: int


@dataclass
class TrainResult:
    """What a run returns; ``losses`` is the training loss of every step."""

    model: CharModel
    config: TrainConfig
    task: Task
    losses: list[float] = field(default_factory=list)  # (steps,) training loss
    evals: list[tuple[int, float, float]] = field(default_factory=list)
    #      (step, validation loss, validation position accuracy) every eval_every
    steps: int = 0  # optimiser steps taken
    seconds: float = 0.0  # wall time of the whole run
    solved_step: int | None = None  # first step with every scored target right
    solved_seconds: float | None = None  # wall time until then
    accuracy: Accuracy | None = None  # on the validation texts at the end


# ----- model ------------------------------------------------------------------


def build_model(task: Task, config: TrainConfig) -> CharModel:
    """A CharModel for the task, initialised from ``torch.manual_seed(seed)``,
    with the forget-gate bias b_f = b_if + b_hf = forget_bias (rows H:2H of the
    LSTM i|f|g|o and of the GRU r|z|n, where z = 1 keeps the old state; the f
    rows of a Greff variant, ``variants.VariantLSTM.rows("f")``; none for "nfg").
    ``hh_init="identity"`` starts an RNN's W_hh at the identity."""
    torch.manual_seed(config.seed)
    out = task.output_size if task.output_size != task.vocab_size else None
    model = CharModel(config.kind, task.vocab_size, config.hidden_size,
                      config.num_layers, output_size=out)
    if config.forget_bias is not None:
        set_forget_bias(model, config.forget_bias)
    if config.hh_init == "identity":  # RNNs: W_hh = I, h_t = h_{t-1} + ... at init
        with torch.no_grad():
            for k in range(config.num_layers):
                getattr(model.rnn, f"weight_hh_l{k}").copy_(
                    torch.eye(config.hidden_size))
    return model


def set_forget_bias(model: CharModel, value: float) -> None:
    """Set every layer's forget-gate bias b_f = b_if + b_hf to ``value`` (b_if =
    value, b_hf = 0), in place: rows H:2H of the LSTM i|f|g|o and of the GRU
    r|z|n (z = 1 keeps the old state), the f rows of a Greff variant
    (``variants.VariantLSTM.rows("f")``). Kinds without a forget gate ("rnn",
    "nfg") are left as they are."""
    kind, rnn = model.config["kind"], model.rnn
    H, layers = model.config["hidden_size"], model.config["num_layers"]
    if kind in ("lstm", "peephole", "gru"):
        rows = slice(H, 2 * H)
    elif kind in VARIANTS and "f" in VARIANTS[kind].gates:
        rows = rnn.rows("f")
    else:
        return
    with torch.no_grad():
        for k in range(layers):
            getattr(rnn, f"bias_ih_l{k}")[rows] = value
            getattr(rnn, f"bias_hh_l{k}")[rows] = 0.0


def _tensors(batch, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return (torch.from_numpy(batch.inputs).to(device),
            torch.from_numpy(batch.targets).to(device),
            torch.from_numpy(batch.mask).to(device))


def _loss_mask(batch, loss_on: str) -> np.ndarray:
    """(B, T) bool: the scored targets, or every unpadded target."""
    if loss_on == "scored":
        return batch.mask
    T = batch.inputs.shape[1]
    return np.arange(T)[None, :] < batch.lengths[:, None]


# ----- training ---------------------------------------------------------------


def train(
    task: Task,
    config: TrainConfig | None = None,
    *,
    model: CharModel | None = None,
    device: str | torch.device = "cpu",
    progress: bool = True,
    callback: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Train a CharModel on ``task``; returns a TrainResult (model in eval mode).

    Each step: a batch (every text of the range if ``full_batch`` and the task
    has few, else ``batch_size`` random texts), loss = mean cross-entropy over
    the scored targets, one Adam(W) step. Every ``eval_every`` steps the
    validation texts (``task.validation_texts()``) are scored; training stops
    once every scored target is right and the validation loss < ``stop_loss``.
    ``model``: continue training this model instead of building a new one
    (its kind and sizes then come from the model, not from ``config``).
    ``callback(step, loss)`` is called after every step.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(task, Task):
        raise ValueError(f"task must be a tasks.Task, got {type(task).__name__}")
    if model is None:
        model = build_model(task, config)
    elif not isinstance(model, CharModel):
        raise ValueError(
            f"model must be a models.CharModel, got {type(model).__name__}")
    device = torch.device(device)
    model.to(device).train()
    torch.manual_seed(config.seed)  # anything random inside torch from here on
    rng = np.random.default_rng(config.seed)  # the random batches

    texts = task.all_texts() if config.full_batch else None
    if texts is not None:  # the same batch every step: the whole range
        fixed = task.batch(texts)
        fixed_x, fixed_y, _ = _tensors(fixed, device)
        fixed_m = torch.from_numpy(_loss_mask(fixed, config.loss_on)).to(device)
    val = task.batch(task.validation_texts())
    val_x, val_y, val_m = _tensors(val, device)

    hh = [p for n, p in model.named_parameters() if "weight_hh" in n]
    rest = [p for n, p in model.named_parameters() if "weight_hh" not in n]
    opt = torch.optim.AdamW([{"params": hh, "weight_decay": config.hh_decay},
                             {"params": rest, "weight_decay": 0.0}], lr=config.lr)
    sched = (torch.optim.lr_scheduler.CosineAnnealingLR(opt, config.steps)
             if config.schedule == "cosine" else None)

    result = TrainResult(model=model, config=config, task=task)
    bar = tqdm(total=config.steps, disable=not progress,
               desc=f"{task.name} {config.kind}")
    t0 = time.perf_counter()
    for step in range(1, config.steps + 1):
        if texts is not None:
            x, y, m = fixed_x, fixed_y, fixed_m
        else:
            batch = task.sample(rng, config.batch_size)
            x, y, _ = _tensors(batch, device)
            m = torch.from_numpy(_loss_mask(batch, config.loss_on)).to(device)
        logits, _ = model(x)  # (B, T, V)
        loss = F.cross_entropy(logits[m], y[m])
        opt.zero_grad()
        loss.backward()
        if config.clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        opt.step()
        if sched is not None:
            sched.step()
        result.losses.append(loss.item())
        if callback is not None:
            callback(step, result.losses[-1])
        bar.update(1)  # tqdm redraws at most every 0.1 s

        if step % config.eval_every == 0 or step == config.steps:
            acc = _score(model, val_x, val_y, val_m)
            result.evals.append((step, acc.loss, acc.position))
            bar.set_postfix(loss=f"{acc.loss:.4f}", acc=f"{acc.position:.3f}")
            if acc.sequence == 1.0 and result.solved_step is None:
                result.solved_step = step
                result.solved_seconds = time.perf_counter() - t0
            if acc.sequence == 1.0 and acc.loss < config.stop_loss:
                _end_early(bar, step, "every target right")
                break
    bar.close()
    result.steps = step
    result.seconds = time.perf_counter() - t0
    model.eval()
    result.accuracy = _score(model, val_x, val_y, val_m)
    return result


def _end_early(bar: Any, step: int, why: str) -> None:
    """End a progress bar at ``step`` as a finished run, not as a failure.

    tqdm marks a bar closed before its total as an error (red in a notebook); a run
    that stops early has done what it was asked, so its total becomes ``step``.
    """
    if bar.disable:
        return
    bar.total = step
    if hasattr(bar, "container"):  # tqdm.notebook: the widget keeps its own max
        bar.container.children[1].max = step
    bar.set_description(f"{bar.desc}: stopped early at step {step}: {why}",
                        refresh=False)
    bar.refresh()


# ----- evaluation -------------------------------------------------------------


@torch.no_grad()
def _score(model, x: torch.Tensor, y: torch.Tensor, m: torch.Tensor) -> Accuracy:
    logits, _ = model(x)
    right = logits.argmax(-1) == y  # (B, T)
    n_pos = int(m.sum())
    loss = F.cross_entropy(logits[m], y[m]).item() if n_pos else 0.0
    return Accuracy(
        position=int(right[m].sum()) / n_pos if n_pos else 1.0,
        sequence=int((right | ~m).all(dim=1).sum()) / int(x.shape[0]),
        loss=loss,
        n_positions=n_pos,
        n_texts=int(x.shape[0]),
    )


def _device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def accuracy(model: CharModel, task: Task,
             texts: Sequence[str] | None = None) -> Accuracy:
    """Exact accuracy of argmax predictions on the scored targets of ``texts``
    (default: the task's validation texts, i.e. its whole training range when
    that is small). Teacher forcing: the model reads the true text."""
    texts = task.validation_texts() if texts is None else texts
    was_training = model.training
    model.eval()
    try:
        return _score(model, *_tensors(task.batch(texts), _device(model)))
    finally:
        model.train(was_training)


@torch.no_grad()
def _greedy(model: CharModel, prompts: list[np.ndarray], n_new: int,
            stop: int | None) -> np.ndarray:
    """Greedy continuation of every prompt (ids), all rows stepped together:
    at step t row r reads its prompt while t < len(prompt_r), then its own last
    prediction. Returns (B, n_new) ids; after ``stop`` a row holds ``stop``."""
    dev = _device(model)
    B = len(prompts)
    lengths = torch.tensor([len(p) for p in prompts], device=dev)  # (B,)
    T_in = int(lengths.max())
    grid = torch.zeros((B, T_in), dtype=torch.long, device=dev)  # prompts, left
    for r, p in enumerate(prompts):
        grid[r, : len(p)] = torch.from_numpy(p)
    out = torch.zeros((B, n_new), dtype=torch.long, device=dev)
    done = torch.zeros(B, dtype=torch.bool, device=dev)  # row has written stop
    state, token = None, grid[:, 0]  # token: (B,) what each row reads now
    for t in range(T_in - 1 + n_new):
        logits, state = model(token[:, None], state)  # (B, 1, V)
        nxt = logits[:, 0].argmax(-1)  # (B,) prediction after reading step t
        if stop is not None:
            nxt = torch.where(done, torch.full_like(nxt, stop), nxt)
        k = t + 1 - lengths  # (B,) position of that prediction in the output
        rows = ((k >= 0) & (k < n_new)).nonzero().squeeze(1)
        out[rows, k[rows]] = nxt[rows]
        if stop is not None:
            done |= (k >= 0) & (nxt == stop)
            if bool(done.all()):
                break
        if t + 1 < T_in:
            token = torch.where(t + 1 < lengths, grid[:, t + 1], nxt)
        else:
            token = nxt
    if stop is not None:  # rows that stopped (or left early): stop to the end
        out[torch.cumsum((out == stop).long(), dim=1) > 0] = stop
    return out.cpu().numpy()


def generate(
    model: CharModel,
    task: Task,
    prompts: str | Sequence[str],
    max_new: int = 100,
    stop: str | None = ".",
) -> str | list[str]:
    """Greedy generation: read each prompt, then feed back the argmax character
    until ``stop`` is written (included) or ``max_new`` characters.
    One prompt -> one str; a list of prompts (run as one batch) -> a list."""
    if task.transduction:
        raise ValueError(f"{task.name}: generation needs a next-character task")
    single = isinstance(prompts, str)
    plist = [prompts] if single else list(prompts)
    if not plist or any(not isinstance(p, str) or not p for p in plist):
        raise ValueError("prompts must be one non-empty str or a list of them")
    if isinstance(max_new, bool) or not isinstance(max_new, int) or max_new < 1:
        raise ValueError(f"max_new must be a positive int, got {max_new!r}")
    stop_id = None if stop is None else int(task.encode(stop)[0])
    ids = _greedy(model, [task.encode(p) for p in plist], max_new, stop_id)
    texts = []
    for row in ids:
        s = task.decode(row)
        texts.append(s[: s.index(stop) + 1] if stop is not None and stop in s else s)
    return texts[0] if single else texts


def generalisation_limit(
    model: CharModel,
    task: CountingTask | NoisyCountingTask,
    n_cap: int = 1000,
    first_chunk: int = 32,
) -> int:
    """The largest N such that greedy generation after the prompt of every
    N' <= N (``"a"*N' + "X"``, noisy counting: ``"a"*N' + "Y"``) writes exactly
    ``"b"*N' + "."``. 0 if N = 1 already fails; ``n_cap`` if nothing up to it
    fails. Prompts run in batches of doubling size; the search stops at the
    batch holding the first failure."""
    if not isinstance(task, (CountingTask, NoisyCountingTask)):
        raise ValueError(
            "the generalisation limit is defined for the counting tasks, "
            f"got {task.name}"
        )
    if isinstance(n_cap, bool) or not isinstance(n_cap, int) or n_cap < 1:
        raise ValueError(f"n_cap must be a positive int, got {n_cap!r}")
    stop_id = int(task.encode(".")[0])
    lo, size = 1, max(1, int(first_chunk))
    while lo <= n_cap:
        ns = range(lo, min(lo + size - 1, n_cap) + 1)
        splits = [task.split(task.example(n)) for n in ns]
        prompts = [task.encode(p) for p, _ in splits]
        got = _greedy(model, prompts, ns[-1] + 1, stop_id)  # (B, N_max + 1)
        for r, (n, (_, answer)) in enumerate(zip(ns, splits)):
            if task.decode(got[r, : n + 1]) != answer:
                return n - 1
        lo, size = ns[-1] + 1, 2 * size
    return n_cap


# ----- several seeds ----------------------------------------------------------


def run_seeds(
    task: Task,
    config: TrainConfig,
    seeds: Iterable[int] = range(5),
    *,
    limit: bool | None = None,
    n_cap: int = 1000,
    device: str | torch.device = "cpu",
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Train ``config`` once per seed; one row of figures per seed:
    seed, solved_s (seconds to 100% on the validation texts), steps, train_s,
    accuracy (position), sequence (fraction of texts all right), params and,
    for the counting tasks, limit (``generalisation_limit``)."""
    if limit is None:
        limit = isinstance(task, (CountingTask, NoisyCountingTask))
    rows = []
    for seed in seeds:
        cfg = dataclasses.replace(config, seed=int(seed))
        res = train(task, cfg, device=device, progress=progress)
        row = {
            "seed": int(seed),
            "solved_s": res.solved_seconds,
            "steps": res.steps,
            "train_s": res.seconds,
            "accuracy": res.accuracy.position,
            "sequence": res.accuracy.sequence,
            "params": sum(p.numel() for p in res.model.parameters()),
        }
        if limit:
            row["limit"] = generalisation_limit(res.model, task, n_cap=n_cap)
        rows.append(row)
    return rows


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isinf(v):
            return "inf"
        return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def seed_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None,
               summary: str = "median") -> str:
    """A plain-text table of per-seed rows plus a summary row ("median", "mean",
    "min" or "max" of each numeric column; a run that never solved counts as
    inf seconds)."""
    if not rows:
        raise ValueError("rows must hold at least one row")
    funcs = {"median": statistics.median, "mean": statistics.fmean,
             "min": min, "max": max}
    if summary not in funcs:
        raise ValueError(f"summary must be one of {sorted(funcs)}, got {summary!r}")
    columns = list(columns or rows[0].keys())
    table = [[_fmt(r.get(c)) for c in columns] for r in rows]
    last = []
    for c in columns:
        vals = [r.get(c) for r in rows]
        if c == "seed":
            last.append(summary)
        elif all(isinstance(v, (int, float)) or v is None for v in vals):
            nums = [math.inf if v is None else v for v in vals]
            s = funcs[summary](nums)
            ints = all(isinstance(v, int) for v in vals)
            last.append(_fmt(int(s) if ints and float(s).is_integer() else float(s)))
        else:
            last.append("")
    return text_table(columns, table + [last], rules=(0, len(table)))


# ----- shipped weights --------------------------------------------------------


def shipped_path(name: str) -> Path:
    """Path of a shipped weight file, e.g. ``shipped_path("counting")``."""
    names = sorted(p.stem for p in WEIGHTS_DIR.glob("*.npz"))
    if name not in names:
        raise ValueError(f"no shipped weights {name!r}; expected one of {names}")
    return WEIGHTS_DIR / f"{name}.npz"


def load_shipped(name: str) -> tuple[CharModel, Task, dict[str, Any]]:
    """(model in eval mode, its task, meta) of a shipped weight file; meta holds
    task, seed, steps, accuracy and the train config. Loads without pickle."""
    model, meta = models.load_weights(shipped_path(name))
    return model.eval(), make_task(**meta["task"]), meta
