"""Training chapter 6's character models, and their score in bits per character.

Char-rnn style: the training text is cut into ``batch_size`` contiguous
streams; step s reads the next ``seq_len`` characters of each, starting from
the state the previous step left (detached: truncated BPTT), and takes one Adam
step on the mean cross-entropy; the learning rate falls from ``lr`` to 0 along
a cosine; the gradient norm is clipped at ``clip``. The state is reset to zero
at the start of each pass over the streams. ``scripts/ch06_train.py`` runs this
with fixed seeds and one torch thread, and writes the shipped weights.

The LSTM, GRU and tanh-RNN are compared at (nearly) the same parameter count,
so each costs about the same per character: a weight is one multiply-add per
character in each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from lstm_tutorial.chapters.ch06_code.corpus import VOCAB
from lstm_tutorial.models import CharModel, load_weights
from lstm_tutorial.train import WEIGHTS_DIR, set_forget_bias

__all__ = ["GATES", "RESULTS_PATH", "Config", "bits_per_char", "matched_hidden",
           "n_params", "shipped_model", "sizes", "streams", "train_one",
           "training_results"]

LN2 = math.log(2)
RESULTS_PATH = WEIGHTS_DIR.with_name("results") / "ch06_training.npz"
GATES = {"lstm": 4, "gru": 3, "rnn": 1}  # weight blocks per layer


@dataclass(frozen=True)
class Config:
    """What one training run does; the same Config gives the same weights."""

    num_layers: int = 2
    lstm_hidden: int = 192  # the GRU and RNN widths follow by parameter count
    batch_size: int = 32  # B parallel streams of the training text
    seq_len: int = 128  # T characters per step (truncated BPTT)
    steps: int = 1600
    lr: float = 3e-3  # Adam, cosine decay to 0
    rnn_lr: float = 1e-3  # the tanh RNN's: at 3e-3 it stalls at 4.47 bits/char
    clip: float = 1.0  # max gradient norm
    forget_bias: float | None = 1.0  # b_f at init: train.set_forget_bias
    eval_every: int = 200  # steps between validation scores
    seed: int = 0


def n_params(kind: str, hidden: int, layers: int, vocab: int = len(VOCAB)) -> int:
    """Parameters of CharModel(kind, vocab, hidden, layers):
    G H (I + H) + 2 G H per layer (G = 4, 3, 1 blocks; I = vocab, then H),
    plus the readout H V + V."""
    G = GATES[kind]
    rec = sum(G * hidden * ((vocab if k == 0 else hidden) + hidden) + 2 * G * hidden
              for k in range(layers))
    return rec + hidden * vocab + vocab


def matched_hidden(kind: str, params: int, layers: int) -> int:
    """The width H of ``kind`` whose parameter count is closest to ``params``."""
    return min(range(1, 4096), key=lambda H: abs(n_params(kind, H, layers) - params))


def sizes(config: Config) -> dict[str, int]:
    """Hidden width per kind, all with the LSTM's parameter count."""
    target = n_params("lstm", config.lstm_hidden, config.num_layers)
    return {k: matched_hidden(k, target, config.num_layers) for k in GATES}


def streams(ids: np.ndarray, B: int) -> torch.Tensor:
    """ids (N,) -> (B, N // B): B contiguous pieces of the text, one per row."""
    n = len(ids) // B
    return torch.from_numpy(ids[: B * n].reshape(B, n))


