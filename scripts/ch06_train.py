"""Train chapter 6's character models on the frozen Python corpus.

    python scripts/ch06_train.py --measure       # chars/s of candidate sizes
    python scripts/ch06_train.py                 # LSTM, GRU, RNN: the shipped run
    python scripts/ch06_train.py --kinds rnn     # one of them, merged into results
    python scripts/ch06_train.py --steps 20 --out /tmp/x --eval-chars 2000
    python scripts/ch06_train.py --kinds gru --out /tmp/gru   # side by side,
    python scripts/ch06_train.py --merge /tmp/lstm /tmp/gru /tmp/rnn  # then merged

Writes ``lstm_tutorial/weights/ch06_{lstm,gru,rnn}.npz`` (float32, no pickle,
``models.save_weights``) and ``lstm_tutorial/results/ch06_training.npz`` (per
model: the training loss of every step in bits per character, the validation
curve, held-out bits per character, parameter count). Fixed seeds, one torch
thread: the same command on the same torch build writes the same bytes. Timing
goes to the log only, so that the files reproduce bit for bit.

How it trains: ``lstm_tutorial.chapters.ch06_code.training`` (the one home of
the loop; the chapter shows it from there).

Sizes, measured with ``--measure`` (one thread, median of 6 steps of 32 x 128
characters, while two other trainings held both cores, so every rate is low):

    training chars/s     LSTM    GRU     RNN     (same parameter count)
    2 x 256 (914k)       4,622   2,410   2,592
    3 x 128 (392k)       9,418   4,197   5,354
    2 x 192 (538k)       6,564   3,753   4,521
    1 x 512 (1.3M)       2,130   1,693   1,564

Chosen: 2 x 192 (GRU 2 x 223, RNN 2 x 392, all 538k parameters) and 1200 steps,
4.9M characters, three passes over the training text: the three models fit in
about an hour on one core. 2 x 256 would see two passes in the same hour.
"""

from __future__ import annotations

import lstm_tutorial  # noqa: F401  (first: pins torch's numerics, see its docstring)

# isort: split

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from lstm_tutorial.chapters.ch06_code.corpus import VOCAB, encode, load_corpus
from lstm_tutorial.chapters.ch06_code.training import (
    GATES,
    RESULTS_PATH,
    Config,
    bits_per_char,
    n_params,
    sizes,
    streams,
    train_one,
)
from lstm_tutorial.models import CharModel, save_weights
from lstm_tutorial.train import WEIGHTS_DIR


def measure(config: Config, candidates: list[tuple[int, int]], steps: int = 6
            ) -> None:
    """Print training characters per second for (layers, lstm width) candidates,
    each kind at the LSTM's parameter count (median step time of ``steps``)."""
    ids = encode(load_corpus().text("train"))
    for layers, width in candidates:
        cfg = dataclasses.replace(config, num_layers=layers, lstm_hidden=width,
                                  steps=steps, eval_every=10**9)
        for kind, H in sizes(cfg).items():
            torch.manual_seed(0)
            model = CharModel(kind, len(VOCAB), H, layers)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            S = streams(ids, cfg.batch_size)
            times = []
            for s in range(steps):
                t0 = time.perf_counter()
                x, y = S[:, s * cfg.seq_len: (s + 1) * cfg.seq_len], \
                    S[:, s * cfg.seq_len + 1: (s + 1) * cfg.seq_len + 1]
                logits, _ = model(x)
                loss = F.cross_entropy(logits.reshape(-1, len(VOCAB)), y.reshape(-1))
                opt.zero_grad()
                loss.backward()
                opt.step()
                times.append(time.perf_counter() - t0)
            chars = cfg.batch_size * cfg.seq_len / float(np.median(times))
            print(f"{kind:4s} {layers} x {H:4d}  params {n_params(kind, H, layers):9,d}"
                  f"  {chars:8,.0f} chars/s", flush=True)


def write_results(path: Path, config: Config, kind: str,
                  arrays: dict[str, np.ndarray]) -> None:
    """Add one model's arrays to the results file (``{kind}_{name}``), keeping
    the other kinds already there if they come from the same Config; written
    after each model, so a run cut short keeps what it finished. The order of
    the entries is fixed (the first kind in GATES order, the config, the other
    kinds), so training the kinds in one run or one at a time gives the same
    bytes."""
    cfg = json.dumps(dataclasses.asdict(config))
    stored: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as old:
            if "config" in old.files and str(old["config"]) == cfg:
                stored = {k: old[k] for k in old.files}
    stored.update({f"{kind}_{name}": a for name, a in arrays.items()})
    ordered: dict[str, np.ndarray] = {}
    for k in GATES:
        ordered.update({n: a for n, a in stored.items() if n.startswith(f"{k}_")})
        if ordered and "config" not in ordered:
            ordered["config"] = np.array(cfg)
    with open(path, "wb") as fh:
        np.savez(fh, **ordered)


