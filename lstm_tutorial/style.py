"""The book's figure style, and how figures read traces: the kit of ``viz``.

Every figure module draws with these (public, so chapter code uses them too):

- colour scales: ``DIVERGING`` (h, c, candidates: red -1, white 0, blue +1),
  ``GATE_SCALE`` (gates: white 0 to blue 1), ``CURRENT`` (the step shown);
  :func:`colour_range` picks the scale, range and colour bar of a quantity;
- ``FONT``, :func:`base_layout` (no template, small margins), :func:`title_dict`;
- :func:`rounded`: values as JSON lists rounded to 3 decimals (NaN -> gap);
- tokens: :func:`shown` (blanks made visible, HTML escaped), :func:`token_rows`,
  :func:`sequence_tokens`; units: :func:`unit_labels`;
- reading a trace: :func:`kind_of`, :func:`values_of` (a quantity as (B, T, H)).

Names, symbols and line colours of the quantities come from
:mod:`lstm_tutorial.gates`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np

from .gates import QUANTITIES, canonical, family, is_gate

__all__ = [
    "DIVERGING",
    "GATE_SCALE",
    "CURRENT",
    "WRAP",
    "FONT",
    "SHOWN",
    "colour_range",
    "unit_labels",
    "kind_of",
    "values_of",
    "rounded",
    "shown",
    "token_rows",
    "sequence_tokens",
    "base_layout",
    "title_dict",
]

DIVERGING = [  # red (-1) -> white (0) -> blue (+1)
    [0.0, "rgb(178,24,43)"],
    [0.25, "rgb(239,138,98)"],
    [0.5, "rgb(255,255,255)"],
    [0.75, "rgb(103,169,207)"],
    [1.0, "rgb(33,102,172)"],
]
GATE_SCALE = [  # white (0, closed) -> blue (1, open), same blues as DIVERGING
    [0.0, "rgb(255,255,255)"],
    [0.5, "rgb(103,169,207)"],
    [1.0, "rgb(33,102,172)"],
]
CURRENT = "rgb(255,214,90)"  # the step being shown in a step-through
WRAP = 40  # cells per line when a character heatmap wraps a long text
FONT = dict(family="Helvetica, Arial, sans-serif", size=12, color="#222")
SHOWN = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5", "": ""}  # visible blanks


def colour_range(quantity: str, kind: str = "lstm", values: Any = None) -> dict:
    """Heatmap colour settings of a quantity: colorscale, zmin, zmax, colorbar.

    Gates: white -> blue on [0, 1]. h, c, g, n: red-white-blue on [-1, 1].
    Anything else (pre-activations, logits): red-white-blue on [-m, m] with
    m = max |values| (1 if no values are given).
    """
    q = canonical(quantity, kind)
    if is_gate(q, kind):
        return dict(colorscale=GATE_SCALE, zmin=0.0, zmax=1.0,
                    colorbar=dict(title=dict(text="gate, 0 to 1"),
                                  tickvals=[0, 0.5, 1]))
    if q in QUANTITIES[family(kind)]:
        note = "-1 to 1,<br>clipped" if q == "c" else "-1 to 1"
        return dict(colorscale=DIVERGING, zmin=-1.0, zmax=1.0,
                    colorbar=dict(title=dict(text=note), tickvals=[-1, 0, 1]))
    m = 1.0
    if values is not None:
        a = np.asarray(values, dtype=float)
        if np.isfinite(a).any():
            m = max(float(np.nanmax(np.abs(a))), 1e-6)
    m = float(np.round(m, 3))
    return dict(colorscale=DIVERGING, zmin=-m, zmax=m,
                colorbar=dict(title=dict(text=f"-{m:g} to {m:g}")))


def unit_labels(hidden_size: int, unit_names: Any = None) -> list[str]:
    """One label per unit: its name where it has one, else "unit k".

    unit_names: None, a sequence of H names (None or "" for unnamed units) or a
    mapping {unit: name}. Repeated names get the unit number appended.
    """
    if unit_names is None:
        names: dict[int, str] = {}
    elif isinstance(unit_names, Mapping):
        names = {int(k): str(v) for k, v in unit_names.items() if v}
    elif isinstance(unit_names, str):
        raise ValueError("unit_names must be a sequence or mapping of names, got a str")
    else:
        if len(unit_names) != hidden_size:
            raise ValueError(
                f"unit_names must hold {hidden_size} names (one per unit), "
                f"got {len(unit_names)}"
            )
        names = {k: str(v) for k, v in enumerate(unit_names) if v}
    bad = [k for k in names if not 0 <= k < hidden_size]
    if bad:
        raise ValueError(
            f"unit_names refers to units {bad}, expected 0..{hidden_size - 1}")
    labels = [names.get(k, f"unit {k}") for k in range(hidden_size)]
    counts = {s: labels.count(s) for s in labels}
    return [f"{s} ({k})" if counts[s] > 1 else s for k, s in enumerate(labels)]


# ----------------------------------------------------------------- reading traces


def kind_of(source: Any, kind: str | None) -> str:
    """The cell kind of a trace: ``kind`` if given, else the trace's own
    ``kind``, else guessed from a plain mapping's keys (f: LSTM, r: GRU)."""
    if kind is not None:
        return kind
    k = getattr(source, "kind", None)
    if k is None and isinstance(source, Mapping):
        k = source.get("kind")
    if k is None:
        keys = set(source.quantities if hasattr(source, "quantities") else source)
        k = "lstm" if "f" in keys else "gru" if "r" in keys else "rnn"
    return k


