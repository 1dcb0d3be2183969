"""The one place that says which notebook outputs nbval does not compare.

nbval re-runs every chapter in ``book/`` in a fresh kernel and compares each
output with the one stored in the notebook. Everything a reader relies on
(printed accuracies, agreement counts, tables, weights) is compared exactly.
Only outputs that cannot be stable are excluded, each on purpose:

1. Plot markup. ``lstm_tutorial.display.show`` stores a figure twice: as plotly
   JSON (for live Jupyter) and as an HTML fragment (for the book). Both are
   generated markup holding thousands of floats whose last digits are not part
   of what the chapter claims; the numbers a figure illustrates are printed by
   the cell as text and compared there. The JSON is skipped and the HTML fragment
   is reduced to a marker, so a figure that disappears still fails the test.
2. Timings and progress bars. Wall-clock seconds and tqdm's rate/ETA vary from run
   to run. Chapters print timings as ``took 1.23 s`` or ``took 4.5 ms``; the
   number is masked.
3. Widget views. nbval itself skips ``application/vnd.jupyter.widget-view+json``
   (model ids are random); the text/plain and text/html next to it are compared.
"""

from __future__ import annotations

import os

# The kernels nbval starts inherit this environment: torch's numerical paths
# pinned as lstm_tutorial pins them, before any kernel has imported torch.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")
os.environ.setdefault("MKL_CBWR", "COMPATIBLE")

SKIP_MIME = ("application/vnd.plotly.v1+json",)

SANITIZE = {
    # a plotly figure's HTML fragment -> one marker per figure
    r'(?s)^<div[^>]*>\s*<div id="fig-[0-9a-f]+" class="plotly-graph-div".*': "PLOTLY-FIGURE",
    # wall-clock timings printed by the chapters
    r"took \d+(\.\d+)? s": "took TIME s",
    r"took \d+(\.\d+)? ms": "took TIME ms",
    # tqdm progress bars: rate, elapsed and remaining time
    r"\[\d\d:\d\d(<[\d:?]+)?(, *[\d.?]+ *\w+/s)?\]": "[TQDM]",
    r"\d+(\.\d+)?(it|s)/s": "RATE",
}


def pytest_collectstart(collector) -> None:
    try:
        from nbval.plugin import IPyNbFile
    except ImportError:  # nbval not installed: nothing to configure
        return
    if isinstance(collector, IPyNbFile):
        collector.skip_compare = tuple(collector.skip_compare) + SKIP_MIME
        collector.sanitize_patterns.update(SANITIZE)