def merge(dirs: list[Path], out: Path | None) -> int:
    """Copy each directory's weights and results (one kind each) into ``out``
    (default: the package), kinds in GATES order, as one run would."""
    weights_dir = out or WEIGHTS_DIR
    results_path = out / RESULTS_PATH.name if out else RESULTS_PATH
    found: dict[str, tuple[Path, Config, dict[str, np.ndarray]]] = {}
    for d in dirs:
        with np.load(d / RESULTS_PATH.name, allow_pickle=False) as r:
            config = Config(**json.loads(str(r["config"])))
            for kind in GATES:
                if f"{kind}_loss" in r.files:
                    found[kind] = (d, config, {k.split("_", 1)[1]: r[k]
                                               for k in r.files
                                               if k.startswith(f"{kind}_")})
    configs = {json.dumps(dataclasses.asdict(c)) for _, c, _ in found.values()}
    if len(configs) != 1:
        raise SystemExit(f"--merge needs runs of one Config, got {len(configs)}")
    if results_path.exists():
        results_path.unlink()
    for kind in GATES:
        if kind in found:
            d, config, arrays = found[kind]
            data = (d / f"ch06_{kind}.npz").read_bytes()
            (weights_dir / f"ch06_{kind}.npz").write_bytes(data)
            write_results(results_path, config, kind, arrays)
            print(f"{kind}: from {d}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=Config.steps)
    p.add_argument("--kinds", default="lstm,gru,rnn")
    p.add_argument("--out", type=Path, default=None,
                   help="one directory for weights and results (default: the "
                        "package's weights/ and results/)")
    p.add_argument("--eval-chars", type=int, default=None,
                   help="score only the first N characters of valid and test")
    p.add_argument("--measure", action="store_true")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--merge", type=Path, nargs="+", default=None, metavar="DIR",
                   help="copy the models trained into these --out directories "
                        "(one kind each, same Config) into the package, in the "
                        "order a single run writes them")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    config = dataclasses.replace(Config(), steps=args.steps)
    if args.measure:
        measure(config, [(2, 256), (3, 128), (2, 192), (1, 512)])
        return 0
    if args.merge:
        return merge(args.merge, args.out)
    kinds = args.kinds.split(",")
    if not kinds or any(k not in GATES for k in kinds):
        p.error(f"--kinds must name some of {sorted(GATES)}, got {args.kinds!r}")
    corpus = load_corpus()
    train_ids = encode(corpus.text("train"))
    valid_ids = encode(corpus.text("valid"))[: args.eval_chars]
    test_ids = encode(corpus.text("test"))[: args.eval_chars]
    weights_dir = args.out or WEIGHTS_DIR
    results_path = args.out / RESULTS_PATH.name if args.out else RESULTS_PATH
    weights_dir.mkdir(parents=True, exist_ok=True)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    width = sizes(config)
    for kind in kinds:
        t0 = time.perf_counter()
        run = train_one(kind, width[kind], config, train_ids, valid_ids,
                        progress=not args.no_progress)
        test_bpc = bits_per_char(run["model"], test_ids)
        params = n_params(kind, width[kind], config.num_layers)
        print(f"{kind}: {config.num_layers} x {width[kind]}, {params:,d} parameters, "
              f"held-out {test_bpc:.4f} bits/char, {time.perf_counter() - t0:.0f} s",
              flush=True)
        save_weights(run["model"], weights_dir / f"ch06_{kind}.npz",
                     config=dataclasses.asdict(config), test_bits_per_char=test_bpc,
                     valid_curve=run["curve"], corpus_python=corpus.python_version)
        write_results(results_path, config, kind, {
            "loss": np.array(run["losses"], np.float32),
            "valid": np.array(run["curve"], np.float64),  # (n, 2): step, bits/char
            "test": np.array(test_bpc),
            "params": np.array(params),
            "hidden": np.array(width[kind]),
        })
    return 0

if __name__ == "__main__":
    sys.exit(main())
