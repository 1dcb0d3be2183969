"""Train the models chapter 4 opens up and write them to lstm_tutorial/weights/.

    python scripts/train_shipped_weights.py            # all four
    python scripts/train_shipped_weights.py counting   # one of them

Each recipe is a task and a TrainConfig with a fixed seed; the same recipe on the
same torch build gives the same weights. The files are float32 .npz (no pickle)
whose meta records the task, seed, steps, in-range accuracy and the full config.

Why these settings (measured with benchmarks/bench_counting.py, 5 seeds):
loss only on the scored targets, a forget-gate bias of 20 for the counters (the
cell starts as a perfect integrator, f = sigma(20) = 1 - 2e-9) and training on
past 100% until the validation loss is below 1e-3 are what lift the counting
model's generalisation limit from ~13 to several hundred.

torch.set_num_threads(1): these models are tiny, one thread is as fast as two,
and it keeps the floating-point reductions in one fixed order. Importing
lstm_tutorial pins torch to its baseline kernels and MKL to its reproducible
mode, so the same weights come out on any x86-64 CPU (the meta records both).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch

from lstm_tutorial import models
from lstm_tutorial.tasks import (
    CopyTask,
    CountingTask,
    NoisyCountingTask,
    RememberTask,
    Task,
)
from lstm_tutorial.train import (
    WEIGHTS_DIR,
    TrainConfig,
    TrainResult,
    generalisation_limit,
    train,
)

# name -> (task, config); chapter 4's models
RECIPES: dict[str, tuple[Task, TrainConfig]] = {
    "counting": (
        CountingTask(n_min=1, n_max=10),
        TrainConfig(kind="lstm", hidden_size=10, seed=0, steps=1500, lr=0.02,
                    forget_bias=20.0, stop_loss=1e-3),
    ),
    "noisy_counting": (
        NoisyCountingTask(n_min=1, n_max=10, x_max=5),
        TrainConfig(kind="lstm", hidden_size=10, seed=0, steps=3000, lr=0.02,
                    batch_size=32, forget_bias=20.0, stop_loss=1e-3),
    ),
    "remember": (
        RememberTask(k_min=1, k_max=10),
        TrainConfig(kind="lstm", hidden_size=10, seed=0, steps=3000, lr=0.01,
                    forget_bias=1.0, stop_loss=1e-3),
    ),
    "copy": (
        CopyTask(length=3),
        TrainConfig(kind="lstm", hidden_size=10, num_layers=2, seed=0, steps=3000,
                    lr=0.02, forget_bias=1.0, stop_loss=1e-3),
    ),
}


def train_recipe(name: str, progress: bool = False) -> TrainResult:
    """Train one recipe (single-threaded, as the shipped files were)."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; expected one of {sorted(RECIPES)}")
    task, config = RECIPES[name]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return train(task, config, progress=progress)
    finally:
        torch.set_num_threads(threads)


def meta_of(name: str, result: TrainResult) -> dict:
    """What each file records about how it was made and how well it does."""
    task, config = RECIPES[name]
    meta = {
        "name": name,
        "task": task.config,
        "seed": config.seed,
        "steps": result.steps,
        "accuracy": result.accuracy.position,
        "sequence_accuracy": result.accuracy.sequence,
        "validation_loss": result.accuracy.loss,
        "validation_texts": result.accuracy.n_texts,
        "train_config": config.to_dict(),
        "torch": torch.__version__,
        "numerics": {k: os.environ.get(k) for k in ("ATEN_CPU_CAPABILITY", "MKL_CBWR")},
        "script": "scripts/train_shipped_weights.py",
    }
    if isinstance(task, (CountingTask, NoisyCountingTask)):
        meta["limit"] = generalisation_limit(result.model, task)
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=sorted(RECIPES),
                        help=f"recipes to train (default: all of {sorted(RECIPES)})")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR,
                        help="directory for the .npz files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names:
        result = train_recipe(name, progress=True)
        meta = meta_of(name, result)
        path = args.out / f"{name}.npz"
        models.save_weights(result.model.cpu(), path, **meta)
        extra = f", limit {meta['limit']}" if "limit" in meta else ""
        print(f"{path}: {result.steps} steps, {result.seconds:.1f} s, accuracy "
              f"{meta['accuracy']:.4f}, loss {meta['validation_loss']:.5f}{extra}, "
              f"{path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
