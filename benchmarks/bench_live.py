"""Benchmark of the live controls in JupyterLab, in headless Chromium (a report).

Chapter 3, run up to its live control (the sentence what-if: a step slider over
15 words), in a JupyterLab started from this environment on localhost
(``tests/jupyterlab_session.py``). Measured in the page, from the browser's own
clock:

- key press -> figure shows the new step: from the keydown on the focused step
  slider to the first animation frame whose plot has the new step's title
  (through the kernel: the slider's message, the Python redraw, the figure's
  message, ``Plotly.react``). Budget: median at most 60 ms.
- a one-second drag across the slider's 15 steps: from the pointer going down
  to the first frame that shows the last step. Budget: at most 1.5 s.

Also printed: the Python side of one step (figure + message), measured in this
process. Run: python benchmarks/bench_live.py [--presses N] [--drags N]
"""

from __future__ import annotations

import argparse
import math
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from jupyterlab_session import LabPage, copy_through, jupyterlab
from offline_browser import CHROMIUM, CHROMIUM_ARGS

KEY_BUDGET_MS = 60.0
DRAG_BUDGET_S = 1.5
CHAPTER = ROOT / "book" / "03_lstm.ipynb"
LIVE_CELL = "ch3.SentenceWhatIf("
LIVE = ".lstm-live-figure-plot"

# In the page: time from an input event to the first frame with a new title.
WATCH = f"""(kind) => {{ window.__watch = new Promise(resolve => {{
    const gd = document.querySelector('{LIVE}');
    const start = {{}};
    const onInput = (e) => {{
        if (start.t !== undefined) return;
        start.t = performance.now();
        start.title = gd.layout.title.text;
        start.draws = +gd.dataset.draws;
        if (kind === 'key') poll(); }};
    const target = kind === 'key' ? 'keydown' : 'pointerdown';
    document.addEventListener(target, onInput, {{capture: true, once: true}});
    window.__want = null;
    setTimeout(() => resolve({{ms: NaN, draws: 0, title: 'timed out'}}), 10000);
    const poll = () => requestAnimationFrame(() => {{
        const title = gd.layout.title.text;
        const done = window.__want ? title.startsWith(window.__want)
                                   : title !== start.title;
        if (done) resolve({{ms: performance.now() - start.t,
                            draws: +gd.dataset.draws - start.draws, title,
                            arrivedMs: +gd.dataset.specAt - start.t,
                            reactMs: +gd.dataset.reactMs}});
        else poll(); }});
    window.__startPoll = poll;
}}); }}"""
RESULT = "() => window.__watch"


