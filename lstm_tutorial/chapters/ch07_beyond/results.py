"""The shipped results and weights of chapter 7's scripts, read back.

``scripts/ch07_stacking.py``, ``ch07_bidir.py`` and ``ch07_attention.py``
train small networks with fixed seeds and write what they measured as JSON into
``lstm_tutorial/results/`` and a few trained models as ``.npz`` (float32
arrays and a JSON config, no pickle) into ``lstm_tutorial/weights/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["RESULTS_DIR", "WEIGHTS_DIR", "FILES", "load", "weights_path"]

RESULTS_DIR = Path(__file__).resolve().parents[2] / "results"
WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "weights"
FILES = {  # name -> (file, the script that writes it, keys every copy holds)
    "stacking": ("ch07_stacking.json", "ch07_stacking.py",
                 ("recipe", "task", "runs")),
    "bidir": ("ch07_bidir.json", "ch07_bidir.py",
              ("config", "runs", "one_way_best", "n_open")),
    "attention": ("ch07_attention.json", "ch07_attention.py",
                  ("config", "lengths", "runs")),
}


def load(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    """The results file ``name`` ("stacking", "bidir", "attention") as a dict;
    ValueError if it is missing, not JSON, or lacks a key the chapter reads."""
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


def weights_path(name: str, directory: str | Path | None = None) -> Path:
    """lstm_tutorial/weights/ch07_<name>.npz; ValueError if it is missing."""
    path = Path(directory or WEIGHTS_DIR) / f"ch07_{name}.npz"
    if not path.is_file():
        raise ValueError(f"no weights file {path}: run the chapter 7 scripts")
    return path
