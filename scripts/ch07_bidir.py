"""Chapter 7: one-way against bidirectional LSTM on the bracket-tagging task.

    python scripts/ch07_bidir.py                 # 2 kinds x 3 seeds
    python scripts/ch07_bidir.py --only 1:0      # bidirectional seed 0, printed

Task (``ch07_beyond.bidir``): 12 characters from ``ab()``; a letter is tagged 1
if it lies inside a bracket pair that closes. Both taggers: 8 units per
direction, Adam lr 0.01, 64 fresh random texts per step, 600 steps. Per run:
accuracy at each position on 2,000 fixed test texts, over all characters and
over the letters after a still-open "(". Also: the best any one-way reader can
expect (``bidir.one_way_best``). The seed-0 taggers are saved as
lstm_tutorial/weights/ch07_tagger_{oneway,bidir}.npz.

Writes lstm_tutorial/results/ch07_bidir.json. One torch thread, fixed seeds,
torch's numerics pinned by importing lstm_tutorial first.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

import lstm_tutorial  # noqa: F401  (pins torch's numerics before any operation)
from lstm_tutorial.chapters.ch07_beyond import bidir

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lstm_tutorial" / "results"
WEIGHTS = ROOT / "lstm_tutorial" / "weights"
SEEDS = (0, 1, 2)
LENGTH = 12


def run(bidirectional: bool, seed: int, steps: int = 600) -> tuple[dict, object]:
    """Train one tagger; the row of the results file, and the model."""
    cfg = bidir.BiConfig(bidirectional=bidirectional, seed=seed, steps=steps,
                         length=LENGTH)
    model, info = bidir.train_tagger(cfg)
    acc = bidir.per_position(model, bidir.test_set(LENGTH))
    return {"bidirectional": bidirectional, "seed": seed,
            "all": [round(a, 6) for a in acc["all"]],
            "open": [None if a is None else round(a, 6) for a in acc["open"]],
            "loss": round(info["loss"], 8), "train_s": round(info["seconds"], 2),
            }, model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="BIDIRECTIONAL(0/1):SEED, one run, printed")
    parser.add_argument("--out", type=Path, default=OUT, help="results folder")
    parser.add_argument("--weights", type=Path, default=WEIGHTS)
    parser.add_argument("--steps", type=int, default=600, help="(short test runs)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    t_start = time.perf_counter()
    if args.only:
        kind, seed = map(int, args.only.split(":"))
        print(json.dumps(run(bool(kind), seed, args.steps)[0]))
        return 0
    test = bidir.test_set(LENGTH)
    results = {"script": "scripts/ch07_bidir.py", "torch": torch.__version__,
               "python": platform.python_version(),
               "config": bidir.BiConfig(steps=args.steps, length=LENGTH).to_dict(),
               "probs": list(bidir.PROBS), "test_size": len(test),
               "n_open": bidir.per_position_counts(test),
               "one_way_best": bidir.one_way_best(test),
               "seeds": list(SEEDS[:args.seeds]), "runs": []}
    args.weights.mkdir(parents=True, exist_ok=True)
    for both in (False, True):
        for seed in SEEDS[:args.seeds]:
            row, model = run(both, seed, args.steps)
            results["runs"].append(row)
            if seed == 0:
                name = "bidir" if both else "oneway"
                bidir.save_tagger(model, args.weights / f"ch07_tagger_{name}.npz",
                                  steps=args.steps, seed=seed)
            print(f"[{time.perf_counter() - t_start:6.1f} s] bidirectional={both} "
                  f"seed {seed}: {[round(a, 3) for a in row['all']]}", flush=True)
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ch07_bidir.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out / 'ch07_bidir.json'} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
