"""Chapter 2's long-gap recall sweep, trained once and shipped.

    python scripts/ch02_recall_sweep.py   # -> lstm_tutorial/results/ch02_recall.npz

For each gap k in RecallConfig().gaps, each kind (tanh RNN, LSTM) and each seed,
``ch02_rnn.recall_run`` trains a model on recall after 1..k distractors and tests
it after exactly k. The whole sweep takes longer than the chapter's time
budget (it prints how long), so the chapter loads this file and re-runs one run
live to show that it reproduces. Fixed seeds, one torch thread, and the numerics
lstm_tutorial pins on import: the same file comes out on any x86-64 CPU.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from lstm_tutorial.chapters import ch02_rnn as ch2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ch2.RECALL_RESULTS)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    config = ch2.RecallConfig()
    t0 = time.perf_counter()
    runs = ch2.recall_sweep(config)
    print(f"{len(runs)} runs took {time.perf_counter() - t0:.1f} s")
    print(ch2.recall_table(runs))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ch2.save_recall_runs(runs, config, args.out)
    print(f"{args.out}: {len(runs)} runs, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
