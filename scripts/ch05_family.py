"""Chapter 5: the LSTM family in miniature (after Greff et al. 2017).

    python scripts/ch05_family.py                       # the whole grid
    python scripts/ch05_family.py --only copy:cifg:0    # one cell, printed

Every kind (the LSTM, its Greff variants, the GRU and the two RNNs) is trained
on each of the book's tasks with the same recipe and the same hidden size, 3
seeds each: H = 8, one layer, Adam lr 0.02, forget bias 1 (update-gate bias 1
for the GRU), loss on the scored targets, clip 1, at most 400 steps, stopping
once every validation text is right and the validation loss is below 0.01.

Per cell it records: in-range accuracy (fraction of scored targets right and
of validation texts all right), generalisation where it applies (counting and
noisy counting: the limit up to N = 200; remember and long-gap recall: the
fraction of texts right with gaps 11..50, longer than in training), parameter
count, steps and milliseconds per training step.

Milliseconds per step compare implementations as much as architectures: the
LSTM, GRU and RNNs run torch's fused modules, the peephole LSTM and the Greff
variants a Python loop over the steps (``variants.VariantLSTM``); they include
the validation check every 5 steps, and the machine was shared while they ran.

Writes lstm_tutorial/results/ch05_family.json. torch.set_num_threads(1),
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

from lstm_tutorial.tasks import (
    CopyTask,
    CountingTask,
    LongGapTask,
    NoisyCountingTask,
    RememberTask,
    Task,
)
from lstm_tutorial.train import TrainConfig, accuracy, generalisation_limit, train

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lstm_tutorial" / "results" / "ch05_family.json"

KINDS = ("lstm", "peephole", "nig", "nfg", "nog", "niaf", "noaf", "cifg",
         "merged", "gru", "rnn_relu", "rnn")
TASKS: dict[str, tuple[Task, Task | None]] = {  # name -> (training, longer gaps)
    "counting": (CountingTask(n_min=1, n_max=10), None),
    "noisy_counting": (NoisyCountingTask(n_min=1, n_max=10, x_max=5), None),
    "remember": (RememberTask(k_min=1, k_max=10), RememberTask(k_min=11, k_max=50)),
    "copy": (CopyTask(length=3), None),
    "long_gap": (LongGapTask(k_min=1, k_max=10), LongGapTask(k_min=11, k_max=50)),
}
SEEDS = (0, 1, 2)
RECIPE = TrainConfig(hidden_size=8, steps=400, lr=0.02, forget_bias=1.0,
                     stop_loss=0.01)
N_CAP = 200  # counting limits are searched up to this N


def run_cell(task_name: str, kind: str, seed: int) -> dict:
    """Train one (task, kind, seed) and measure it."""
    task, longer = TASKS[task_name]
    cfg = TrainConfig.from_dict({**RECIPE.to_dict(), "kind": kind, "seed": seed})
    res = train(task, cfg, progress=False)
    row = {
        "task": task_name,
        "kind": kind,
        "seed": seed,
        "accuracy": res.accuracy.position,
        "sequence": res.accuracy.sequence,
        "loss": round(res.accuracy.loss, 8),
        "steps": res.steps,
        "solved_step": res.solved_step,
        "ms_per_step": round(1000 * res.seconds / res.steps, 2),
        "params": sum(p.numel() for p in res.model.parameters()),
    }
    if isinstance(task, (CountingTask, NoisyCountingTask)):
        row["limit"] = generalisation_limit(res.model, task, n_cap=N_CAP)
    elif longer is not None:
        row["longer_sequence"] = accuracy(res.model, longer,
                                          longer.validation_texts()).sequence
    return row


def summary(rows: list[dict]) -> dict:
    """Medians over seeds of every number of a cell."""
    keys = ("accuracy", "sequence", "limit", "longer_sequence", "ms_per_step",
            "steps", "params")
    return {k: statistics.median(r[k] for r in rows) for k in keys if k in rows[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="TASK:KIND:SEED, one cell, printed")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    t_start = time.perf_counter()
    if args.only:
        task_name, kind, seed = args.only.split(":")
        print(json.dumps(run_cell(task_name, kind, int(seed))))
        return 0
    results = {
        "script": "scripts/ch05_family.py",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "recipe": RECIPE.to_dict(),
        "tasks": {k: {"train": t.config, "longer": None if g is None else g.config}
                  for k, (t, g) in TASKS.items()},
        "n_cap": N_CAP,
        "seeds": list(SEEDS),
        "runs": [],
        "medians": {},
    }
    for task_name in TASKS:
        for kind in KINDS:
            rows = [run_cell(task_name, kind, s) for s in SEEDS]
            results["runs"].extend(rows)
            med = summary(rows)
            results["medians"].setdefault(task_name, {})[kind] = med
            print(f"[{time.perf_counter() - t_start:7.1f} s] {task_name:14s} "
                  f"{kind:8s} " + " ".join(f"{k} {v:g}" for k, v in med.items()),
                  flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
