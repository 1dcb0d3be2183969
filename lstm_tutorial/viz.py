"""Figures of the book: every gate and state of a trace, drawn with plotly.

Every builder takes a :class:`~lstm_tutorial.cells.Trace` (or a plain mapping of
quantity name -> array, for tests and hand-made data) and returns a
``go.Figure``; nothing here calls ``fig.show()`` (chapters use
``display.show(fig)``). All interaction in a figure is plotly's own (hover,
sliders, dropdowns), so it works in the rendered book with no kernel.

Shapes follow the traces: a quantity is (T, H) or (B, T, H); an unbatched trace
is one sequence (B = 1).

Colours are fixed so a figure can be read without its colour bar:

- h, c, candidates g / n: red (-1) through white (0) to blue (+1). Values beyond
  +-1 (the cell state can grow) take the end colour; the hover shows the value.
- gates i, f, o / r, z (in (0, 1)): white (0, closed) to blue (1, open), with a
  colour bar titled "gate, 0 to 1".

Figures stay compact: values are rounded to 3 decimals, and a step-through's
slider steps only restyle the data (``z``) of three traces, with no per-step
layout and no frames.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

__all__ = [
    "DIVERGING",
    "GATE_SCALE",
    "quantity_label",
    "is_gate",
    "colour_range",
    "unit_labels",
    "char_heatmap",
    "units_heatmap",
    "unit_internals",
    "states_at_step",
    "states_pca",
    "training_curves",
    "line_chart",
    "compare_bars",
    "table_figure",
    "step_through",
    "step_figure",
    "explorer_figure",
]

# ----------------------------------------------------------------- names, colours

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
_CURRENT = "rgb(255,214,90)"  # the step being shown in a step-through
WRAP = 40  # cells per line when a character heatmap wraps a long text

# The book's names: symbol -> label, per cell family.
_LABELS = {
    "lstm": {
        "i": "input gate i",
        "f": "forget gate f",
        "g": "candidate g",
        "o": "output gate o",
        "c": "cell state c",
        "h": "hidden state h",
    },
    "gru": {
        "r": "reset gate r",
        "z": "update gate z",
        "n": "candidate n",
        "h": "hidden state h",
    },
    "rnn": {"h": "hidden state h"},
}
_ALIASES = {
    "lstm": {"save": "i", "remember": "f", "candidate": "g", "focus": "o",
             "long_term": "c", "working": "h"},
    "gru": {"reset": "r", "update": "z", "candidate": "n", "working": "h"},
    "rnn": {"working": "h"},
}
_GATES = {"lstm": ("i", "f", "o"), "gru": ("r", "z"), "rnn": ()}
_STATES = {"lstm": ("g", "c", "h"), "gru": ("n", "h"), "rnn": ("h",)}
COLOURS = {  # one colour per quantity, the same in every line plot
    "i": "#2ca02c", "f": "#ff7f0e", "o": "#9467bd", "g": "#8c564b",
    "c": "#1f77b4", "h": "#d62728", "r": "#ff7f0e", "z": "#2ca02c", "n": "#8c564b",
}
_FONT = dict(family="Helvetica, Arial, sans-serif", size=12)
_SHOWN = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5", "": ""}  # visible blanks


def _family(kind: str | None) -> str:
    """'lstm' | 'gru' | 'rnn' (a peephole LSTM reads like an LSTM)."""
    if kind in ("lstm", "peephole"):
        return "lstm"
    if kind in ("gru", "rnn"):
        return kind
    raise ValueError(f"kind must be 'rnn', 'lstm', 'gru' or 'peephole', got {kind!r}")


def _canonical(quantity: str, kind: str) -> str:
    fam = _family(kind)
    return _ALIASES[fam].get(quantity, quantity)


def quantity_label(quantity: str, kind: str = "lstm") -> str:
    """The book's name of a trace field: "f" -> "forget gate f" (aliases too)."""
    q = _canonical(quantity, kind)
    labels = _LABELS[_family(kind)]
    if q in labels:
        return labels[q]
    if q.startswith("pre_") and q[4:] in labels:
        return f"{labels[q[4:]]}, before its activation"
    return {"x": "input x", "logits": "logits"}.get(q, q)


def is_gate(quantity: str, kind: str = "lstm") -> bool:
    """True for the gates, whose values lie in (0, 1): i, f, o (LSTM), r, z (GRU)."""
    return _canonical(quantity, kind) in _GATES[_family(kind)]


def colour_range(quantity: str, kind: str = "lstm", values: Any = None) -> dict:
    """Heatmap colour settings of a quantity: colorscale, zmin, zmax, colorbar.

    Gates: white -> blue on [0, 1]. h, c, g, n: red-white-blue on [-1, 1].
    Anything else (pre-activations, logits): red-white-blue on [-m, m] with
    m = max |values| (1 if no values are given).
    """
    q = _canonical(quantity, kind)
    if is_gate(q, kind):
        return dict(colorscale=GATE_SCALE, zmin=0.0, zmax=1.0,
                    colorbar=dict(title=dict(text="gate, 0 to 1"),
                                  tickvals=[0, 0.5, 1]))
    if q in _LABELS[_family(kind)]:
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


def _kind_of(source: Any, kind: str | None) -> str:
    if kind is not None:
        return kind
    k = getattr(source, "kind", None)
    if k is None and isinstance(source, Mapping):
        k = source.get("kind")
    if k is None:
        keys = set(source.quantities if hasattr(source, "quantities") else source)
        k = "lstm" if "f" in keys else "gru" if "r" in keys else "rnn"
    return k


