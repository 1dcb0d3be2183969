"""Time the numpy glass-box trace against torch's forward on the same input.

    python benchmarks/bench_cells.py [--repeats 15] [--dtype float32] [--threads N]

Part 1, replay: for each cell and hidden size, batch 32, 200 steps, one layer,
input size 32. Prints the median wall time of ``cell.trace(x)`` (every
intermediate kept) and of ``module(x)`` under ``torch.no_grad()`` (outputs only),
and their ratio numpy-trace / torch-forward.

Part 2, training: one Adam step (forward, cross-entropy, backward, update) of a
CharModel on character-task sizes, nn.LSTM against models.PeepholeLSTM.
All timings come from this one run; each is the median of --repeats calls
after one warm-up call, numpy and torch calls alternating, so a busy machine
slows both sides of a ratio alike. --threads N pins numpy's BLAS and torch to N
threads (default: each library's own choice); the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--threads", type=int, default=None)
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else argparse.Namespace(threads=None)
if ARGS.threads:  # thread pools are sized when numpy and torch load
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np
import torch

from lstm_tutorial import cells, models


@dataclass
class BenchConfig:
    batch: int = 32  # B sequences per call
    steps: int = 200  # T steps per sequence
    input_size: int = 32  # I features per step
    hidden_sizes: tuple[int, ...] = (64, 256)  # H, one row each
    kinds: tuple[str, ...] = ("lstm", "gru", "rnn", "peephole")
    repeats: int = 15  # timed calls per measurement (after one warm-up)
    dtype: str = "float32"
    # training part: (batch, steps, hidden) of small character tasks
    train_sizes: tuple[tuple[int, int, int], ...] = (
        (32, 20, 10),
        (64, 40, 64),
        (128, 40, 64),
    )
    vocab: int = 12  # characters in the training part


def median_seconds(fns: list[Callable[[], object]], repeats: int) -> list[float]:
    """Median wall time of each fn over `repeats` rounds, after one warm-up call.

    The calls alternate (fn_0, fn_1, fn_0, fn_1, ...), so a busy machine slows
    both sides of a ratio alike.
    """
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def bench(cfg: BenchConfig) -> list[dict[str, object]]:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    dtype = getattr(torch, cfg.dtype)
    rows = []
    for kind in cfg.kinds:
        for H in cfg.hidden_sizes:
            module = models.make_rnn(kind, cfg.input_size, H).to(dtype).eval()
            cell = cells.cell_from_torch(module)
            x_np = rng.standard_normal((cfg.batch, cfg.steps, cfg.input_size)).astype(
                cfg.dtype
            )
            x_t = torch.from_numpy(x_np)

            def numpy_trace(cell=cell, x=x_np) -> object:
                return cell.trace(x)

            def torch_forward(module=module, x=x_t) -> object:
                with torch.no_grad():
                    return module(x)

            t_np, t_torch = median_seconds([numpy_trace, torch_forward], cfg.repeats)
            with torch.no_grad():
                diff = np.abs(cell.trace(x_np).h - module(x_t)[0].numpy()).max()
            rows.append(
                {
                    "kind": kind,
                    "H": H,
                    "numpy_ms": 1e3 * t_np,
                    "torch_ms": 1e3 * t_torch,
                    "ratio": t_np / t_torch,
                    "max_abs_diff": float(diff),
                }
            )
    return rows


def bench_training(cfg: BenchConfig) -> list[dict[str, object]]:
    """Median ms of one training step, nn.LSTM vs the peephole LSTM."""
    torch.manual_seed(0)
    V = cfg.vocab
    rows = []
    for B, T, H in cfg.train_sizes:
        ids = torch.randint(0, V, (B, T))
        steps = []
        for kind in ("lstm", "peephole"):
            model = models.CharModel(kind, V, H)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)

            def step(model=model, opt=opt, ids=ids) -> None:
                logits, _ = model(ids)
                loss = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, V), ids.reshape(-1)
                )
                opt.zero_grad()
                loss.backward()
                opt.step()

            steps.append(step)
        t_lstm, t_peep = median_seconds(steps, cfg.repeats)
        rows.append(
            {
                "B": B,
                "T": T,
                "H": H,
                "lstm_ms": 1e3 * t_lstm,
                "peephole_ms": 1e3 * t_peep,
                "ratio": t_peep / t_lstm,
            }
        )
    return rows


def main(args: argparse.Namespace) -> None:
    cfg = BenchConfig(repeats=args.repeats, dtype=args.dtype)
    if args.threads:
        torch.set_num_threads(args.threads)
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, torch "
        f"{torch.__version__} ({torch.get_num_threads()} threads, BLAS threads "
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')}), {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )
    print(
        f"B={cfg.batch}, T={cfg.steps}, I={cfg.input_size}, 1 layer, {cfg.dtype}, "
        f"median of {cfg.repeats}"
    )
    print("torch: nn.LSTM/GRU/RNN forward (the peephole row: models.PeepholeLSTM)")
    print(
        f"{'cell':<9}{'H':>5}{'numpy trace ms':>16}{'torch fwd ms':>14}"
        f"{'ratio':>8}{'max|diff|':>11}"
    )
    for r in bench(cfg):
        print(
            f"{r['kind']:<9}{r['H']:>5}{r['numpy_ms']:>16.2f}{r['torch_ms']:>14.2f}"
            f"{r['ratio']:>7.2f}x{r['max_abs_diff']:>11.1e}"
        )
    print(
        f"\ntraining step (CharModel, vocab {cfg.vocab}, float32, Adam), "
        f"median of {cfg.repeats}"
    )
    print(f"{'B':>5}{'T':>5}{'H':>5}{'nn.LSTM ms':>12}{'peephole ms':>13}{'ratio':>8}")
    for r in bench_training(cfg):
        print(
            f"{r['B']:>5}{r['T']:>5}{r['H']:>5}{r['lstm_ms']:>12.2f}"
            f"{r['peephole_ms']:>13.2f}{r['ratio']:>7.2f}x"
        )


if __name__ == "__main__":
    main(ARGS)
