"""Train chapter 6's character models on the frozen Python corpus.

    python scripts/ch06_train.py --measure       # chars/s of candidate sizes
    python scripts/ch06_train.py                 # LSTM, GRU, RNN: the shipped run
    python scripts/ch06_train.py --steps 20 --out /tmp/x --eval-chars 2000

Writes ``lstm_tutorial/weights/ch06_{lstm,gru,rnn}.npz`` (float32, no pickle,
``models.save_weights``) and ``lstm_tutorial/results/ch06_training.npz`` (per
model: the training loss of every step in bits per character, the validation
curve, held-out bits per character, parameter count). Fixed seeds, one torch
thread: the same command on the same torch build writes the same bytes. Timing
goes to the log only, so that the files reproduce bit for bit.

Training (char-rnn style): the training text is cut into ``batch_size``
contiguous streams; step s reads the next ``seq_len`` characters of each,
starting from the state the previous step left (detached, truncated BPTT), and
takes one Adam step on the mean cross-entropy; the learning rate falls from
``lr`` to 0 along a cosine; gradient norm clipped at ``clip``. The state is
reset to zero at the start of each pass over the streams.

Sizes: the LSTM is 2 x 256; the GRU and the tanh-RNN have 2 layers whose width
gives (nearly) the same parameter count, so the three cost about the same per
character (a weight is one multiply-add per character in each). Why 2 x 256 and
how many steps: see ``--measure`` and the README of chapter 6's numbers.
"""

from __future__ import annotations

import lstm_tutorial  # noqa: F401  (first: pins torch's numerics, see its docstring)

import argparse
import dataclasses
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from lstm_tutorial.chapters.ch06_code.corpus import VOCAB, encode, load_corpus
from lstm_tutorial.models import CharModel, save_weights

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "lstm_tutorial" / "weights"
RESULTS = ROOT / "lstm_tutorial" / "results"
LN2 = math.log(2)
GATES = {"lstm": 4, "gru": 3, "rnn": 1}  # weight blocks per layer


@dataclass(frozen=True)
class Config:
    """What one training run does; the same Config gives the same weights."""

    num_layers: int = 2
    lstm_hidden: int = 192  # the GRU and RNN widths follow by parameter count
    batch_size: int = 32  # B parallel streams of the training text
    seq_len: int = 128  # T characters per step (truncated BPTT)
    steps: int = 1200
    lr: float = 3e-3  # Adam, cosine decay to 0
    clip: float = 1.0  # max gradient norm
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


def detach(state):
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
              valid_ids: np.ndarray, progress: bool = True) -> dict:
    """Train one model; returns the model, its per-step losses (bits/char) and
    the validation curve [(step, bits/char)]."""
    torch.manual_seed(config.seed)
    model = CharModel(kind, len(VOCAB), hidden, config.num_layers)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, config.steps)
    S = streams(train_ids, config.batch_size)  # (B, N)
    T = config.seq_len
    per_pass = (S.shape[1] - 1) // T  # steps in one pass over the streams
    losses, curve, state = [], [], None
    bar = tqdm(total=config.steps, desc=f"{kind} {config.num_layers}x{hidden}",
               disable=not progress, mininterval=5.0, file=sys.stdout)
    for step in range(config.steps):
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


def measure(config: Config, candidates: list[tuple[int, int]], steps: int = 6
            ) -> None:
    """Print training characters per second for (layers, lstm width) candidates,
    each kind at the LSTM's parameter count (median step time of ``steps``)."""
    ids = encode(load_corpus().text("train"))
    for layers, width in candidates:
        cfg = dataclasses.replace(config, num_layers=layers, lstm_hidden=width,
                                  steps=steps, eval_every=10**9)
        for kind, H in sizes(cfg).items():
            torch.manual_seed(0)
            model = CharModel(kind, len(VOCAB), H, layers)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            S = streams(ids, cfg.batch_size)
            times = []
            for s in range(steps):
                t0 = time.perf_counter()
                x, y = S[:, s * cfg.seq_len: (s + 1) * cfg.seq_len], \
                    S[:, s * cfg.seq_len + 1: (s + 1) * cfg.seq_len + 1]
                logits, _ = model(x)
                loss = F.cross_entropy(logits.reshape(-1, len(VOCAB)), y.reshape(-1))
                opt.zero_grad()
                loss.backward()
                opt.step()
                times.append(time.perf_counter() - t0)
            chars = cfg.batch_size * cfg.seq_len / float(np.median(times))
            print(f"{kind:4s} {layers} x {H:4d}  params {n_params(kind, H, layers):9,d}"
                  f"  {chars:8,.0f} chars/s", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=Config.steps)
    p.add_argument("--kinds", default="lstm,gru,rnn")
    p.add_argument("--out", type=Path, default=None,
                   help="one directory for weights and results (default: the "
                        "package's weights/ and results/)")
    p.add_argument("--eval-chars", type=int, default=None,
                   help="score only the first N characters of valid and test")
    p.add_argument("--measure", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    config = dataclasses.replace(Config(), steps=args.steps)
    if args.measure:
        measure(config, [(2, 256), (3, 128), (2, 192), (1, 512)])
        return 0
    kinds = args.kinds.split(",")
    if not kinds or any(k not in GATES for k in kinds):
        p.error(f"--kinds must name some of {sorted(GATES)}, got {args.kinds!r}")
    corpus = load_corpus()
    train_ids = encode(corpus.text("train"))
    valid_ids = encode(corpus.text("valid"))[: args.eval_chars]
    test_ids = encode(corpus.text("test"))[: args.eval_chars]
    weights_dir = args.out or WEIGHTS
    results_path = (args.out or RESULTS) / "ch06_training.npz"
    weights_dir.mkdir(parents=True, exist_ok=True)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    width = sizes(config)
    arrays: dict[str, np.ndarray] = {}
    for kind in kinds:
        t0 = time.perf_counter()
        run = train_one(kind, width[kind], config, train_ids, valid_ids,
                        progress=not args.no_progress)
        test_bpc = bits_per_char(run["model"], test_ids)
        params = n_params(kind, width[kind], config.num_layers)
        print(f"{kind}: {config.num_layers} x {width[kind]}, {params:,d} parameters, "
              f"held-out {test_bpc:.4f} bits/char, {time.perf_counter() - t0:.0f} s",
              flush=True)
        save_weights(run["model"], weights_dir / f"ch06_{kind}.npz",
                     config=dataclasses.asdict(config), test_bits_per_char=test_bpc,
                     valid_curve=run["curve"], corpus_python=corpus.python_version)
        arrays[f"{kind}_loss"] = np.array(run["losses"], np.float32)
        arrays[f"{kind}_valid"] = np.array(run["curve"], np.float64)  # (n, 2)
        arrays[f"{kind}_test"] = np.array(test_bpc)
        arrays[f"{kind}_params"] = np.array(params)
        arrays[f"{kind}_hidden"] = np.array(width[kind])
        arrays["config"] = np.array(json.dumps(dataclasses.asdict(config)))
        with open(results_path, "wb") as fh:  # after each model: partial results
            np.savez(fh, **arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main())