def detach(state: torch.Tensor | tuple[torch.Tensor, ...]
           ) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """A recurrent state cut from the graph (h, or (h, c) for the LSTM)."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


@torch.no_grad()
def bits_per_char(model: CharModel, ids: np.ndarray, B: int = 16,
                  chunk: int = 512) -> float:
    """Mean -log2 p(x_t | x_<t) over the text: B contiguous streams read in
    chunks with the state carried along; every character but each stream's
    first is scored."""
    model.eval()
    S = streams(ids, min(B, max(1, len(ids) // 2)))
    total, count, state = 0.0, 0, None
    for t in range(0, S.shape[1] - 1, chunk):
        x, y = S[:, t: t + chunk], S[:, t + 1: t + chunk + 1]
        x = x[:, : y.shape[1]]
        logits, state = model(x, state)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                 y.reshape(-1), reduction="sum").item()
        count += y.numel()
    return total / count / LN2


def train_one(kind: str, hidden: int, config: Config, train_ids: np.ndarray,
              valid_ids: np.ndarray, progress: bool = True,
              stop_after: int | None = None) -> dict:
    """Train one model; returns the model, its per-step losses (bits/char) and
    the validation curve [(step, bits/char)]. ``stop_after``: stop after that
    many steps of the same run (same schedule), e.g. to replay its start."""
    if stop_after is not None and not 1 <= stop_after <= config.steps:
        raise ValueError(f"stop_after must be in [1, {config.steps}] (the "
                         f"config's steps), got {stop_after!r}")
    torch.manual_seed(config.seed)
    model = CharModel(kind, len(VOCAB), hidden, config.num_layers)
    if config.forget_bias is not None:
        set_forget_bias(model, config.forget_bias)
    opt = torch.optim.Adam(model.parameters(),
                           lr=config.rnn_lr if kind == "rnn" else config.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, config.steps)
    S = streams(train_ids, config.batch_size)  # (B, N)
    T = config.seq_len
    per_pass = (S.shape[1] - 1) // T  # steps in one pass over the streams
    losses, curve, state = [], [], None
    n_steps = config.steps if stop_after is None else stop_after
    bar = tqdm(total=n_steps, desc=f"{kind} {config.num_layers}x{hidden}",
               disable=not progress, mininterval=5.0)
    for step in range(n_steps):
        t = (step % per_pass) * T
        if t == 0:
            state = None  # a new pass starts from zero state
        x, y = S[:, t: t + T], S[:, t + 1: t + T + 1]  # (B, T) each
        model.train()
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, len(VOCAB)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        opt.step()
        sched.step()
        state = detach(state)
        losses.append(loss.item() / LN2)
        bar.update(1)
        if (step + 1) % config.eval_every == 0 or step + 1 == config.steps:
            curve.append((step + 1, bits_per_char(model, valid_ids)))
            bar.set_postfix(train=f"{np.mean(losses[-50:]):.3f}",
                            valid=f"{curve[-1][1]:.3f}")
            bar.refresh()
    bar.close()
    model.eval()
    return {"model": model, "losses": losses, "curve": curve}


def shipped_model(kind: str) -> tuple[CharModel, dict]:
    """The shipped model of ``kind`` ("lstm", "gru" or "rnn") in eval mode, and
    its meta (config, test_bits_per_char, valid_curve, corpus_python); read with
    np.load(..., allow_pickle=False)."""
    if kind not in GATES:
        raise ValueError(f"kind must be one of {sorted(GATES)}, got {kind!r}")
    model, meta = load_weights(WEIGHTS_DIR / f"ch06_{kind}.npz")
    return model.eval(), meta


def training_results() -> dict[str, dict[str, np.ndarray | float | int]]:
    """Per kind, what the training script recorded: ``loss`` (steps,) training
    bits/char of every step, ``valid`` (n, 2) rows of (step, validation
    bits/char), ``test`` held-out bits/char, ``params``, ``hidden``."""
    with np.load(RESULTS_PATH, allow_pickle=False) as r:
        stored = {k: r[k] for k in r.files}
    out: dict[str, dict] = {}
    for kind in GATES:
        if f"{kind}_loss" in stored:
            out[kind] = {"loss": stored[f"{kind}_loss"],
                         "valid": stored[f"{kind}_valid"],
                         "test": float(stored[f"{kind}_test"]),
                         "params": int(stored[f"{kind}_params"]),
                         "hidden": int(stored[f"{kind}_hidden"])}
    return out
