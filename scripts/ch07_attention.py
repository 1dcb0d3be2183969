"""Chapter 7: reversing strings with an encoder-decoder LSTM, with and without
attention, tested on lengths up to twice the training length.

    python scripts/ch07_attention.py               # 2 kinds x 3 seeds
    python scripts/ch07_attention.py --only 1:0    # attention, seed 0, printed

Task: 1..8 random letters from a..j, reversed (``ch07_beyond.reverse``).
Model: ``seq2seq.Seq2Seq``, 32 units, dot-product attention or none. Recipe:
Adam lr 0.005, 64 random sources per step, 1500 steps, clip 1. Per run: the
fraction of 200 fixed test sources of each length 1..16 reversed exactly
(greedy decoding). The seed-0 models are saved as
lstm_tutorial/weights/ch07_reverse_{attention,plain}.npz.

Writes lstm_tutorial/results/ch07_attention.json. One torch thread, fixed
seeds, torch's numerics pinned by importing lstm_tutorial first.
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
from lstm_tutorial import seq2seq
from lstm_tutorial.chapters.ch07_beyond.reverse import (
    ReverseConfig,
    by_length,
    train_reverser,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lstm_tutorial" / "results"
WEIGHTS = ROOT / "lstm_tutorial" / "weights"
SEEDS = (0, 1, 2)
LENGTHS = tuple(range(1, 17))  # 1 .. 2L


def run(attention: bool, seed: int, steps: int = 1500) -> tuple[dict, object]:
    """Train one reverser; the row of the results file, and the model."""
    model, info = train_reverser(ReverseConfig(attention=attention, seed=seed,
                                               steps=steps))
    acc = by_length(model, list(LENGTHS))
    return {"attention": attention, "seed": seed,
            "by_length": [acc[k] for k in LENGTHS],
            "loss": round(info["loss"], 8), "train_s": round(info["seconds"], 2),
            }, model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="ATTENTION(0/1):SEED, one run, printed")
    parser.add_argument("--out", type=Path, default=OUT, help="results folder")
    parser.add_argument("--weights", type=Path, default=WEIGHTS)
    parser.add_argument("--steps", type=int, default=1500, help="(short test runs)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    t_start = time.perf_counter()
    if args.only:
        kind, seed = map(int, args.only.split(":"))
        print(json.dumps(run(bool(kind), seed, args.steps)[0]))
        return 0
    results = {"script": "scripts/ch07_attention.py", "torch": torch.__version__,
               "python": platform.python_version(),
               "config": ReverseConfig(steps=args.steps).to_dict(),
               "lengths": list(LENGTHS), "test_per_length": 200,
               "seeds": list(SEEDS[:args.seeds]), "runs": []}
    args.weights.mkdir(parents=True, exist_ok=True)
    for attention in (False, True):
        for seed in SEEDS[:args.seeds]:
            row, model = run(attention, seed, args.steps)
            results["runs"].append(row)
            if seed == 0:
                name = "attention" if attention else "plain"
                seq2seq.save(model, args.weights / f"ch07_reverse_{name}.npz",
                             steps=args.steps, seed=seed)
            print(f"[{time.perf_counter() - t_start:6.1f} s] attention={attention} "
                  f"seed {seed}: {row['by_length']}", flush=True)
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ch07_attention.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out / 'ch07_attention.json'} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