def _quantity(source: Any, quantity: str, layer: int | None, kind: str) -> np.ndarray:
    """source[quantity] of the chosen layer as a float (B, T, H) array."""
    if layer is not None:
        if not hasattr(source, "layer"):
            raise ValueError("layer= needs a cells.Trace, got a plain mapping")
        source = source.layer(layer)
    q = _canonical(quantity, kind)
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


def _r(a: Any) -> list:
    """Nested lists rounded to 3 decimals, NaN -> None (JSON null: a gap)."""
    a = np.round(np.asarray(a, dtype=float), 3)
    if np.isnan(a).any():
        o = a.astype(object)
        o[np.isnan(a)] = None
        return o.tolist()
    return a.tolist()


def _shown(token: str) -> str:
    """A token as printed in a cell: blanks made visible, HTML escaped."""
    return html.escape(_SHOWN.get(token, token), quote=False)


def _token_rows(tokens: Any, n_rows: int) -> list[list[str]]:
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


def _one_seq_tokens(tokens: Any, T: int) -> list[str]:
    """Tokens of one sequence of T steps: a str or a list of T str (None: steps)."""
    if tokens is None:
        return [str(t) for t in range(T)]
    toks = list(tokens) if isinstance(tokens, str) else [str(t) for t in tokens]
    if len(toks) != T:
        raise ValueError(f"tokens must give one token per step ({T}), got {len(toks)}")
    return toks


def _layout(**kw: Any) -> dict:
    """The book's compact look: no template (plotly.js defaults), small margins."""
    base = dict(template="none", font=_FONT, margin=dict(l=70, r=30, t=60, b=50),
                plot_bgcolor="white", hoverlabel=dict(font_size=12))
    base.update(kw)
    return base


def _title(text: str | None) -> dict | None:
    return None if text is None else dict(text=text, x=0.01, xanchor="left")


# ----------------------------------------------------------------- character heatmaps


def _unit_rows(source: Any, quantity: str, unit: int, layer: int | None,
               kind: str | None) -> tuple[list[np.ndarray], str]:
    """One unit's values, one 1-D array per sequence; plus the kind."""
    if isinstance(source, np.ndarray) or (
        isinstance(source, Sequence) and not isinstance(source, Mapping)
    ):
        kind = kind or "lstm"
        if isinstance(source, np.ndarray):
            a = np.asarray(source, dtype=float)
            if a.ndim == 1:
                a = a[None]
            if a.ndim != 2:
                raise ValueError("values must have shape (T,) or (B, T) for one unit, "
                                 f"got {a.shape}")
            return list(a), kind
        rows = [np.asarray(r, dtype=float) for r in source]
        if any(r.ndim != 1 for r in rows):
            raise ValueError("a list of values must hold one (T_b,) array per sequence")
        return rows, kind
    kind = _kind_of(source, kind)
    a = _quantity(source, quantity, layer, kind)
    if not 0 <= unit < a.shape[-1]:
        raise ValueError(f"unit must be in [0, {a.shape[-1]}), got {unit}")
    return list(a[..., unit]), kind


def _char_grid(rows: list[np.ndarray], toks: list[list[str]], wrap: int | None,
               row_labels: Sequence[str] | None) -> dict:
    """Lay sequences out as rows of cells: z (R, W) with NaN gaps, text, steps."""
    for b, (v, t) in enumerate(zip(rows, toks)):
        if len(t) > len(v):
            raise ValueError(f"sequence {b} has {len(t)} tokens but only {len(v)} "
                             "steps of values")
    if wrap is None:  # auto: long texts read better as lines of WRAP cells
        wrap = WRAP if max(len(t) for t in toks) > WRAP + 10 else 0
    if wrap < 0:
        raise ValueError(f"wrap must be a number of steps (0: never wrap), got {wrap}")
    wrap = wrap or None
    labels = [str(s) for s in row_labels] if row_labels is not None else [
        str(b) for b in range(len(rows))]
    if len(labels) != len(rows):
        raise ValueError(f"row_labels must hold {len(rows)} labels, got {len(labels)}")
    z, text, steps, ylab = [], [], [], []  # per drawn row
    for b, (v, t, lab) in enumerate(zip(rows, toks, labels)):
        n = len(t)
        width = wrap or max(n, 1)
        for k, t0 in enumerate(range(0, max(n, 1), width)):
            z.append(v[t0 : min(t0 + width, n)])
            text.append([_shown(s) for s in t[t0 : t0 + width]])
            steps.append([[b, t] for t in range(t0, t0 + len(text[-1]))])
            ylab.append(lab if k == 0 else f"{lab} \u00b7 {t0}")
    W = max(len(s) for s in steps)
    Z = np.full((len(z), W), np.nan)
    for r, v in enumerate(z):
        Z[r, : len(v)] = v
    text = [s + [""] * (W - len(s)) for s in text]
    steps = [s + [None] * (W - len(s)) for s in steps]  # (R, W) [sequence, step]
    return dict(z=Z, text=text, steps=steps, ylabels=ylab, wrapped=wrap is not None)


