"""Finding neurons by computation: rank units by how well they follow a task variable.

For every unit k, the Pearson correlation between its values v_k (one per scored
position) and a task variable y computed from the text (count so far, A vs B,
"next character is b", ...):

    r_k = sum_n (v_nk - mean v_k)(y_n - mean y) / (||v_k - mean v_k|| ||y - mean y||)

Units are ranked by |r_k|. A constant unit has no defined correlation; it gets
r = 0 (and no warning). A chapter prints ``ranking[0]`` as "unit 3, r = 0.98".

The task variables below take the texts the model read and return one array per
text, aligned with its characters (padded batches: pass them as they are; rows
shorter than the trace's T are padded with NaN and left out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "UnitScore",
    "correlations",
    "rank_units",
    "format_ranking",
    "pad",
    "running_count",
    "char_is",
    "next_char_is",
    "last_seen",
    "column",
    "indentation",
]


class UnitScore(NamedTuple):
    """One unit and its correlation with the task variable."""

    unit: int
    r: float

    def __str__(self) -> str:
        return f"unit {self.unit}, r = {self.r:.2f}"


def pad(rows: Sequence[Any], length: int | None = None,
        fill: float = np.nan) -> np.ndarray:
    """Ragged rows (T_b,) or (T_b, H) -> one (B, T) or (B, T, H) float array,
    filled with ``fill`` (NaN: left out of correlations) after each row's end."""
    arrays = [np.asarray(r, dtype=float) for r in rows]
    if not arrays:
        raise ValueError("pad needs at least one row")
    tail = {a.shape[1:] for a in arrays}
    if len(tail) != 1 or arrays[0].ndim not in (1, 2):
        raise ValueError(f"rows must all be (T_b,) or all (T_b, H), got shapes "
                         f"{[a.shape for a in arrays]}")
    T = max(len(a) for a in arrays) if length is None else length
    if any(len(a) > T for a in arrays):
        raise ValueError(f"rows must be at most {T} steps long, got "
                         f"{max(len(a) for a in arrays)}")
    out = np.full((len(arrays), T) + arrays[0].shape[1:], fill, dtype=float)
    for b, a in enumerate(arrays):
        out[b, : len(a)] = a
    return out


def _as_values(values: Any) -> np.ndarray:
    """(B, T, H) / (T, H) / list of (T_b, H) -> float (B, T, H)."""
    if isinstance(values, np.ndarray) or not isinstance(values, Sequence):
        v = np.asarray(values, dtype=float)
        if v.ndim == 2:
            v = v[None]
        if v.ndim != 3:
            raise ValueError(
                f"values must have shape (T, H) or (B, T, H), got {v.shape}")
        return v
    return pad(values)


def _as_target(target: Any, shape: tuple[int, int]) -> np.ndarray:
    """(B, T) / (T,) / list of (T_b,) rows (padded with NaN up to T) -> (B, T)."""
    B, T = shape
    if isinstance(target, np.ndarray) or not isinstance(target, Sequence) or (
        len(target) and np.ndim(target[0]) == 0
    ):
        y = np.asarray(target, dtype=float)
        if y.ndim == 1 and B == 1:
            y = y[None]
    else:
        y = pad(target, length=T) if all(len(r) <= T for r in target) else None
        if y is None:
            raise ValueError(f"target rows must be at most T = {T} steps long")
    if y.shape != (B, T):
        raise ValueError(f"target must have shape {(B, T)} to match values "
                         f"(B, T, H) = {(B, T)}, got {y.shape}")
    return y


def correlations(values: Any, target: Any, mask: Any = None) -> np.ndarray:
    """Pearson r of every unit with the target: (H,) in [-1, 1].

    values: (B, T, H), (T, H) or a list of (T_b, H) arrays (e.g. ``trace.c``).
    target: (B, T), (T,) or a list of (T_b,) arrays; NaN marks positions to skip.
    mask: optional bool (B, T) (or list of rows): only True positions count.
    Constant units get r = 0.
    """
    v = _as_values(values)
    B, T, H = v.shape
    y = _as_target(target, (B, T))
    keep = np.isfinite(y) & np.isfinite(v).all(axis=-1)
    if mask is not None:
        m = _as_target(mask, (B, T))
        keep &= np.nan_to_num(m, nan=0.0) != 0
    n = int(keep.sum())
    if n < 2:
        raise ValueError(f"need at least 2 scored positions to correlate, got {n}")
    X, Y = v[keep], y[keep]  # (n, H), (n,)
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean()
    sx = np.sqrt((Xc**2).sum(axis=0))  # (H,)
    sy = float(np.sqrt((Yc**2).sum()))
    if sy <= 1e-10 * np.sqrt(n) * max(1.0, abs(float(Y.mean()))):
        raise ValueError("the target is constant over the scored positions; "
                         "its correlation with any unit is undefined")
    scale = 1e-10 * np.sqrt(n) * np.maximum(1.0, np.abs(X.mean(axis=0)))
    ok = sx > scale  # constant units: r = 0
    r = np.zeros(H)
    r[ok] = (Xc[:, ok].T @ Yc) / (sx[ok] * sy)
    return np.clip(r, -1.0, 1.0)