def python_step_ms(repeats: int = 40) -> float:
    """Median time of one step update in Python (figure + JSON for the view)."""
    from lstm_tutorial import handset
    from lstm_tutorial.chapters import ch03_lstm as ch3

    net = handset.sentence_lstm()
    control = ch3.SentenceWhatIf(net, [handset.FRANCE], unit="eating")
    st = control.stepper
    times = []
    for k in range(repeats):
        t0 = time.perf_counter()
        st.step.value = (st.step.value + 1) % (st.step.max + 1)
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def measure(page, presses: int, drags: int) -> tuple[list[float], list[dict]]:
    slider = page.locator(".widget-slider", has=page.locator(
        "label", has_text="step t"))
    handle = slider.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    steps = int(float(handle.get_attribute("aria-valuemax"))) + 1
    key_ms, parts = [], []
    handle.focus()
    direction = "ArrowRight"
    for _ in range(presses):
        value = int(float(handle.get_attribute("aria-valuenow")))
        if value == steps - 1:
            direction = "ArrowLeft"
        elif value == 0:
            direction = "ArrowRight"
        page.evaluate(WATCH, "key")
        page.keyboard.press(direction)
        result = page.evaluate(RESULT)
        key_ms.append(result["ms"])
        parts.append((result["arrivedMs"], result["reactMs"]))
        page.wait_for_timeout(150)
    missed = sum(math.isnan(ms) for ms in key_ms)
    if missed:
        raise RuntimeError(f"{missed} key presses never drew a new step")
    arrived = statistics.median(a for a, _ in parts)
    react = statistics.median(r for _, r in parts)
    print(f"  of which: new figure arrives from the kernel after {arrived:.0f} ms, "
          f"Plotly.react takes {react:.0f} ms (medians)")

    drag_results = []
    base = slider.locator(".noUi-base").bounding_box()
    y = base["y"] + base["height"] / 2
    for _ in range(drags):
        handle.focus()  # back to step 0 from the keyboard
        page.keyboard.press("Home")
        page.wait_for_function(
            f"() => document.querySelector('{LIVE}').layout.title.text"
            ".startsWith('step 0:')", timeout=10_000)
        page.wait_for_timeout(300)
        box = handle.bounding_box()
        page.evaluate(WATCH, "drag")
        page.evaluate(f"() => {{ window.__want = 'step {steps - 1}:'; }}")
        page.mouse.move(box["x"] + box["width"] / 2, y)
        page.mouse.down()
        page.evaluate("() => window.__startPoll()")
        t0 = time.perf_counter()
        moves = 30  # one second, 30 pointer moves
        for k in range(1, moves + 1):
            x = base["x"] + base["width"] * k / moves
            page.mouse.move(min(x, base["x"] + base["width"] - 1), y)
            remaining = t0 + k / moves - time.perf_counter()
            if remaining > 0:
                time.sleep(remaining)
        page.mouse.up()
        held = time.perf_counter() - t0
        result = page.evaluate(RESULT)
        result["held_s"] = held
        drag_results.append(result)
    return key_ms, drag_results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presses", type=int, default=28)
    ap.add_argument("--drags", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    # a SIGTERM (e.g. from `timeout`) still stops the JupyterLab started here
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    print(f"Python side of one step (figure + JSON): {python_step_ms():.1f} ms "
          "(median, this process)")
    with tempfile.TemporaryDirectory() as tmp:
        folder, home = Path(tmp) / "notebooks", Path(tmp) / "home"
        folder.mkdir()
        copy_through(CHAPTER, folder / "live.ipynb", LIVE_CELL)
        with jupyterlab(folder, home) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            visit = LabPage(browser, url)
            visit.open("live.ipynb")
            visit.run_all()
            visit.page.wait_for_function(
                f"() => {{ const g = document.querySelector('{LIVE}');"
                " return g && +g.dataset.draws > 0; }", timeout=60_000)
            visit.page.wait_for_timeout(1000)
            key_ms, drags = measure(visit.page, args.presses, args.drags)
            errors = visit.errors
            browser.close()
    med = statistics.median(key_ms)
    q = statistics.quantiles(key_ms, n=10)
    print(f"key press -> new step drawn, {len(key_ms)} presses: median {med:.0f} ms "
          f"(10%: {q[0]:.0f}, 90%: {q[-1]:.0f}, max {max(key_ms):.0f}) "
          f"budget {KEY_BUDGET_MS:.0f} ms: "
          f"{'ok' if med <= KEY_BUDGET_MS else 'OVER BUDGET'}")
    worst = max(d["ms"] for d in drags) / 1e3
    for d in drags:
        print(f"one-second drag across 15 steps (pointer held {d['held_s']:.2f} s): "
              f"last step drawn after {d['ms'] / 1e3:.2f} s "
              f"({d['ms'] / 1e3 - d['held_s']:+.2f} s after release), "
              f"{d['draws']} redraws")
    print(f"slowest drag {worst:.2f} s, budget {DRAG_BUDGET_S} s: "
          f"{'ok' if worst <= DRAG_BUDGET_S else 'OVER BUDGET'}")
    if errors:
        print(f"JavaScript errors: {errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
