"""Stacking: what each layer of a stacked LSTM follows, found by correlation.

Layer k reads the hidden states of layer k - 1 (layer 1 reads the one-hot
characters): h^k_t = LSTM_k(h^{k-1}_t, h^k_{t-1}, c^k_{t-1}). On the copy task
(``tasks.CopyTask``) three task variables tell apart what a layer is about,
over the scored part of every text (from the X on, where the model writes):

- *reads*: the character just read is a (b, c);
- *writes*: the next character is a (b, c);
- *position*: how far into the copy the model is (0 at the X).

For each layer and variable: the largest |r| of any unit's h with it
(``neurons.correlations``), averaged over the three letters for *reads* and
*writes*. Reading and writing are independent in random words (the letter just
read is position j, the next one position j + 1), so a unit cannot score high
on both by accident.
"""

from __future__ import annotations

import numpy as np

from ...cells import SequenceModel
from ...models import CharModel
from ...neurons import char_is, column, correlations, next_char_is
from ...tasks import CopyTask

__all__ = ["VARIABLES", "layer_scores", "best_units"]

VARIABLES = ("reads", "writes", "position")


def _inputs(task: CopyTask) -> tuple[list[str], np.ndarray, np.ndarray]:
    texts = task.all_texts()
    ids = np.stack([task.encode(t[:-1]) for t in texts])  # (B, T) inputs
    mask = np.stack([task.mask(t) for t in texts])  # (B, T) scored
    return texts, ids, mask


def _targets(texts: list[str]) -> dict[str, list]:
    inputs = [t[:-1] for t in texts]
    x = inputs[0].index("X")
    return {
        **{f"reads {ch}": char_is(inputs, ch) for ch in "abc"},
        **{f"writes {ch}": next_char_is(texts, ch) for ch in "abc"},
        "position": [c - x for c in column(inputs)],
    }


def best_units(model: CharModel, task: CopyTask) -> list[dict[str, tuple[int, float]]]:
    """Per layer: for each variable ("reads a", ..., "writes c", "position"),
    the unit with the largest |r| and its r, over the scored positions of every
    text of the task (numpy replay of the trained model)."""
    texts, ids, mask = _inputs(task)
    trace = SequenceModel.from_torch(model).trace(ids)
    out = []
    for layer in trace.layers:
        row = {}
        for name, target in _targets(texts).items():
            r = correlations(layer.h, target, mask)
            k = int(np.argmax(np.abs(r)))
            row[name] = (k, float(r[k]))
        out.append(row)
    return out


def layer_scores(model: CharModel, task: CopyTask) -> list[dict[str, float]]:
    """Per layer: {"reads", "writes", "position"} -> best |r| (reads and writes
    averaged over the letters a, b, c)."""
    scores = []
    for row in best_units(model, task):
        scores.append({
            "reads": float(np.mean([abs(row[f"reads {ch}"][1]) for ch in "abc"])),
            "writes": float(np.mean([abs(row[f"writes {ch}"][1]) for ch in "abc"])),
            "position": abs(row["position"][1]),
        })
    return scores
