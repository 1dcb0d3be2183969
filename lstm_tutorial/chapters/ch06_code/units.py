"""Units of the trained code model that follow a feature of the code.

The model's units are every layer's cell states and hidden states side by side:
unit u of quantity q ("c" or "h") is ``trace.layers[u // H][q][..., u % H]``,
named "layer 2, c 37" (1-based layers, as the chapter counts them).

A numeric feature (bracket depth, indentation, column) is matched by Pearson's
r (``neurons.correlations``); a yes/no feature (inside a string, ...) by the
AUC: the chance that the unit is higher at a random "yes" character than at a
random "no" one (ties count one half),

    AUC_u = (R_u - n_yes (n_yes + 1) / 2) / (n_yes n_no),

where R_u is the sum of the ranks of the "yes" characters among all of unit
u's values. 0.5 is chance; 0 and 1 both mean the unit separates the two
perfectly (low or high on "yes"), so units are ranked by |AUC - 0.5|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_tutorial.chapters.ch06_code.features import BINARY, FEATURES
from lstm_tutorial.neurons import correlations
from lstm_tutorial.traces import Trace

__all__ = ["FeatureUnit", "auc", "best_units", "stack_units", "unit_name"]


def stack_units(trace: Trace, quantity: str) -> np.ndarray:
    """Every layer's ``quantity`` side by side: (B, T, L * H)."""
    if quantity not in ("c", "h"):
        raise ValueError(f"quantity must be 'c' or 'h', got {quantity!r}")
    return np.concatenate([lt[quantity] for lt in trace.layers], axis=-1)


def unit_name(quantity: str, unit: int, hidden: int) -> str:
    """"layer 2, c 37" for unit 229 of the stacked c of a 192-wide model."""
    return f"layer {unit // hidden + 1}, {quantity} {unit % hidden}"


def auc(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """AUC of every unit for the yes/no labels: values (N, U), labels (N,) of
    0/1 -> (U,). Tied values share their average rank."""
    v = np.asarray(values, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    if v.ndim != 2 or y.shape != (v.shape[0],):
        raise ValueError(f"values must be (N, U) and labels (N,), got "
                         f"{v.shape} and {y.shape}")
    n_yes = int(y.sum())
    n_no = len(y) - n_yes
    if n_yes == 0 or n_no == 0:
        raise ValueError(f"labels must hold both yes and no, got {n_yes} yes "
                         f"and {n_no} no")
    out = np.empty(v.shape[1])
    for u in range(v.shape[1]):
        _, inverse, counts = np.unique(v[:, u], return_inverse=True,
                                       return_counts=True)
        upper = np.cumsum(counts)  # rank of each distinct value's last copy
        mid = upper - (counts - 1) / 2  # the average rank of its copies
        R = mid[inverse][y].sum()
        out[u] = (R - n_yes * (n_yes + 1) / 2) / (n_yes * n_no)
    return out


@dataclass(frozen=True)
class FeatureUnit:
    """The unit that follows ``feature`` best: its ``name``, stacked index
    ``unit`` in ``quantity``, the ``measure`` ("r" or "AUC") and ``score``."""

    feature: str
    quantity: str
    unit: int
    name: str
    measure: str
    score: float


def best_units(trace: Trace, feats: dict[str, list[np.ndarray]],
               quantities: tuple[str, ...] = ("c", "h")) -> list[FeatureUnit]:
    """For every feature of ``feats`` ({name: one (T_b,) array per sequence of
    the trace, as ``features.feature_rows`` gives}), the unit over all layers
    and ``quantities`` that follows it best (by |r| or |AUC - 0.5|)."""
    B, T = trace.h.shape[:2]
    H = trace.layers[0].h.shape[-1]
    out = []
    for feature in FEATURES:
        rows = feats[feature]
        if len(rows) != B or any(len(r) != T for r in rows):
            raise ValueError(f"feature {feature!r} needs {B} rows of {T} "
                             f"characters, got {[len(r) for r in rows]}")
        y = np.stack(rows)  # (B, T)
        best: FeatureUnit | None = None
        for q in quantities:
            v = stack_units(trace, q)  # (B, T, L H)
            if feature in BINARY:
                scores = auc(v.reshape(B * T, -1), y.reshape(-1))
                strength, measure = np.abs(scores - 0.5), "AUC"
            else:
                scores = correlations(v, y)
                strength, measure = np.abs(scores), "r"
            u = int(np.argmax(strength))
            if best is None or strength[u] > abs(best.score - (measure == "AUC") / 2):
                best = FeatureUnit(feature, q, u, unit_name(q, u, H), measure,
                                   float(scores[u]))
        assert best is not None
        out.append(best)
    return out
