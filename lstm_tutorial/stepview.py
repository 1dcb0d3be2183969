"""Step-throughs: every gate and state of every unit, one time step at a time.

:func:`step_through` is the static view (a plotly slider whose steps restyle
only ``z``, so it works in a page with no kernel); :func:`step_figure` is the
view one live control redraws (the panels at one step, plus one unit's line).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from .gates import canonical, colour, gates_of, is_gate, states_of
from .gates import label as quantity_label
from .style import (
    CURRENT,
    base_layout,
    colour_range,
    kind_of,
    rounded,
    sequence_tokens,
    shown,
    title_dict,
    unit_labels,
    values_of,
)

__all__ = ["step_through", "step_figure"]


class _Steps:
    """Values of one sequence laid out for the step views: (T, H, n) per panel."""

    def __init__(self, source: Any, tokens: Any, seq: int, layer: int | None,
                 kind: str | None, unit_names: Any) -> None:
        self.kind = kind_of(source, kind)
        self.gates, self.states = gates_of(self.kind), states_of(self.kind)
        vals = {q: values_of(source, q, layer, self.kind)
                for q in self.gates + self.states}
        B, T, H = vals["h"].shape
        if not 0 <= seq < B:
            raise ValueError(f"seq must be in [0, {B}), got {seq}")
        self.vals = {q: v[seq] for q, v in vals.items()}  # (T, H) each
        self.T, self.H = T, H
        self.tokens = [shown(s) for s in sequence_tokens(tokens, T)]
        self.units = unit_labels(H, unit_names)
        # (T, H, n) blocks, rounded once: slider steps and live redraws slice them
        self.G = (np.round(np.stack([self.vals[q] for q in self.gates], -1), 3)
                  if self.gates else None)
        self.S = np.round(np.stack([self.vals[q] for q in self.states], -1), 3)

    def strip(self, t: int) -> list[list[int]]:
        """Token strip colours: 0 not read yet, 1 read, 2 the current step."""
        return [[1] * t + [2] + [0] * (self.T - t - 1)]

    def panel_z(self, t: int) -> list[list]:
        """``z`` of the token strip, the gates panel (if any) and the states panel
        at step t."""
        return [self.strip(t)] + ([self.G[t].tolist()] if self.gates else []) + [
            self.S[t].tolist()]

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
            colorscale=[[0, "white"], [0.5, "rgb(232,232,232)"], [1, CURRENT]],
            zmin=0, zmax=2, showscale=False, xgap=1, x=list(range(self.T)), y=["read"],
            hovertemplate="step %{x}: '%{text}'<extra></extra>", xaxis="x", yaxis="y",
        )]
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
                z=block[t].tolist(), y=self.units,
                x=[quantity_label(q, self.kind) for q in names],
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

    steps = [dict(method="restyle", label=f"{t}: {st.tokens[t]}",
                  args=[{"z": st.panel_z(t)}, idx]) for t in range(st.T)]
    hide_ticks = st.T > 30  # long sequences: the current value names the step
    layout = base_layout(
        title=title_dict(title if title is not None else
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
    frames: bool = False,
) -> go.Figure:
    """The live step view: step-through panels at ``step`` plus, below, one
    unit's ``quantity`` over all steps with the current step marked.

    baseline: the trace without a what-if override, drawn dashed for comparison.
    override: (t, gate, unit, value) of an active what-if, marked on the line.
    frames: also carry one plotly frame per step t (``fig.frames[t]``): what
    differs at step t (the strip's and the panels' ``z``, the marker, the title),
    so a live view can move between steps without a new figure.
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
    q = canonical(quantity, kind)
    label = quantity_label(q, kind)
    line = values_of(source, q, layer, kind)[seq, :, unit]
    ax = "x4" if st.gates else "x3"
    ya = "y4" if st.gates else "y3"
    steps = list(range(st.T))
    if baseline is not None:
        base = values_of(baseline, q, layer, kind)[seq, :, unit]
        data.append(dict(type="scatter",
            x=steps, y=rounded(base), mode="lines", name="without the what-if",
            line=dict(color="#999", dash="dash", width=2), xaxis=ax, yaxis=ya,
            hovertemplate="without: %{y:.3f}<extra></extra>"))
    marked = rounded(line)
    data.append(dict(type="scatter",
        x=steps, y=marked, mode="lines+markers", name=label,
        line=dict(color=colour(q, kind), width=2), marker=dict(size=4),
        xaxis=ax, yaxis=ya, customdata=st.tokens,
        hovertemplate=f"step %{{x}} '%{{customdata}}': {label} = %{{y:.3f}}"
                      "<extra></extra>"))
    data.append(dict(type="scatter",
        x=[step], y=[marked[step]], mode="markers", name="step t",
        showlegend=False,
        marker=dict(size=13, color=CURRENT, line=dict(color="black", width=1)),
        xaxis=ax, yaxis=ya, hoverinfo="skip"))

    def title_at(t: int) -> dict | None:
        return title_dict(title if title is not None else
                          f"step {t}: '{st.tokens[t]}'")

    layout = base_layout(
        title=title_at(step),
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
    # what moves: the strip, the gates (if any) and states panels, the marker
    moving = list(range(len(st.panel_z(0)))) + [len(data) - 1]
    steps_frames = [dict(
        name=str(t), traces=moving, layout=dict(title=title_at(t)),
        data=[dict(type="heatmap", z=z) for z in st.panel_z(t)]
        + [dict(type="scatter", x=[t], y=[marked[t]])],
    ) for t in range(st.T)] if frames else None
    # A live control redraws this figure on every move: the traces are built
    # from checked arrays above, so plotly's per-property validation is skipped.
    return go.Figure(data=data, layout=layout, frames=steps_frames, _validate=False)
