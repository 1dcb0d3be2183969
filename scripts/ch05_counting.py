"""Chapter 5: which recurrent kinds learn to count? a^N X b^N, trained on N <= 10.

    python scripts/ch05_counting.py                 # search + 10 seeds per kind
    python scripts/ch05_counting.py --only lstm:0   # one cell, printed, no file
    python scripts/ch05_counting.py --lstm-extra    # then the LSTM-only search

    # the same grid over three processes (each kind's numbers do not depend on
    # the others), then merged into the shipped file:
    python scripts/ch05_counting.py --kinds lstm gru peephole --out a.json
    python scripts/ch05_counting.py --kinds cifg --out b.json
    python scripts/ch05_counting.py --kinds rnn_relu rnn --out c.json
    python scripts/ch05_counting.py --merge a.json b.json c.json

Kinds: LSTM, GRU, peephole LSTM, CIFG, ReLU RNN, tanh RNN, 10 hidden units.
The same recipe search for every kind: the shipped counting recipe
(``scripts/train_shipped_weights.py``: loss on the scored targets, clip 1,
Adam) with three ingredients varied, 2 x 2 x 2 = 8 recipes, each trained on
the search seeds 100 and 101:

- lr 0.01 or 0.02;
- integrator start or not: the LSTMs start with forget bias 20 (else 1), the
  GRU with update-gate bias 20 (else 1), the RNNs with W_hh = I (else torch's
  init); in each, the state is carried over unchanged at the start;
- stop once the validation loss is below 1e-3 or 1e-4 (and all right), at most
  1500 steps.

The recipe with the highest (worst search seed's limit, median limit) is then
trained on seeds 0..9, and each seed's generalisation limit
(``train.generalisation_limit``, searched up to N = 1000) is recorded with
which units count: teacher-forced on a^50 X b^50, the R^2 and slope of each
unit's state (c for the LSTMs, h otherwise) against the number of a's read
(a phase) and of b's still due (b phase); ``counters`` lists the units that go
up on a and back down on b, and how far their two slopes differ.

Writes lstm_tutorial/results/ch05_counting.json. torch.set_num_threads(1),
fixed seeds, and torch's numerics pinned by importing lstm_tutorial: the same
torch build gives the same numbers on any x86-64 CPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from lstm_tutorial.chapters.ch05_variants.counting import counters, counting_units
from lstm_tutorial.tasks import CountingTask
from lstm_tutorial.train import TrainConfig, generalisation_limit, train

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "lstm_tutorial" / "results" / "ch05_counting.json"

KINDS = ("lstm", "gru", "peephole", "cifg", "rnn_relu", "rnn")
TASK = CountingTask(n_min=1, n_max=10)
BASE = TrainConfig(kind="lstm", hidden_size=10, steps=1500, lr=0.02,
                   forget_bias=20.0, stop_loss=1e-3)  # the shipped recipe
SEARCH_SEEDS = (100, 101)
SEEDS = tuple(range(10))
N_CAP = 1000  # limits are searched up to this N
SPACE = {"lr": (0.01, 0.02), "integrator": (False, True), "stop_loss": (1e-3, 1e-4)}


def recipe(kind: str, lr: float, integrator: bool, stop_loss: float) -> TrainConfig:
    """The config of one point of the search space for ``kind``."""
    r = dataclasses.replace(BASE, kind=kind, lr=lr, stop_loss=stop_loss)
    if kind in ("rnn", "rnn_relu"):
        return dataclasses.replace(
            r, forget_bias=None, hh_init="identity" if integrator else "default")
    return dataclasses.replace(r, forget_bias=20.0 if integrator else 1.0)


def run_cell(config: TrainConfig, seed: int, units: bool = True) -> dict:
    """Train one (recipe, seed); its limit, steps, seconds (and units)."""
    cfg = dataclasses.replace(config, seed=seed)
    res = train(TASK, cfg, progress=False)
    t0 = time.perf_counter()
    row = {
        "seed": seed,
        "limit": generalisation_limit(res.model, TASK, n_cap=N_CAP),
        "steps": res.steps,
        "solved_step": res.solved_step,
        "in_range": res.accuracy.sequence,  # fraction of N = 1..10 all right
        "loss": round(res.accuracy.loss, 8),
        "train_s": round(res.seconds, 2),
        "limit_s": round(time.perf_counter() - t0, 2),
        "params": sum(p.numel() for p in res.model.parameters()),
    }
    if units:
        us = counting_units(res.model, TASK)
        row["units"] = us
        row["counters"] = counters(us)
    return row


def search(kind: str, log) -> tuple[dict, list[dict]]:
    """Every recipe of SPACE on SEARCH_SEEDS; (best recipe, all rows)."""
    rows = []
    for lr, integ, stop in itertools.product(*SPACE.values()):
        cfg = recipe(kind, lr, integ, stop)
        cells = [run_cell(cfg, s, units=False) for s in SEARCH_SEEDS]
        lims = [c["limit"] for c in cells]
        rows.append({"lr": lr, "integrator": integ, "stop_loss": stop,
                     "limits": lims, "steps": [c["steps"] for c in cells],
                     "seconds": round(sum(c["train_s"] + c["limit_s"]
                                          for c in cells), 1)})
        log(f"  search {kind:8s} lr {lr} integrator {integ!s:5} stop {stop:g}: "
            f"limits {lims} steps {rows[-1]['steps']} ({rows[-1]['seconds']} s)")
    best = max(rows, key=lambda r: (min(r["limits"]), statistics.median(r["limits"]),
                                    -statistics.median(r["steps"])))
    return best, rows


EXTRA_OUT = OUT.with_name("ch05_counting_lstm_extra.json")
EXTRA_DECAYS = (0.01, 0.1, 1.0)  # decoupled weight decay on W_hh (AdamW)


def lstm_extra(base: TrainConfig, log) -> dict:
    """LSTM only, beyond the equal search: the chosen LSTM recipe plus weight
    decay on W_hh, which pulls the gates towards reading the input alone, as in
    the hand-set counter (U = 0). Same search seeds, then seeds 0..9."""
    rows = []
    for decay in EXTRA_DECAYS:
        cfg = dataclasses.replace(base, hh_decay=decay)
        cells = [run_cell(cfg, s, units=False) for s in SEARCH_SEEDS]
        rows.append({"hh_decay": decay, "limits": [c["limit"] for c in cells],
                     "steps": [c["steps"] for c in cells]})
        log(f"  extra lstm hh_decay {decay}: limits {rows[-1]['limits']} "
            f"steps {rows[-1]['steps']}")
    best = max(rows, key=lambda r: (min(r["limits"]), statistics.median(r["limits"]),
                                    -statistics.median(r["steps"])))
    cfg = dataclasses.replace(base, hh_decay=best["hh_decay"])
    runs = []
    for seed in SEEDS:
        runs.append(run_cell(cfg, seed))
        log(f"  extra lstm seed {seed}: limit {runs[-1]['limit']} steps "
            f"{runs[-1]['steps']} counters "
            f"{[(c['unit'], c['mismatch']) for c in runs[-1]['counters']]}")
    return {"search": rows, "recipe": cfg.to_dict(), "runs": runs,
            "median": statistics.median(r["limit"] for r in runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="KIND:SEED, one cell with the shipped "
                        "results' recipe for KIND; prints it, writes nothing")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS,
                        help="run only these kinds (to split the grid over "
                        "processes; each kind's numbers do not depend on the others)")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="FILE",
                        help="merge results files written with --kinds into --out")
    parser.add_argument("--lstm-extra", action="store_true",
                        help="after the shipped run: LSTM only, its recipe plus "
                        f"weight decay on W_hh {EXTRA_DECAYS}; writes "
                        f"{EXTRA_OUT.name}")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    t_start = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t_start:7.1f} s] {msg}", flush=True)

    if args.lstm_extra:
        shipped = json.loads(OUT.read_text())
        extra = lstm_extra(TrainConfig.from_dict(shipped["recipes"]["lstm"]), log)
        extra["seconds"] = round(time.perf_counter() - t_start, 1)
        EXTRA_OUT.write_text(json.dumps(extra, indent=1) + "\n")
        log(f"wrote {EXTRA_OUT}")
        return 0

    if args.merge:
        merged = json.loads(args.merge[0].read_text())
        for path in args.merge[1:]:
            part = json.loads(path.read_text())
            for key in ("search", "recipes", "runs", "medians", "seconds"):
                merged[key].update(part[key])
        merged["seconds"].pop("total", None)
        for key in ("search", "recipes", "runs", "medians"):
            merged[key] = {k: merged[key][k] for k in KINDS if k in merged[key]}
        args.out.write_text(json.dumps(merged, indent=1) + "\n")
        log(f"merged {len(args.merge)} files into {args.out}")
        return 0

    if args.only:
        kind, seed = args.only.split(":")
        shipped = json.loads(OUT.read_text())
        cfg = TrainConfig.from_dict(shipped["recipes"][kind])
        print(json.dumps(run_cell(cfg, int(seed), units=False)))
        return 0

    results = {
        "script": "scripts/ch05_counting.py",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "task": TASK.config,
        "n_cap": N_CAP,
        "search_seeds": list(SEARCH_SEEDS),
        "seeds": list(SEEDS),
        "space": {k: list(v) for k, v in SPACE.items()},
        "search": {},
        "recipes": {},
        "runs": {},
        "medians": {},
        "seconds": {},
    }
    for kind in args.kinds:
        t0 = time.perf_counter()
        best, rows = search(kind, log)
        cfg = recipe(kind, best["lr"], best["integrator"], best["stop_loss"])
        results["search"][kind] = rows
        results["recipes"][kind] = cfg.to_dict()
        log(f"{kind}: recipe lr {cfg.lr} integrator {best['integrator']} "
            f"stop {cfg.stop_loss:g}")
        runs = []
        for seed in SEEDS:
            runs.append(run_cell(cfg, seed))
            r = runs[-1]
            log(f"  {kind:8s} seed {seed}: limit {r['limit']:4d} steps "
                f"{r['steps']:4d} counters {[c['unit'] for c in r['counters']]}")
        results["runs"][kind] = runs
        results["medians"][kind] = statistics.median(r["limit"] for r in runs)
        results["seconds"][kind] = round(time.perf_counter() - t0, 1)
        log(f"{kind}: limits {[r['limit'] for r in runs]} median "
            f"{results['medians'][kind]} ({results['seconds'][kind]} s)")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")  # after each kind
    results["seconds"]["total"] = round(time.perf_counter() - t_start, 1)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
