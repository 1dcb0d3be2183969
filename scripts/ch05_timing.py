"""Chapter 5: do peepholes help with timing? Peephole vs plain LSTM.

    python scripts/ch05_timing.py                   # 2 recipes x 2 kinds x 5 seeds
    python scripts/ch05_timing.py --only peephole:20:0   # one cell, printed

Task (``tasks.IntervalTask``): "A" + "-"*k + "B" + "-"*k + "!", the mark
exactly k steps after the cue B, trained on k = 1..10 and tested on k = 1..40.
Both kinds get the same recipes, 10 hidden units: the shipped counting recipe
(lr 0.02, loss on the scored targets, clip 1, train on to validation loss
< 1e-3, at most 1500 steps) with forget bias 20 or 1. Per seed: which k are
exact, the limit (largest K with every k <= K exact), steps and seconds; per
kind and recipe: the fraction of seeds exact at each k.

Writes lstm_tutorial/results/ch05_timing.json. torch.set_num_threads(1),
fixed seeds, and torch's numerics pinned by importing lstm_tutorial: the same
torch build gives the same numbers on any x86-64 CPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from lstm_tutorial.chapters.ch05_variants.timing import interval_exact, limit_of
from lstm_tutorial.tasks import IntervalTask
from lstm_tutorial.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lstm_tutorial" / "results" / "ch05_timing.json"

KINDS = ("lstm", "peephole")
FORGET_BIASES = (20.0, 1.0)
TASK = IntervalTask(k_min=1, k_max=10)
TEST_KS = tuple(range(1, 41))
SEEDS = tuple(range(5))


def config(kind: str, forget_bias: float, seed: int) -> TrainConfig:
    return TrainConfig(kind=kind, hidden_size=10, seed=seed, steps=1500, lr=0.02,
                       forget_bias=forget_bias, stop_loss=1e-3)


def run_cell(kind: str, forget_bias: float, seed: int) -> dict:
    """Train one (kind, recipe, seed); exactness by interval."""
    res = train(TASK, config(kind, forget_bias, seed), progress=False)
    exact = interval_exact(res.model, TASK, TEST_KS)
    limit = limit_of(exact)
    return {"kind": kind, "forget_bias": forget_bias, "seed": seed,
            "exact": [int(exact[k]) for k in TEST_KS], "limit": limit,
            "in_range": res.accuracy.sequence, "loss": round(res.accuracy.loss, 8),
            "steps": res.steps, "train_s": round(res.seconds, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="KIND:FORGET_BIAS:SEED, one cell, printed")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    t_start = time.perf_counter()
    if args.only:
        kind, fb, seed = args.only.split(":")
        print(json.dumps(run_cell(kind, float(fb), int(seed))))
        return 0
    results = {"script": "scripts/ch05_timing.py", "torch": torch.__version__,
               "python": platform.python_version(), "task": TASK.config,
               "test_ks": list(TEST_KS), "seeds": list(SEEDS),
               "recipes": {str(fb): config("lstm", fb, 0).to_dict()
                           for fb in FORGET_BIASES},
               "runs": [], "by_interval": {}, "median_limit": {}}
    for fb in FORGET_BIASES:
        for kind in KINDS:
            rows = [run_cell(kind, fb, s) for s in SEEDS]
            results["runs"].extend(rows)
            key = f"{kind} fb {fb:g}"
            results["by_interval"][key] = [
                sum(r["exact"][j] for r in rows) / len(rows)
                for j in range(len(TEST_KS))]
            results["median_limit"][key] = statistics.median(r["limit"] for r in rows)
            print(f"[{time.perf_counter() - t_start:7.1f} s] {key}: limits "
                  f"{[r['limit'] for r in rows]} steps {[r['steps'] for r in rows]}",
                  flush=True)
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