def rank_units(values: Any, target: Any, mask: Any = None,
               top: int | None = None) -> list[UnitScore]:
    """Units ranked by |r| with the target, strongest first: [(unit, r), ...].

    Arguments as in :func:`correlations`; ``top`` keeps the first ``top`` units.
    Ties keep the lower unit first.
    """
    r = correlations(values, target, mask)
    order = sorted(range(len(r)), key=lambda k: (-abs(r[k]), k))
    ranking = [UnitScore(k, float(r[k])) for k in order]
    return ranking if top is None else ranking[:top]


def format_ranking(ranking: Sequence[UnitScore], top: int = 3,
                   unit_names: Sequence[str] | Mapping[int, str] | None = None) -> str:
    """The first ``top`` units, one per line: "1. unit 3, r = 0.98"."""
    lines = []
    for k, s in enumerate(ranking[:top]):
        name = ""
        if unit_names is not None:
            got = unit_names.get(s.unit) if isinstance(unit_names, Mapping) else (
                unit_names[s.unit])
            name = f" ({got})" if got else ""
        lines.append(f"{k + 1}. {s}{name}")
    return "\n".join(lines)


# ----------------------------------------------------------------- task variables


def _texts(texts: str | Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    out = list(texts)
    if not all(isinstance(t, str) for t in out):
        raise ValueError("texts must be a str or a list of str")
    return out


def running_count(texts: str | Sequence[str], up: str = "a",
                  down: str = "b") -> list[np.ndarray]:
    """Per character: (# of ``up`` characters so far) - (# of ``down`` so far),
    the current one included. "aaXbb" -> [1, 2, 2, 1, 0]. ``up``/``down`` may
    hold several characters (bracket depth: up="([{", down=")]}")."""
    return [np.cumsum([(ch in up) - (ch in down) for ch in t], dtype=float)
            for t in _texts(texts)]


def char_is(texts: str | Sequence[str], chars: str) -> list[np.ndarray]:
    """Per character: 1.0 where it is one of ``chars``, else 0.0."""
    return [np.array([float(ch in chars) for ch in t]) for t in _texts(texts)]


def next_char_is(texts: str | Sequence[str], chars: str) -> list[np.ndarray]:
    """For full texts (input = text[:-1], as the model reads them): per input
    position t, 1.0 where text[t + 1] is one of ``chars``. Length len(text) - 1."""
    return [np.array([float(ch in chars) for ch in t[1:]]) for t in _texts(texts)]


def last_seen(texts: str | Sequence[str],
              values: Mapping[str, float]) -> list[np.ndarray]:
    """Per character: the value of the latest character so far that is a key of
    ``values`` (NaN before any). {"A": 1, "B": -1} gives the A-vs-B state."""
    out = []
    for t in _texts(texts):
        cur, row = np.nan, []
        for ch in t:
            cur = float(values[ch]) if ch in values else cur
            row.append(cur)
        out.append(np.array(row))
    return out


def column(texts: str | Sequence[str]) -> list[np.ndarray]:
    """Per character: its position in its line (0 for the first character; a
    newline is the last character of its line)."""
    out = []
    for t in _texts(texts):
        col, row = 0, []
        for ch in t:
            row.append(float(col))
            col = 0 if ch == "\n" else col + 1
        out.append(np.array(row))
    return out


def indentation(texts: str | Sequence[str]) -> list[np.ndarray]:
    """Per character: the number of leading spaces of its line."""
    out = []
    for t in _texts(texts):
        row = []
        for line in t.splitlines(keepends=True):
            depth = float(len(line) - len(line.lstrip(" ")))
            row.extend([depth] * len(line))
        out.append(np.array(row))
    return out