def values_of(source: Any, quantity: str, layer: int | None, kind: str) -> np.ndarray:
    """source[quantity] of the chosen layer as a float (B, T, H) array."""
    if layer is not None:
        if not hasattr(source, "layer"):
            raise ValueError("layer= needs a cells.Trace, got a plain mapping")
        source = source.layer(layer)
    q = canonical(quantity, kind)
    try:
        a = source[q]
    except KeyError:
        have = source.quantities if hasattr(source, "quantities") else tuple(source)
        raise KeyError(
            f"the trace has no quantity {quantity!r}; it has {have}") from None
    a = np.asarray(a, dtype=float)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3:
        raise ValueError(
            f"{quantity} must have shape (T, H) or (B, T, H), got {a.shape}")
    return a


def rounded(a: Any) -> list:
    """Nested lists rounded to 3 decimals, NaN -> None (JSON null: a gap)."""
    a = np.round(np.asarray(a, dtype=float), 3)
    if np.isnan(a).any():
        o = a.astype(object)
        o[np.isnan(a)] = None
        return o.tolist()
    return a.tolist()


def shown(token: str) -> str:
    """A token as printed in a cell: blanks made visible, HTML escaped."""
    return html.escape(SHOWN.get(token, token), quote=False)


def token_rows(tokens: Any, n_rows: int) -> list[list[str]]:
    """tokens -> one list of tokens per row.

    Per row: a str (one character per step) or a sequence of str (one token per
    step, e.g. words). With one row, a bare str or a flat list of str is that row.
    """
    if isinstance(tokens, str):
        rows = [tokens]
    elif (n_rows == 1 and len(tokens) != 1 and all(isinstance(t, str) for t in tokens)):
        rows = [list(tokens)]
    else:
        rows = list(tokens)
    if len(rows) != n_rows:
        raise ValueError(f"tokens must give {n_rows} row(s) (one per sequence), "
                         f"got {len(rows)}")
    out = []
    for r in rows:
        if isinstance(r, str):
            out.append(list(r))
        elif all(isinstance(t, str) for t in r):
            out.append(list(r))
        else:
            raise ValueError("each row of tokens must be a str or a list of str, "
                             f"got {r!r}")
    return out


def sequence_tokens(tokens: Any, T: int) -> list[str]:
    """Tokens of one sequence of T steps: a str or a list of T str (None: steps)."""
    if tokens is None:
        return [str(t) for t in range(T)]
    toks = list(tokens) if isinstance(tokens, str) else [str(t) for t in tokens]
    if len(toks) != T:
        raise ValueError(f"tokens must give one token per step ({T}), got {len(toks)}")
    return toks


def base_layout(**kw: Any) -> dict:
    """The book's compact look: no template (plotly.js defaults), small margins."""
    base = dict(template="none", font=FONT, margin=dict(l=70, r=30, t=60, b=50),
                plot_bgcolor="white", hoverlabel=dict(font_size=12))
    base.update(kw)
    return base


def title_dict(text: str | None) -> dict | None:
    """A figure title, left-aligned (None: no title)."""
    return None if text is None else dict(text=text, x=0.01, xanchor="left")
