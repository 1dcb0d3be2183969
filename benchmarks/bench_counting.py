"""Train the 10-unit counting LSTM on N <= 10 with 5 seeds; time and generalisation.

    python benchmarks/bench_counting.py [--seeds 5] [--threads 1] [--ablate]

Task a^N X b^N ., 1 <= N <= 10; the recipe of the shipped counting model
(``scripts/train_shipped_weights.py``). Per seed and as medians it prints:

- solved_s: wall seconds from the first step until every scored target of the
  training range (N = 1..10) is right (checked every 5 steps);
- limit: the generalisation limit, the largest N such that greedy generation
  writes exactly N' b's and "." after a^N' X for every N' <= N (searched
  up to --cap, default 5000);
- steps / train_s: the whole run, which goes on past 100% until the loss on the
  training range is below 1e-3 (the limit is measured on this final model).

Reference point: the well-known 10-unit LSTM trained on N <= 10 writes 18 b's for
N = 19, a limit of 18. Goal: median limit above 18, best seed at least 50, and
100% in range in a median under 10 s on a 2-core CPU.

--ablate also runs the recipe with one ingredient changed at a time and prints
the medians. --threads (default 1) pins torch's threads: for a 10-unit model one
thread is as fast as two, and two slow down many times over when another process
holds a core. The load average is printed with the results.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from lstm_tutorial.train import TrainConfig, run_seeds, seed_table

ROOT = Path(__file__).resolve().parents[1]


def counting_recipe():
    """(task, config) of the shipped counting model, from the script itself."""
    path = ROOT / "scripts" / "train_shipped_weights.py"
    spec = importlib.util.spec_from_file_location("train_shipped_weights", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RECIPES["counting"]


def ablations(config: TrainConfig) -> dict[str, TrainConfig]:
    """The recipe with one ingredient changed at a time."""
    r = dataclasses.replace
    return {
        "recipe": config,
        "forget bias 1 (not 20)": r(config, forget_bias=1.0),
        "forget bias 5 (not 20)": r(config, forget_bias=5.0),
        "stop at first 100%": r(config, stop_loss=float("inf")),
        "loss on every target": r(config, loss_on="all"),
        "cosine lr schedule": r(config, schedule="cosine"),
        "lr 0.01 (not 0.02)": r(config, lr=0.01),
        "plain: bias 1, stop at 100%": r(config, forget_bias=1.0, lr=0.01,
                                         stop_loss=float("inf")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. n-1")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--cap", type=int, default=5000,
                        help="search the limit up to this N")
    parser.add_argument("--ablate", action="store_true",
                        help="also run the recipe with one ingredient changed")
    args = parser.parse_args()
    if args.seeds < 1 or args.threads < 1 or args.cap < 1:
        parser.error("--seeds, --threads and --cap must be >= 1")
    torch.set_num_threads(args.threads)
    task, config = counting_recipe()
    seeds = range(args.seeds)

    print(f"python {platform.python_version()}, torch {torch.__version__}, "
          f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"task {task.config}")
    print(f"config {config.to_dict()}\n")
    t0 = time.perf_counter()
    rows = run_seeds(task, config, seeds, n_cap=args.cap, progress=False)
    print(seed_table(rows, ["seed", "solved_s", "limit", "steps", "train_s"]))
    limits = [r["limit"] for r in rows]
    solved = [r["solved_s"] if r["solved_s"] is not None else float("inf")
              for r in rows]
    print(f"\nmedian seconds to 100% on N <= 10: {statistics.median(solved):.3f}")
    print(f"median generalisation limit: {statistics.median(limits)} "
          f"(reference 18); best seed: {max(limits)}; worst seed: {min(limits)} "
          f"(searched up to N = {args.cap})")
    print(f"benchmark wall time {time.perf_counter() - t0:.1f} s, "
          f"load average {os.getloadavg()[0]:.2f}")

    if args.ablate:
        print("\nOne change at a time (medians over the same seeds):")
        table = []
        for name, cfg in ablations(config).items():
            rs = rows if name == "recipe" else run_seeds(
                task, cfg, seeds, n_cap=args.cap, progress=False)
            lims = [r["limit"] for r in rs]
            table.append({
                "variant": name,
                "solved_s": statistics.median(
                    [r["solved_s"] if r["solved_s"] is not None else float("inf")
                     for r in rs]),
                "limit": statistics.median(lims),
                "limits": " ".join(str(v) for v in lims),
                "steps": statistics.median([r["steps"] for r in rs]),
            })
        w = max(len(t["variant"]) for t in table)
        print(f"{'variant':<{w}}  solved_s  median limit  steps  limits per seed")
        for t in table:
            print(f"{t['variant']:<{w}}  {t['solved_s']:8.3f}  {t['limit']:12g}  "
                  f"{t['steps']:5g}  {t['limits']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
