"""The shipped results of chapter 5's scripts, read back with clear errors.

``scripts/ch05_counting.py``, ``ch05_family.py`` and ``ch05_timing.py`` train
many small networks with fixed seeds and write what they measured as JSON into
``lstm_tutorial/results/``. The chapter loads those files (plain JSON, nothing
executed) and re-runs one cell of each to show that it reproduces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["RESULTS_DIR", "FILES", "load"]

RESULTS_DIR = Path(__file__).resolve().parents[2] / "results"
FILES = {  # name -> (file, the script that writes it, keys every copy holds)
    "counting": ("ch05_counting.json", "ch05_counting.py",
                 ("recipes", "runs", "medians", "search")),
    "counting_extra": ("ch05_counting_lstm_extra.json",
                       "ch05_counting.py --lstm-extra",
                       ("search", "recipe", "runs", "median")),
    "family": ("ch05_family.json", "ch05_family.py",
               ("recipe", "tasks", "runs", "medians")),
    "timing": ("ch05_timing.json", "ch05_timing.py",
               ("recipes", "runs", "by_interval", "test_ks")),
}


def load(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    """The results file ``name`` ("counting", "counting_extra", "family",
    "timing") as a dict; ValueError if it is missing, not JSON, or lacks a key
    the chapter reads."""
    if name not in FILES:
        raise ValueError(f"results must be one of {sorted(FILES)}, got {name!r}")
    file, script, keys = FILES[name]
    path = Path(directory or RESULTS_DIR) / file
    if not path.is_file():
        raise ValueError(f"no results file {path}: run scripts/{script} to make it")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"results file {path} is not valid JSON ({err}); "
                         "re-run its script to rebuild it") from None
    missing = [k for k in keys if not isinstance(data, dict) or k not in data]
    if missing:
        raise ValueError(f"results file {path} lacks {missing}: it is corrupt or "
                         "from another version; re-run its script")
    return data
