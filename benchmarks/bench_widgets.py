"""Benchmark of the live controls and of figure sizes (a report, not a test).

Budgets:
- a live step or what-if update on a 100-step sequence: at most 50 ms in Python
  (median; the redraw includes building the figure and the MIME bundle that the
  Output widget shows);
- a chapter page with several step-throughs: well under 10 MB.

Run: python benchmarks/bench_widgets.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np

from lstm_tutorial import cells, viz, widgets
from lstm_tutorial.display import figure_html

STEP_BUDGET_MS = 50.0
PAGE_BUDGET_MB = 10.0


@dataclass
class Setup:
    """Sizes of the benchmarked sequences and models."""

    T: int = 100  # steps of the live sequence
    H: int = 10  # hidden units (the counting model of chapter 4)
    H_big: int = 32  # a wider model
    I: int = 8  # input features
    B: int = 12  # sample texts in the explorer
    seed: int = 0


def lstm(I: int, H: int, seed: int) -> cells.LSTM:
    rng = np.random.default_rng(seed)
    return cells.LSTM({
        "weight_ih_l0": rng.normal(size=(4 * H, I)) * 0.5,
        "weight_hh_l0": rng.normal(size=(4 * H, H)) * 0.5,
        "bias_ih_l0": rng.normal(size=4 * H) * 0.1,
        "bias_hh_l0": rng.normal(size=4 * H) * 0.1,
    })


def median_ms(fn, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def bench_live(s: Setup, H: int, repeats: int) -> dict[str, float]:
    rng = np.random.default_rng(s.seed)
    x = rng.normal(size=(s.T, s.I))
    tokens = "".join(rng.choice(list("abXY."), size=s.T))
    st = widgets.StepThrough(lstm(s.I, H, s.seed), x, tokens)
    k = iter(range(10**9))

    def step() -> None:
        st.step.value = (st.step.value + 7) % s.T

    def what_if() -> None:  # a new override at a new step: re-run from there
        st.set_override(t=(next(k) * 13) % s.T, gate="f", unit=1, value=0.0)

    def value() -> None:  # dragging the value of the active override
        st.value.value = 0.5 if st.value.value != 0.5 else 0.25

    out = {"live step": median_ms(step, repeats),
           "what-if": median_ms(what_if, repeats)}
    out["what-if value"] = median_ms(value, repeats)
    t_run = median_ms(lambda: st._run([st.override]), repeats)
    out["(cell re-run alone)"] = t_run
    return out


def bench_explorer(s: Setup, repeats: int) -> float:
    rng = np.random.default_rng(s.seed + 1)
    alphabet = "abXY."
    texts = ["".join(rng.choice(list(alphabet), size=40)) for _ in range(s.B)]
    model = cells.SequenceModel(lstm(len(alphabet), s.H, s.seed), cells.Dense(
        rng.normal(size=(len(alphabet), s.H))))
    ex = widgets.Explorer({"lstm": model}, texts, alphabet)

    def unit() -> None:
        ex.unit.value = (ex.unit.value + 1) % s.H

    return median_ms(unit, repeats)


def sizes(s: Setup) -> dict[str, tuple[int, int]]:
    """(JSON bytes, HTML bytes) of the figures a chapter page holds."""
    rng = np.random.default_rng(s.seed + 2)
    x = rng.normal(size=(s.T, s.I))
    tokens = "".join(rng.choice(list("abXY."), size=s.T))
    small = lstm(s.I, s.H, s.seed).trace(x)
    big = lstm(s.I, s.H_big, s.seed).trace(x)
    words = ("In France , Mary ate her croissant but Frank did not like the "
             "wine .").split()
    sentence = lstm(s.I, 12, s.seed).trace(rng.normal(size=(len(words), s.I)))
    batch = lstm(s.I, s.H, s.seed).trace(rng.normal(size=(20, 40, s.I)))
    texts = ["".join(rng.choice(list("abXY."), size=40)) for _ in range(20)]
    figs = {
        f"step-through T={s.T} H={s.H}": viz.step_through(small, tokens),
        f"step-through T={s.T} H={s.H_big}": viz.step_through(big, tokens),
        f"step-through {len(words)} words H=12": viz.step_through(sentence, words),
        "char heatmap 20 x 40": viz.char_heatmap(batch, texts, "c", 3),
        f"explorer 20 x 40, {s.H} units x 2 quantities": viz.explorer_figure(
            batch, texts, quantities=["h", "c"]),
        f"unit internals T={s.T}": viz.unit_internals(small, 1, tokens=tokens),
    }
    return {k: (len(f.to_json()), len(figure_html(f))) for k, f in figs.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=40)
    args = ap.parse_args()
    s = Setup()
    print(f"live controls, median of {args.repeats} updates, T = {s.T} steps "
          f"(budget {STEP_BUDGET_MS:.0f} ms)")
    worst = 0.0
    for H in (s.H, s.H_big):
        for name, ms in bench_live(s, H, args.repeats).items():
            flag = "" if name.startswith("(") else (
                "ok" if ms <= STEP_BUDGET_MS else "OVER BUDGET")
            if not name.startswith("("):
                worst = max(worst, ms)
            print(f"  H = {H:3d}  {name:22s} {ms:7.1f} ms  {flag}")
    ms = bench_explorer(s, args.repeats)
    worst = max(worst, ms)
    print(f"  explorer unit change ({s.B} texts x 40 chars, H = {s.H}) {ms:7.1f} ms")
    verdict = "within" if worst <= STEP_BUDGET_MS else "OVER"
    print(f"slowest live update: {worst:.1f} ms ({verdict} the "
          f"{STEP_BUDGET_MS:.0f} ms budget)")

    print("\nfigure sizes (JSON as in the notebook / HTML as in the rendered page)")
    table = sizes(s)
    for name, (js, ht) in table.items():
        print(f"  {name:42s} {js / 1e3:8.1f} kB {ht / 1e3:8.1f} kB")
    # A heavy chapter page: four long step-throughs and the other figures once.
    per_step = table[f"step-through T={s.T} H={s.H_big}"][1]
    page = 4 * per_step + sum(ht for _, ht in table.values())
    print(f"  a page with 4 extra step-throughs (T={s.T}, H={s.H_big}) and all of "
          f"the above: {page / 1e6:.2f} MB (budget {PAGE_BUDGET_MB:.0f} MB)")


if __name__ == "__main__":
    main()
