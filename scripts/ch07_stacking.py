"""Chapter 7: one, two and three stacked LSTM layers on the copy task.

    python scripts/ch07_stacking.py                  # 3 depths x 3 seeds
    python scripts/ch07_stacking.py --only 2:0       # one run, printed

Task: ``tasks.CopyTask(length=5)``, five letters from {a, b, c}, X, the same
letters, "." (243 texts, all of them in every step). Recipe: chapter 4's copy
recipe (10 units per layer, Adam lr 0.02, forget bias 1, loss on the scored
characters, train on to validation loss < 1e-3, at most 1500 steps). Per run:
steps, accuracy, and per layer the best |r| of a unit with what the model
reads, what it writes next and its position in the copy
(``ch07_beyond.stacking.layer_scores``). The seed-0 model of each depth is
saved as lstm_tutorial/weights/ch07_stack_<depth>.npz.

Writes lstm_tutorial/results/ch07_stacking.json. One torch thread, fixed
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
from lstm_tutorial.chapters.ch07_beyond.stacking import layer_scores
from lstm_tutorial.models import save_weights
from lstm_tutorial.tasks import CopyTask
from lstm_tutorial.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lstm_tutorial" / "results"
WEIGHTS = ROOT / "lstm_tutorial" / "weights"
TASK = CopyTask(length=5)
DEPTHS = (1, 2, 3)
SEEDS = (0, 1, 2)


def config(num_layers: int, seed: int, steps: int = 1500) -> TrainConfig:
    return TrainConfig(kind="lstm", hidden_size=10, num_layers=num_layers,
                       seed=seed, steps=steps, lr=0.02, forget_bias=1.0,
                       stop_loss=1e-3)


def run(num_layers: int, seed: int, steps: int = 1500) -> tuple[dict, object]:
    """Train one depth and seed; the row of the results file, and the model."""
    res = train(TASK, config(num_layers, seed, steps), progress=False)
    scores = layer_scores(res.model, TASK)
    return {"num_layers": num_layers, "seed": seed, "steps": res.steps,
            "solved_step": res.solved_step, "sequence": res.accuracy.sequence,
            "position": round(res.accuracy.position, 6),
            "loss": round(res.accuracy.loss, 8),
            "scores": [{k: round(v, 4) for k, v in s.items()} for s in scores],
            "train_s": round(res.seconds, 2)}, res.model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="DEPTH:SEED, one run, printed")
    parser.add_argument("--out", type=Path, default=OUT, help="results folder")
    parser.add_argument("--weights", type=Path, default=WEIGHTS)
    parser.add_argument("--steps", type=int, default=1500, help="(short test runs)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    t_start = time.perf_counter()
    if args.only:
        depth, seed = map(int, args.only.split(":"))
        print(json.dumps(run(depth, seed, args.steps)[0]))
        return 0
    results = {"script": "scripts/ch07_stacking.py", "torch": torch.__version__,
               "python": platform.python_version(), "task": TASK.config,
               "recipe": config(1, 0, args.steps).to_dict(),
               "depths": list(DEPTHS), "seeds": list(SEEDS[:args.seeds]),
               "runs": []}
    args.weights.mkdir(parents=True, exist_ok=True)
    for depth in DEPTHS:
        for seed in SEEDS[:args.seeds]:
            row, model = run(depth, seed, args.steps)
            results["runs"].append(row)
            if seed == 0:
                save_weights(model, args.weights / f"ch07_stack_{depth}.npz",
                             task=TASK.config, config=config(depth, 0).to_dict())
            print(f"[{time.perf_counter() - t_start:6.1f} s] {depth} layers seed "
                  f"{seed}: {row['sequence']:.3f} in {row['steps']} steps, "
                  f"scores {row['scores']}", flush=True)
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ch07_stacking.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out / 'ch07_stacking.json'} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