def _char_hover(name: str, wrapped: bool) -> str:
    """Hover of a character cell; a wrapped grid reads its sequence and step
    from customdata, an unwrapped one has a row per sequence and a column per step."""
    where = ("sequence %{customdata[0]}, step %{customdata[1]}" if wrapped
             else "sequence %{y}, step %{x}")
    return f"{where}: '%{{text}}'<br>{name} = %{{z:.3f}}<extra></extra>"


def char_heatmap(
    source: Any,
    tokens: Any,
    quantity: str = "h",
    unit: int = 0,
    *,
    layer: int | None = None,
    kind: str | None = None,
    unit_name: str | None = None,
    row_labels: Sequence[str] | None = None,
    wrap: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """One unit over many sequences: a row per sequence, a cell per character.

    source: a Trace / mapping (the figure reads ``source[quantity][..., unit]``),
    or the unit's values themselves: (T,), (B, T) or a list of (T_b,) arrays.
    tokens: one row per sequence (a str, one character per step, or a list of
    str); a row may be shorter than T (padding is left blank).
    Each cell prints its character and is coloured by the value (fixed range,
    see :func:`colour_range`); hover shows step, character, quantity and value.
    wrap: cut sequences into rows of ``wrap`` steps; default: rows of 40 when a
    sequence is longer than 50; 0: never.
    """
    rows, kind = _unit_rows(source, quantity, unit, layer, kind)
    toks = _token_rows(tokens, len(rows))
    grid = _char_grid(rows, toks, wrap, row_labels)
    name = f"{quantity_label(quantity, kind)}, {unit_name or f'unit {unit}'}"
    return _char_figure(grid, name, colour_range(quantity, kind, grid["z"]),
                        title if title is not None else name)


def _char_figure(grid: dict, name: str, colours: dict, title: str) -> go.Figure:
    R, W = grid["z"].shape
    fig = go.Figure(
        go.Heatmap(
            z=_r(grid["z"]), text=grid["text"], texttemplate="%{text}",
            textfont=dict(size=12),
            customdata=grid["steps"] if grid["wrapped"] else None,
            hovertemplate=_char_hover(name, grid["wrapped"]),
            xgap=1, ygap=1, **colours,
        ),
        layout=_layout(
            title=_title(title),
            xaxis=dict(title=dict(text="column (row label: sequence \u00b7 first step)"
                                  if grid["wrapped"] else "step t"),
                       showgrid=False, zeroline=False),
            yaxis=dict(autorange="reversed", showgrid=False, zeroline=False,
                       tickvals=list(range(R)), ticktext=grid["ylabels"]),
            height=max(110 + 24 * R, 210),
        ),
    )
    if W <= 18:  # small grids keep square-ish cells (at most 662 px, narrower
        fig.update_layout(width=230 + 24 * W)  # than the book's column); wider fill it
    return fig


def units_heatmap(
    source: Any,
    quantity: str = "h",
    *,
    seq: int = 0,
    tokens: Any = None,
    layer: int | None = None,
    kind: str | None = None,
    unit_names: Any = None,
    title: str | None = None,
) -> go.Figure:
    """All units of one quantity over one sequence: units x time, (H, T) cells.

    tokens label the time axis (a str or a list of T tokens).
    """
    kind = _kind_of(source, kind)
    a = _quantity(source, quantity, layer, kind)
    if not 0 <= seq < a.shape[0]:
        raise ValueError(f"seq must be in [0, {a.shape[0]}), got {seq}")
    v = a[seq]  # (T, H)
    T, H = v.shape
    toks = [_shown(s) for s in _one_seq_tokens(tokens, T)]
    ylab = unit_labels(H, unit_names)
    label = quantity_label(quantity, kind)
    fig = go.Figure(
        go.Heatmap(
            z=_r(v.T), x=list(range(T)), y=ylab, customdata=[toks] * H,
            hovertemplate=f"%{{y}}, step %{{x}} '%{{customdata}}'<br>{label} = "
                          "%{z:.3f}<extra></extra>",
            xgap=1, ygap=1, **colour_range(quantity, kind, v),
        ),
        layout=_layout(
            title=_title(title if title is not None else f"{label}, all units"),
            xaxis=dict(tickvals=list(range(T)), ticktext=toks, tickangle=0,
                       showgrid=False, zeroline=False),
            yaxis=dict(autorange="reversed", showgrid=False, type="category"),
            height=130 + 22 * H,
        ),
    )
    return fig


# ----------------------------------------------------------------- one unit, lines


def unit_internals(
    source: Any,
    unit: int,
    *,
    seq: int = 0,
    tokens: Any = None,
    layer: int | None = None,
    kind: str | None = None,
    unit_name: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """One unit's full internals over one sequence, one line per quantity.

    Top panel: the gates (LSTM i, f, o; GRU r, z) on [0, 1]. Bottom panel: the
    candidate and the states (LSTM g, c, h; GRU n, h; RNN h).
    """
    kind = _kind_of(source, kind)
    fam = _family(kind)
    gates, states = _GATES[fam], _STATES[fam]
    vals = {q: _quantity(source, q, layer, kind) for q in gates + states}
    B, T, H = vals["h"].shape
    if not 0 <= seq < B:
        raise ValueError(f"seq must be in [0, {B}), got {seq}")
    if not 0 <= unit < H:
        raise ValueError(f"unit must be in [0, {H}), got {unit}")
    toks = [_shown(s) for s in _one_seq_tokens(tokens, T)]
    steps = list(range(T))
    data = []
    for q in gates + states:
        axis = "" if q in gates and gates else "2" if gates else ""
        data.append(go.Scatter(
            x=steps, y=_r(vals[q][seq, :, unit]), name=quantity_label(q, kind),
            mode="lines+markers", line=dict(color=COLOURS[q], width=2),
            marker=dict(size=5), customdata=toks, xaxis=f"x{axis}", yaxis=f"y{axis}",
            hovertemplate=f"step %{{x}} '%{{customdata}}'<br>{quantity_label(q, kind)}"
                          " = %{y:.3f}<extra></extra>",
        ))
    ticks = dict(tickvals=steps, ticktext=toks, tickangle=0, showgrid=False,
                 zeroline=False)
    name = unit_name or f"unit {unit}"
    layout = _layout(
        title=_title(title if title is not None else f"inside {name}"),
        height=520 if gates else 320, legend=dict(orientation="v", x=1.02, y=1),
        hovermode="x unified",
    )
    if gates:
        layout.update(
            xaxis=dict(anchor="y", domain=[0, 1], matches="x2", showticklabels=False,
                       showgrid=False, zeroline=False),
            yaxis=dict(domain=[0.56, 1], range=[-0.05, 1.05],
                       title=dict(text="gates"), zeroline=False),
            xaxis2=dict(anchor="y2", domain=[0, 1], **ticks),
            yaxis2=dict(domain=[0, 0.48], title=dict(text="values"),
                        zeroline=True, zerolinecolor="#bbb"),
        )
    else:
        layout.update(xaxis=ticks, yaxis=dict(title=dict(text="values")))
    return go.Figure(data=data, layout=layout)


# ----------------------------------------------------------------- many sequences


def _states_rows(source: Any, step: Any, quantity: str, layer: int | None,
                 kind: str) -> np.ndarray:
    a = _quantity(source, quantity, layer, kind)  # (B, T, H)
    B, T, _ = a.shape
    steps = np.full(B, step) if np.ndim(step) == 0 else np.asarray(step)
    if steps.shape != (B,) or not np.issubdtype(steps.dtype, np.integer):
        raise ValueError(
            f"step must be an int or {B} ints (one per sequence), got {step!r}")
    if steps.min() < -T or steps.max() >= T:
        raise ValueError(f"step must be in [-{T}, {T}), got {step!r}")
    return a[np.arange(B), steps]  # (B, H)


def states_at_step(
    source: Any,
    step: int | Sequence[int],
    labels: Sequence[str],
    *,
    quantity: str = "h",
    layer: int | None = None,
    kind: str | None = None,
    unit_names: Any = None,
    sort: bool = True,
    title: str | None = None,
) -> go.Figure:
    """A quantity at one step across many sequences: (B, H) cells, a row per
    sequence labelled by ``labels`` (e.g. the copy task's text at its delimiter).

    step: one step for all sequences or one per sequence. sort: rows by label.
    """
    kind = _kind_of(source, kind)
    S = _states_rows(source, step, quantity, layer, kind)
    labels = [str(s) for s in labels]
    if len(labels) != S.shape[0]:
        raise ValueError(f"labels must hold {S.shape[0]} labels, got {len(labels)}")
    order = sorted(range(len(labels)), key=labels.__getitem__) if sort else list(
        range(len(labels)))
    label = quantity_label(quantity, kind)
    xs = unit_labels(S.shape[1], unit_names)
    return go.Figure(
        go.Heatmap(
            z=_r(S[order]), x=xs, y=[labels[k] for k in order],
            hovertemplate=f"%{{y}}<br>%{{x}}: {label} = %{{z:.3f}}<extra></extra>",
            xgap=1, ygap=1, **colour_range(quantity, kind, S),
        ),
        layout=_layout(
            title=_title(title if title is not None else f"{label} at the chosen step"),
            xaxis=dict(type="category", showgrid=False, tickangle=-45),
            yaxis=dict(type="category", autorange="reversed", showgrid=False),
            height=140 + 18 * len(labels),
        ),
    )


def states_pca(
    source: Any,
    step: int | Sequence[int],
    labels: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    quantity: str = "h",
    layer: int | None = None,
    kind: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """The states at one step, projected on their first two principal components.

    One point per sequence, labelled; coloured by ``groups`` (e.g. the first
    letter) when given. Axis titles give the share of variance of each component.
    """
    kind = _kind_of(source, kind)
    S = _states_rows(source, step, quantity, layer, kind)
    B = S.shape[0]
    labels = [str(s) for s in labels]
    if len(labels) != B or (groups is not None and len(groups) != B):
        raise ValueError(f"labels and groups must hold {B} entries (one per sequence)")
    X = S - S.mean(axis=0)  # (B, H), centred
    _, sv, Vt = np.linalg.svd(X, full_matrices=False)
    P = X @ Vt[:2].T if Vt.shape[0] >= 2 else np.c_[X @ Vt[:1].T, np.zeros(B)]
    share = sv**2 / max(float((sv**2).sum()), 1e-300)
    groups = [str(g) for g in groups] if groups is not None else [""] * B
    data = []
    for g in dict.fromkeys(groups):
        idx = [k for k in range(B) if groups[k] == g]
        data.append(go.Scatter(
            x=_r(P[idx, 0]), y=_r(P[idx, 1]), mode="markers+text", name=g or "states",
            text=[labels[k] for k in idx], textposition="top center",
            marker=dict(size=9), showlegend=bool(g),
            hovertemplate="%{text}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
        ))
    s2 = share[1] if len(share) > 1 else 0.0
    return go.Figure(data=data, layout=_layout(
        title=_title(title if title is not None
                     else f"{quantity_label(quantity, kind)}, first two components"),
        xaxis=dict(title=dict(text=f"PC1 ({100 * share[0]:.0f}% of variance)")),
        yaxis=dict(title=dict(text=f"PC2 ({100 * s2:.0f}% of variance)")),
        height=480,
    ))


# ----------------------------------------------------------------- curves, tables


def _columns(history: Any) -> dict[str, list[float]]:
    """Records [{metric: value}, ...] or {metric: values} -> {metric: values}."""
    if isinstance(history, Mapping):
        return {str(k): list(v) for k, v in history.items()}
    records = list(history)
    if not all(isinstance(r, Mapping) for r in records):
        raise ValueError("history must be {metric: values}, a list of {metric: value} "
                         "records, or {run: {metric: values}}")
    keys = list(dict.fromkeys(k for r in records for k in r))
    return {k: [r.get(k, np.nan) for r in records] for k in keys}


def training_curves(
    history: Any,
    *,
    x: str | None = None,
    log_y: bool | Sequence[str] = False,
    title: str | None = "training",
) -> go.Figure:
    """Training curves: one panel per metric, one line per run.

    history: {metric: values}, a list of {metric: value} records, or
    {run: <one of those>} to compare runs. x: the metric to use as the x axis
    (default "step" or "epoch" when present, else the record index). log_y:
    True, or the metrics to draw on a log axis (e.g. ["loss"]).
    """
    if isinstance(history, Mapping) and history and all(
        isinstance(v, Mapping) or (isinstance(v, Sequence) and v and
                                   isinstance(v[0], Mapping))
        for v in history.values()
    ):
        runs = {str(k): _columns(v) for k, v in history.items()}
    else:
        runs = {"": _columns(history)}
    some = next(iter(runs.values()))
    if x is None:
        x = next((k for k in ("step", "epoch") if k in some), None)
    metrics = list(dict.fromkeys(m for r in runs.values() for m in r if m != x))
    if not metrics:
        raise ValueError("history holds no metric to plot")
    logs = set(metrics if log_y is True else () if log_y is False else log_y)
    n, gap = len(metrics), 0.08
    h = (1 - gap * (n - 1)) / n
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    layout = _layout(title=_title(title), height=120 + 220 * n,
                     legend=dict(orientation="h", y=-0.08))
    data = []
    for k, m in enumerate(metrics):
        ax = "" if k == 0 else str(k + 1)
        top = 1 - k * (h + gap)
        domain = [max(round(top - h, 6), 0.0), min(round(top, 6), 1.0)]
        layout[f"yaxis{ax}"] = dict(domain=domain, title=dict(text=m),
                                    type="log" if m in logs else "linear",
                                    anchor=f"x{ax}")
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", matches=None if k == 0 else "x",
                                    showticklabels=k == n - 1,
                                    title=dict(text=x or "step") if k == n - 1
                                    else None)
        for j, (run, cols) in enumerate(runs.items()):
            if m not in cols:
                continue
            ys = cols[m]
            xs = cols[x] if x in cols else list(range(len(ys)))
            data.append(go.Scatter(
                x=_r(xs), y=_r(ys), mode="lines", name=run or m, legendgroup=run,
                showlegend=bool(run) and k == 0, xaxis=f"x{ax}", yaxis=f"y{ax}",
                line=dict(color=palette[j % len(palette)], width=2),
                hovertemplate=f"{run + ': ' if run else ''}{m} = %{{y:.4g}} at "
                              f"{x or 'step'} %{{x}}<extra></extra>",
            ))
    return go.Figure(data=data, layout=layout)


def line_chart(
    series: Mapping[str, Sequence[float]],
    x: Sequence[float],
    *,
    xlabel: str = "",
    ylabel: str = "",
    log_y: bool = False,
    title: str | None = None,
) -> go.Figure:
    """Lines over a shared x, one per entry of ``series`` (e.g. accuracy vs gap k
    for an RNN and an LSTM)."""
    xs = list(x)
    data = []
    for name, ys in series.items():
        if len(ys) != len(xs):
            raise ValueError(
                f"series {name!r} has {len(ys)} values for {len(xs)} x values")
        data.append(go.Scatter(x=_r(xs), y=_r(ys), name=str(name), mode="lines+markers",
                               hovertemplate=f"{name}: %{{y:.4g}} at {xlabel or 'x'} "
                                             "%{x}<extra></extra>"))
    return go.Figure(data=data, layout=_layout(
        title=_title(title), height=420,
        xaxis=dict(title=dict(text=xlabel)),
        yaxis=dict(title=dict(text=ylabel), type="log" if log_y else "linear"),
    ))


def compare_bars(
    results: Mapping[str, Mapping[str, float]],
    *,
    ylabel: str = "",
    title: str | None = None,
    number_format: str = ".2f",
) -> go.Figure:
    """Grouped bars: ``results[series][group]``, e.g. {model: {task: accuracy}}.
    Each bar prints its value."""
    groups = list(dict.fromkeys(g for r in results.values() for g in r))
    data = [
        go.Bar(name=str(s), x=groups, y=_r([r.get(g, np.nan) for g in groups]),
               text=[format(r[g], number_format) if g in r else "" for g in groups],
               textposition="outside",
               hovertemplate=f"{s}, %{{x}}: %{{y}}<extra></extra>")
        for s, r in results.items()
    ]
    return go.Figure(data=data, layout=_layout(
        title=_title(title), barmode="group", height=420,
        yaxis=dict(title=dict(text=ylabel)),
    ))


def table_figure(
    rows: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
    *,
    columns: Sequence[str] | None = None,
    digits: int = 3,
    title: str | None = None,
) -> go.Figure:
    """A comparison table as a figure: rows as records or {column: values}.
    Floats are printed with ``digits`` significant digits."""
    cols = _columns(rows)
    names = list(columns) if columns is not None else list(cols)
    missing = [c for c in names if c not in cols]
    if missing:
        raise ValueError(f"columns {missing} are not in the table (has {list(cols)})")

    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return "" if np.isnan(v) else f"{v:.{digits}g}"
        return str(v)

    n = max((len(cols[c]) for c in names), default=0)
    return go.Figure(
        go.Table(
            header=dict(values=[f"<b>{html.escape(c)}</b>" for c in names],
                        fill_color="rgb(235,235,235)", align="left"),
            cells=dict(values=[[cell(v) for v in cols[c]] for c in names],
                       align="left", fill_color="white", line_color="rgb(220,220,220)"),
        ),
        layout=_layout(title=_title(title), height=100 + 28 * (n + 1),
                       margin=dict(l=10, r=10, t=50 if title else 10, b=10)),
    )


# ----------------------------------------------------------------- step-through


class _Steps:
    """Values of one sequence laid out for the step views: (T, H, n) per panel."""

    def __init__(self, source: Any, tokens: Any, seq: int, layer: int | None,
                 kind: str | None, unit_names: Any) -> None:
        self.kind = _kind_of(source, kind)
        fam = _family(self.kind)
        self.gates, self.states = _GATES[fam], _STATES[fam]
        vals = {q: _quantity(source, q, layer, self.kind)
                for q in self.gates + self.states}
        B, T, H = vals["h"].shape
        if not 0 <= seq < B:
            raise ValueError(f"seq must be in [0, {B}), got {seq}")
        self.vals = {q: v[seq] for q, v in vals.items()}  # (T, H) each
        self.T, self.H = T, H
        self.tokens = [_shown(s) for s in _one_seq_tokens(tokens, T)]
        self.units = unit_labels(H, unit_names)
        # (T, H, n) blocks, rounded once: slider steps and live redraws slice them
        self.G = (np.round(np.stack([self.vals[q] for q in self.gates], -1), 3)
                  if self.gates else None)
        self.S = np.round(np.stack([self.vals[q] for q in self.states], -1), 3)

    def strip(self, t: int) -> list[list[int]]:
        """Token strip colours: 0 not read yet, 1 read, 2 the current step."""
        return [[1] * t + [2] + [0] * (self.T - t - 1)]

    STRIP, GAP, ROW = 34, 60, 26  # px: token strip, gap for panel labels, unit row

    def geometry(self, below: int) -> int:
        """Vertical layout in px -> domains (fractions of the plot area) of the
        strip, the panels and the free area of ``below`` px under them; returns
        the plot-area height."""
        panels = self.ROW * self.H + 8
        h = self.STRIP + self.GAP + panels + below

        def frac(px: float) -> float:
            return min(max(round(px / h, 6), 0.0), 1.0)

        self.strip_dom = [frac(h - self.STRIP), 1.0]
        self.panel_dom = [frac(below), frac(below + panels)]
        self.panel_px = panels
        return h

    def panel_traces(self, t: int, show_values: bool) -> list[dict]:
        """The token strip, the gates panel (if any) and the states panel at step t.
        Call :meth:`geometry` first."""
        txt = "%{z:.2f}" if show_values else None
        out = [dict(type="heatmap",
            z=self.strip(t), text=[self.tokens], texttemplate="%{text}",
            colorscale=[[0, "white"], [0.5, "rgb(232,232,232)"], [1, _CURRENT]],
            zmin=0, zmax=2, showscale=False, xgap=1, x=list(range(self.T)), y=["read"],
            hovertemplate="step %{x}: '%{text}'<extra></extra>", xaxis="x", yaxis="y",
        )]
        fam = _family(self.kind)
        panels = ([self.gates] if self.gates else []) + [self.states]
        blocks = ([self.G] if self.gates else []) + [self.S]
        for k, (names, block) in enumerate(zip(panels, blocks)):
            ax = str(k + 2)
            colours = colour_range(names[0], self.kind)
            colours["colorbar"].update(
                x=self._x_domains()[k][1] + 0.01, xanchor="left", thickness=12,
                y=sum(self.panel_dom) / 2, yanchor="middle", lenmode="pixels",
                len=max(self.panel_px, 80))
            if not is_gate(names[0], self.kind):
                colours["colorbar"]["title"]["text"] = "-1 to 1"
            out.append(dict(type="heatmap",
                z=block[t].tolist(), x=[_LABELS[fam][q] for q in names], y=self.units,
                texttemplate=txt, textfont=dict(size=12), xgap=2, ygap=2,
                xaxis=f"x{ax}", yaxis=f"y{ax}",
                hovertemplate="%{y}<br>%{x} = %{z:.3f}<extra></extra>", **colours,
            ))
        return out

    def _x_domains(self) -> list[list[float]]:
        return [[0.0, 0.36], [0.5, 0.86]] if self.gates else [[0.0, 0.4]]

    def panel_layout(self) -> dict:
        """Axes of the strip and the panels. Call :meth:`geometry` first."""
        lay = dict(
            xaxis=dict(domain=[0, 1], anchor="y", tickvals=[], showgrid=False,
                       zeroline=False, fixedrange=True, ticks=""),
            yaxis=dict(domain=self.strip_dom, anchor="x", showticklabels=False,
                       showgrid=False, zeroline=False, fixedrange=True, ticks=""),
        )
        for k, dom in enumerate(self._x_domains()):
            ax = str(k + 2)
            lay[f"xaxis{ax}"] = dict(domain=dom, anchor=f"y{ax}", side="top",
                                     showgrid=False, fixedrange=True, type="category",
                                     ticks="")
            lay[f"yaxis{ax}"] = dict(domain=self.panel_dom, anchor=f"x{ax}",
                                     autorange="reversed", showgrid=False,
                                     fixedrange=True, type="category", ticks="",
                                     showticklabels=k == 0)
        return lay


def step_through(
    source: Any,
    tokens: Any,
    *,
    seq: int = 0,
    layer: int | None = None,
    kind: str | None = None,
    unit_names: Any = None,
    show_values: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """Every gate and state of every unit, one time step at a time.

    source: a Trace (or mapping) of one sequence (or ``seq`` of a batch);
    tokens: the sequence's tokens (a str of characters or a list of words).
    Layout: the tokens on top (the current one highlighted), then a gates panel
    (LSTM i, f, o; GRU r, z) and a states panel (g, c, h; n, h), a row per unit
    labelled with its name where it has one. A plotly slider moves through the
    steps; each slider step restyles only ``z`` of those three heatmaps, so it
    works in a static page. show_values: print the values in the cells (default:
    when there are at most 24 units).
    """
    st = _Steps(source, tokens, seq, layer, kind, unit_names)
    if show_values is None:
        show_values = st.H <= 24
    plot_h = st.geometry(below=0)
    traces = st.panel_traces(0, show_values)
    idx = list(range(len(traces)))

    def z_at(t: int) -> list:
        return [st.strip(t)] + ([st.G[t].tolist()] if st.gates else []) + [
            st.S[t].tolist()]

    steps = [dict(method="restyle", label=f"{t}: {st.tokens[t]}",
                  args=[{"z": z_at(t)}, idx]) for t in range(st.T)]
    hide_ticks = st.T > 30  # long sequences: the current value names the step
    layout = _layout(
        title=_title(title if title is not None else
                     f"every {'gate and ' if st.gates else ''}state, step by step"),
        height=plot_h + 60 + 120, margin=dict(l=110, r=30, t=60, b=120),
        sliders=[dict(
            active=0, steps=steps, x=0, len=1, y=0, yanchor="top",
            pad=dict(t=20, b=10),
            currentvalue=dict(prefix="step ", font=dict(size=14, color="#222")),
            font=dict(size=10, color="rgba(0,0,0,0)" if hide_ticks else "#444"),
        )],
        **st.panel_layout(),
    )
    return go.Figure(data=traces, layout=layout)


def step_figure(
    source: Any,
    tokens: Any,
    step: int,
    *,
    seq: int = 0,
    quantity: str = "h",
    unit: int = 0,
    baseline: Any = None,
    override: tuple[int, str, int, float] | None = None,
    layer: int | None = None,
    kind: str | None = None,
    unit_names: Any = None,
    show_values: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """The live step view: step-through panels at ``step`` plus, below, one
    unit's ``quantity`` over all steps with the current step marked.

    baseline: the trace without a what-if override, drawn dashed for comparison.
    override: (t, gate, unit, value) of an active what-if, marked on the line.
    """
    st = _Steps(source, tokens, seq, layer, kind, unit_names)
    if not 0 <= step < st.T:
        raise ValueError(f"step must be in [0, {st.T}), got {step}")
    if not 0 <= unit < st.H:
        raise ValueError(f"unit must be in [0, {st.H}), got {unit}")
    if show_values is None:
        show_values = st.H <= 24
    line_h = 220  # px of the line plot under the panels
    plot_h = st.geometry(below=line_h + 70)
    data: list = st.panel_traces(step, show_values)
    kind = st.kind
    q = _canonical(quantity, kind)
    label = quantity_label(q, kind)
    line = _quantity(source, q, layer, kind)[seq, :, unit]
    ax = "x4" if st.gates else "x3"
    ya = "y4" if st.gates else "y3"
    steps = list(range(st.T))
    if baseline is not None:
        base = _quantity(baseline, q, layer, kind)[seq, :, unit]
        data.append(dict(type="scatter",
            x=steps, y=_r(base), mode="lines", name="without the what-if",
            line=dict(color="#999", dash="dash", width=2), xaxis=ax, yaxis=ya,
            hovertemplate="without: %{y:.3f}<extra></extra>"))
    data.append(dict(type="scatter",
        x=steps, y=_r(line), mode="lines+markers", name=label,
        line=dict(color=COLOURS.get(q, "#1f77b4"), width=2), marker=dict(size=4),
        xaxis=ax, yaxis=ya, customdata=st.tokens,
        hovertemplate=f"step %{{x}} '%{{customdata}}': {label} = %{{y:.3f}}"
                      "<extra></extra>"))
    data.append(dict(type="scatter",
        x=[step], y=_r([line[step]]), mode="markers", name="step t", showlegend=False,
        marker=dict(size=13, color=_CURRENT, line=dict(color="black", width=1)),
        xaxis=ax, yaxis=ya, hoverinfo="skip"))
    layout = _layout(
        title=_title(title if title is not None else
                     f"step {step}: '{st.tokens[step]}'"),
        height=plot_h + 60 + 40, margin=dict(l=110, r=30, t=60, b=40),
        showlegend=baseline is not None,
        legend=dict(orientation="h", x=0, y=(line_h + 25) / plot_h, yanchor="bottom"),
        **st.panel_layout(),
    )
    n = ax[1:]
    layout[f"xaxis{n}"] = dict(domain=[0, 1], anchor=ya, tickvals=steps,
                               ticktext=st.tokens, tickangle=0, showgrid=False,
                               zeroline=False)
    layout[f"yaxis{n}"] = dict(domain=[0, round(line_h / plot_h, 6)], anchor=ax,
                               title=dict(text=f"{label}<br>{st.units[unit]}"),
                               zeroline=True, zerolinecolor="#bbb")
    shapes = []
    if override is not None:
        t0, gate, u0, value = override
        shapes.append(dict(type="line", xref=ax, yref=f"{ya} domain", x0=t0, x1=t0,
                           y0=0, y1=1, line=dict(color="black", dash="dot", width=1)))
        layout["annotations"] = [dict(
            xref=ax, yref=f"{ya} domain", x=t0, y=1, yanchor="bottom", showarrow=False,
            text=f"what-if: {quantity_label(gate, kind)} = {value:.2f} "
                 f"for {st.units[u0]}", font=dict(size=11))]
    layout["shapes"] = shapes
    return go.Figure(data=data, layout=layout)


# ----------------------------------------------------------------- explorer


def explorer_figure(
    sources: Any,
    tokens: Any,
    quantity: str = "h",
    *,
    quantities: Sequence[str] | None = None,
    layer: int | None = None,
    unit_names: Any = None,
    row_labels: Sequence[str] | None = None,
    wrap: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Character heatmaps of every unit, picked from a plotly dropdown.

    sources: one Trace, or {model name: Trace} (traces of the same texts).
    Entries are (model, quantity, unit) for quantity in ``quantities`` (default
    just ``quantity``); each dropdown entry restyles the heatmap's ``z`` (and its
    colours and hover when the quantity changes) and retitles the figure.
    unit_names: names for one model, or {model name: names}.
    """
    if isinstance(sources, Mapping) and all(
        isinstance(v, Mapping) or hasattr(v, "layers") for v in sources.values()
    ):
        models = dict(sources)  # {model name: trace}
    else:
        models = {"": sources}
    quantities = list(quantities) if quantities is not None else [quantity]
    entries = []  # (label, grid z, quantity, kind)
    toks = grid = None
    for m, src in models.items():
        kind = _kind_of(src, None)
        names = unit_names.get(m) if (isinstance(unit_names, Mapping) and m in
                                      unit_names and len(models) > 1) else unit_names
        for q in quantities:
            a = _quantity(src, q, layer, kind)  # (B, T, H)
            if toks is None:
                toks = _token_rows(tokens, a.shape[0])
            ulab = unit_labels(a.shape[-1], names)
            for u in range(a.shape[-1]):
                g = _char_grid(list(a[..., u]), toks, wrap, row_labels)
                grid = grid or g
                head = f"{m} \u00b7 " if m else ""
                entries.append((f"{head}{quantity_label(q, kind)}, {ulab[u]}",
                                g["z"], q, kind))
    if not entries:
        raise ValueError("explorer_figure needs at least one trace with units")
    label0, z0, q0, kind0 = entries[0]
    colours = [colour_range(q, k, z) for _, z, q, k in entries]
    mixed = len({(c["zmin"], c["zmax"]) for c in colours}) > 1
    fig = _char_figure(grid, label0, colours[0], title or label0)
    buttons = []
    for (label, z, q, kind), c in zip(entries, colours):
        restyle: dict[str, list] = {
            "z": [_r(z)], "hovertemplate": [_char_hover(label, grid["wrapped"])]}
        if mixed:
            restyle.update(zmin=[c["zmin"]], zmax=[c["zmax"]],
                           colorscale=[c["colorscale"]],
                           **{"colorbar.title.text": [c["colorbar"]["title"]["text"]]})
        buttons.append(dict(method="update", label=label,
                            args=[restyle, {"title.text": title or label}]))
    # The open dropdown is drawn inside the figure: leave room for ~8 entries
    # under the rows (the heatmap keeps its row height at the top).
    rows_px = fig.layout.height - 110  # plot area of the plain heatmap
    height = max(rows_px, 300) + 160
    fig.update_layout(
        updatemenus=[dict(buttons=buttons, active=0, x=0, xanchor="left", y=1.0,
                          yanchor="bottom", pad=dict(b=8), direction="down",
                          showactive=True)],
        margin=dict(t=110, b=50), height=height,
        width=max(fig.layout.width, 620) if fig.layout.width else None,
        yaxis=dict(domain=[round(1 - rows_px / (height - 160), 6), 1]),
    )
    return fig
