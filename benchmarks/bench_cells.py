"""Time the numpy glass-box trace against torch's forward on the same input.

    python benchmarks/bench_cells.py [--repeats 15] [--dtype float32]

For each cell and hidden size: batch 32, 200 steps, one layer, input size 32.
Prints the median wall time of ``cell.trace(x)`` (every intermediate kept) and
of ``module(x)`` under ``torch.no_grad()`` (outputs only), and their ratio.
All timings come from this one run; each is the median of --repeats calls
after one warm-up call, numpy and torch calls alternating.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

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
            x_np = rng.standard_normal((cfg.batch, cfg.steps, cfg.input_size)).astype(cfg.dtype)
            x_t = torch.from_numpy(x_np)

            def torch_forward() -> object:
                with torch.no_grad():
                    return module(x_t)

            t_np, t_torch = median_seconds(
                [lambda: cell.trace(x_np), torch_forward], cfg.repeats
            )
            with torch.no_grad():
                diff = np.abs(cell.trace(x_np).h - module(x_t)[0].numpy()).max()
            rows.append({"kind": kind, "H": H, "numpy_ms": 1e3 * t_np,
                         "torch_ms": 1e3 * t_torch, "ratio": t_np / t_torch,
                         "max_abs_diff": float(diff)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=BenchConfig.repeats)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    args = parser.parse_args()
    cfg = BenchConfig(repeats=args.repeats, dtype=args.dtype)
    print(f"numpy {np.__version__}, torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), {platform.machine()}; "
          f"B={cfg.batch}, T={cfg.steps}, I={cfg.input_size}, 1 layer, {cfg.dtype}, "
          f"median of {cfg.repeats}")
    print("torch: nn.LSTM/GRU/RNN forward (the peephole row: models.PeepholeLSTM)")
    print(f"{'cell':<9}{'H':>5}{'numpy trace ms':>16}{'torch fwd ms':>14}"
          f"{'ratio':>8}{'max|diff|':>11}")
    for r in bench(cfg):
        print(f"{r['kind']:<9}{r['H']:>5}{r['numpy_ms']:>16.2f}{r['torch_ms']:>14.2f}"
              f"{r['ratio']:>7.2f}x{r['max_abs_diff']:>11.1e}")


if __name__ == "__main__":
    main()
