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

The style kit (colour scales, layout, token and trace readers) is public in
:mod:`lstm_tutorial.style`; the step-throughs live in
:mod:`lstm_tutorial.stepview` and the curves, bars and tables in
:mod:`lstm_tutorial.charts`; both are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from .charts import compare_bars, line_chart, table_figure, training_curves
from .gates import colour, gates_of, is_gate, states_of
from .gates import label as quantity_label
from .stepview import step_figure, step_through
from .style import (
    DIVERGING,
    GATE_SCALE,
    WRAP,
    base_layout,
    colour_range,
    kind_of,
    rounded,
    sequence_tokens,
    shown,
    title_dict,
    token_rows,
    unit_labels,
    values_of,
)

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
    kind = kind_of(source, kind)
    a = values_of(source, quantity, layer, kind)
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
            text.append([shown(s) for s in t[t0 : t0 + width]])
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
    toks = token_rows(tokens, len(rows))
    grid = _char_grid(rows, toks, wrap, row_labels)
    name = f"{quantity_label(quantity, kind)}, {unit_name or f'unit {unit}'}"
    return _char_figure(grid, name, colour_range(quantity, kind, grid["z"]),
                        title if title is not None else name)


def _char_figure(grid: dict, name: str, colours: dict, title: str) -> go.Figure:
    R, W = grid["z"].shape
    fig = go.Figure(
        go.Heatmap(
            z=rounded(grid["z"]), text=grid["text"], texttemplate="%{text}",
            textfont=dict(size=12),
            customdata=grid["steps"] if grid["wrapped"] else None,
            hovertemplate=_char_hover(name, grid["wrapped"]),
            xgap=1, ygap=1, **colours,
        ),
        layout=base_layout(
            title=title_dict(title),
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
    kind = kind_of(source, kind)
    a = values_of(source, quantity, layer, kind)
    if not 0 <= seq < a.shape[0]:
        raise ValueError(f"seq must be in [0, {a.shape[0]}), got {seq}")
    v = a[seq]  # (T, H)
    T, H = v.shape
    toks = [shown(s) for s in sequence_tokens(tokens, T)]
    ylab = unit_labels(H, unit_names)
    label = quantity_label(quantity, kind)
    fig = go.Figure(
        go.Heatmap(
            z=rounded(v.T), x=list(range(T)), y=ylab, customdata=[toks] * H,
            hovertemplate=f"%{{y}}, step %{{x}} '%{{customdata}}'<br>{label} = "
                          "%{z:.3f}<extra></extra>",
            xgap=1, ygap=1, **colour_range(quantity, kind, v),
        ),
        layout=base_layout(
            title=title_dict(title if title is not None else f"{label}, all units"),
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
    kind = kind_of(source, kind)
    gates, states = gates_of(kind), states_of(kind)
    vals = {q: values_of(source, q, layer, kind) for q in gates + states}
    B, T, H = vals["h"].shape
    if not 0 <= seq < B:
        raise ValueError(f"seq must be in [0, {B}), got {seq}")
    if not 0 <= unit < H:
        raise ValueError(f"unit must be in [0, {H}), got {unit}")
    toks = [shown(s) for s in sequence_tokens(tokens, T)]
    steps = list(range(T))
    data = []
    for q in gates + states:
        axis = "" if q in gates and gates else "2" if gates else ""
        data.append(go.Scatter(
            x=steps, y=rounded(vals[q][seq, :, unit]), name=quantity_label(q, kind),
            mode="lines+markers", line=dict(color=colour(q, kind), width=2),
            marker=dict(size=5), customdata=toks, xaxis=f"x{axis}", yaxis=f"y{axis}",
            hovertemplate=f"step %{{x}} '%{{customdata}}'<br>{quantity_label(q, kind)}"
                          " = %{y:.3f}<extra></extra>",
        ))
    ticks = dict(tickvals=steps, ticktext=toks, tickangle=0, showgrid=False,
                 zeroline=False)
    name = unit_name or f"unit {unit}"
    layout = base_layout(
        title=title_dict(title if title is not None else f"inside {name}"),
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
    a = values_of(source, quantity, layer, kind)  # (B, T, H)
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
    kind = kind_of(source, kind)
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
            z=rounded(S[order]), x=xs, y=[labels[k] for k in order],
            hovertemplate=f"%{{y}}<br>%{{x}}: {label} = %{{z:.3f}}<extra></extra>",
            xgap=1, ygap=1, **colour_range(quantity, kind, S),
        ),
        layout=base_layout(
            title=title_dict(title if title is not None
                             else f"{label} at the chosen step"),
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
    kind = kind_of(source, kind)
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
            x=rounded(P[idx, 0]), y=rounded(P[idx, 1]), mode="markers+text",
            name=g or "states",
            text=[labels[k] for k in idx], textposition="top center",
            marker=dict(size=9), showlegend=bool(g),
            hovertemplate="%{text}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
        ))
    s2 = share[1] if len(share) > 1 else 0.0
    return go.Figure(data=data, layout=base_layout(
        title=title_dict(title if title is not None
                     else f"{quantity_label(quantity, kind)}, first two components"),
        xaxis=dict(title=dict(text=f"PC1 ({100 * share[0]:.0f}% of variance)")),
        yaxis=dict(title=dict(text=f"PC2 ({100 * s2:.0f}% of variance)")),
        height=480,
    ))


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
        kind = kind_of(src, None)
        names = unit_names.get(m) if (isinstance(unit_names, Mapping) and m in
                                      unit_names and len(models) > 1) else unit_names
        for q in quantities:
            a = values_of(src, q, layer, kind)  # (B, T, H)
            if toks is None:
                toks = token_rows(tokens, a.shape[0])
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
            "z": [rounded(z)], "hovertemplate": [_char_hover(label, grid["wrapped"])]}
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
