"""Chapter 2: the hand-set turnstile checked on every string, and taken apart.

- ``turnstile_agreement`` / ``turnstile_random_agreement``: the network against
  the state machine on every input string up to a length, or random long ones;
- ``with_weights``, ``weight_margins``: change a weight, find how far each can
  move before an answer goes wrong;
- ``break_figure`` (a static slider per weight), ``turnstile_view_figure`` and
  the live ``TurnstileBreaker``.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
import plotly.graph_objects as go

from lstm_tutorial import handset, style, tasks
from lstm_tutorial.chapters.ch02_rnn.loop import as_model, short_number
from lstm_tutorial.display import LiveFigure
from lstm_tutorial.machines import Agreement, agreement
from lstm_tutorial.text import UnknownTokenError

# -------------------------------------------------------------------- turnstile

TURNSTILE_OUTPUTS = ("LOCKED", "WALK")  # output ids 0, 1, as in tasks.TurnstileTask


def turnstile_agreement(net: Any, max_len: int = 12) -> Agreement:
    """Check a turnstile network on every string of coins c and pushes p of
    length 1..max_len against the plain Python state machine
    ``tasks.turnstile_outputs``.

    net: a ``handset.HandSet`` or a ``cells.SequenceModel`` (inputs c = 0,
    p = 1; outputs LOCKED = 0, WALK = 1). The network's output at a step is its
    top score (a tie goes to LOCKED).
    """
    model = as_model(net)[0]
    if model.vocab_size != 2 or model.output_size != 2:
        raise ValueError(f"a turnstile network reads 2 inputs (c, p) and scores 2 "
                         f"outputs (LOCKED, WALK), got {model!r}")
    return agreement(model, tasks.turnstile_outputs, "cp", max_len)


def turnstile_random_agreement(net: Any, length: int, n: int = 200,
                               seed: int = 0) -> float:
    """The fraction of `n` random strings of `length` coins and pushes (each
    input a coin with probability 1/2, ``np.random.default_rng(seed)``) on which
    the network agrees with the state machine at every step."""
    if not isinstance(length, int) or length < 1 or not isinstance(n, int) or n < 1:
        raise ValueError(f"length and n must be ints >= 1, got {length!r}, {n!r}")
    model = as_model(net)[0]
    ids = np.random.default_rng(seed).integers(0, 2, size=(n, length))
    said = model.trace(ids).logits.argmax(axis=-1)  # (n, length)
    truth = np.array([tasks.turnstile_outputs("".join("cp"[k] for k in row))
                      for row in ids])
    return float((said == truth).all(axis=1).mean())


def weight_names(net: handset.HandSet) -> list[str]:
    """The names of a hand-set network's weight-table rows, e.g. 'b[two coins
    (WALK)]', in table order."""
    return [row.weight for row in net.table]


def with_weights(net: handset.HandSet, changes: Mapping[str, float]) -> handset.HandSet:
    """A copy of `net` with some rows of its weight table set to new values.

    changes: {row name (as ``weight_names`` gives it): new value}. A row that
    stands for several entries (a ``*``) changes all of them.
    """
    if not isinstance(net, handset.HandSet):
        raise ValueError(f"net must be a handset.HandSet, got {type(net).__name__}")
    names = weight_names(net)
    unknown = [k for k in changes if k not in names]
    if unknown:
        raise UnknownTokenError(unknown[0], names, what="weight", owner=net.name,
                                vocabulary_name="weights")
    table = tuple(dataclasses.replace(row, value=float(changes[row.weight]))
                  if row.weight in changes else row for row in net.table)
    return dataclasses.replace(net, table=table)


@dataclass(frozen=True)
class Margin:
    """The values of one weight for which the turnstile stays exact (all others
    as set by hand): the unbroken run of grid values around the hand-set one."""

    weight: str
    value: float
    low: float
    high: float
    open_low: bool  # True: still exact at the lowest grid value tried
    open_high: bool  # True: still exact at the highest grid value tried

    def interval(self) -> str:
        """'only 1', '0.75 to 1', '<= -1' (exact down to the grid's end),
        '>= 1.25' (up to its end), or 'anywhere on the grid'."""
        if self.open_low and self.open_high:
            return "anywhere on the grid"
        if self.open_low:
            return f"<= {self.high:g}"
        if self.open_high:
            return f">= {self.low:g}"
        if self.low == self.high:
            return f"only {self.low:g}"
        return f"{self.low:g} to {self.high:g}"


def weight_margins(net: handset.HandSet, grid: Sequence[float],
                   max_len: int = 12) -> list[Margin]:
    """For each row of the weight table, the range of values (among `grid`,
    which must contain the row's hand-set value) over which every string of
    length 1..max_len still agrees with the state machine."""
    grid = sorted({round(float(v), 6) for v in grid})
    out = []
    for row in net.table:
        if round(row.value, 6) not in grid:
            raise ValueError(f"grid must contain the hand-set value {row.value:g} of "
                             f"{row.weight}")

        def ok(v: float) -> bool:
            moved = with_weights(net, {row.weight: v})
            return turnstile_agreement(moved, max_len).all_agree

        k = grid.index(round(row.value, 6))
        lo = hi = k  # walk out from the hand-set value until the first failure
        while lo > 0 and ok(grid[lo - 1]):
            lo -= 1
        while hi < len(grid) - 1 and ok(grid[hi + 1]):
            hi += 1
        out.append(Margin(row.weight, row.value, grid[lo], grid[hi], lo == 0,
                          hi == len(grid) - 1))
    return out


def _turnstile_view(net: handset.HandSet, text: str) -> dict[str, Any]:
    """What the break figures draw for `net` on `text`: hidden states (H, T),
    the network's and the machine's outputs, and which steps disagree."""
    tr = net.trace(text)
    said = tr.logits.argmax(axis=-1)  # (T,)
    truth = tasks.turnstile_outputs(text)
    wrong = said != truth
    z_out = [[2 if w else int(s) for s, w in zip(said, wrong)], truth.tolist()]
    names = [[("\u2717 " if w else "") + TURNSTILE_OUTPUTS[s]  # a cross: wrong
              for s, w in zip(said, wrong)], [TURNSTILE_OUTPUTS[s] for s in truth]]
    h = np.round(tr.h.T, 3)  # (H, T)
    return dict(h=h.tolist(), h_text=[[short_number(v) for v in row] for row in h],
                z_out=z_out, out_text=names, wrong=int(wrong.sum()))


_OUT_SCALE = [[0.0, "#f0f0f0"], [0.33, "#f0f0f0"], [0.34, "#c7e9c0"], [0.66, "#c7e9c0"],
              [0.67, "#cb181d"], [1.0, "#cb181d"]]  # LOCKED, WALK, wrong (✗)


def _break_traces(net: handset.HandSet, text: str, view: dict) -> list[dict]:
    T = len(text)
    x = list(range(1, T + 1))  # steps from 1, as in the equations
    return [
        dict(type="heatmap", z=view["h"], text=view["h_text"], texttemplate="%{text}",
             x=x, y=list(net.unit_names), colorscale=style.DIVERGING, zmin=-3, zmax=3,
             showscale=False, xgap=2, ygap=2, xaxis="x", yaxis="y",
             textfont=dict(size=13),
             hovertemplate="%{y}, step %{x}: h = %{z:.3f}<extra></extra>"),
        dict(type="heatmap", z=view["z_out"], text=view["out_text"],
             texttemplate="%{text}", x=x, y=["network says", "state machine"],
             colorscale=_OUT_SCALE, zmin=0, zmax=2, showscale=False, xgap=2, ygap=2,
             xaxis="x", yaxis="y2", textfont=dict(size=10 if T > 8 else 11),
             hovertemplate="%{y}, step %{x}: %{text}<extra></extra>"),
    ]


def _break_layout(net: handset.HandSet, text: str, title: str) -> dict:
    H = net.hidden_size
    plot_h = 32 * (H + 2) + 30
    return dict(
        template="none", font=style.FONT, height=plot_h + 110 + 90,
        plot_bgcolor="white",
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=14)),
        margin=dict(l=190, r=20, t=80, b=110),
        xaxis=dict(tickvals=list(range(1, len(text) + 1)), ticktext=list(text),
                   side="top", showgrid=False, zeroline=False, fixedrange=True,
                   ticks=""),
        yaxis=dict(domain=[round(2 * 32 / plot_h + 0.1, 4), 1], autorange="reversed",
                   showgrid=False, fixedrange=True, ticks="", type="category"),
        yaxis2=dict(domain=[0, round(2 * 32 / plot_h, 4)], autorange="reversed",
                    showgrid=False, fixedrange=True, ticks="", type="category",
                    anchor="x"),
        # the key of the output rows, under their labels
        annotations=[dict(
            xref="paper", yref="paper", x=0, y=0, xanchor="right", yanchor="top",
            xshift=-8, yshift=-4, showarrow=False, align="right",
            font=dict(size=12, color="#555"),
            text="<span style='color:#cb181d'><b>\u2717</b></span> = the network "
                 "is wrong")],
        hoverlabel=dict(font_size=13),
    )


def _break_title(net: handset.HandSet, changes: Mapping[str, float],
                 agreement: Agreement, wrong_here: int) -> str:
    what = ", ".join(f"{html.escape(k)} = {v:g}" for k, v in changes.items()) or \
        "the hand-set weights"
    verdict = (f"{agreement.agree} of {agreement.strings} strings right"
               + (f"; shortest wrong: '{agreement.first_wrong}'"
                  if agreement.first_wrong else " (all)"))
    return f"{what}<br><span style='font-size:12px'>{verdict}; wrong steps below: " \
           f"{wrong_here}</span>"


def break_figure(net: handset.HandSet, weight: str, values: Sequence[float],
                 text: str, max_len: int = 12) -> go.Figure:
    """The turnstile with one weight moved along `values` (a plotly slider).

    For each value: the hidden state of every unit at every step of `text`
    (top), the network's output against the state machine's (bottom: LOCKED
    grey, WALK green, a wrong step red and marked with a cross), and in the
    title how many of all strings of length 1..max_len still agree. Each
    slider step restyles the two heatmaps and the title, so it works in a
    static page.
    """
    if weight not in weight_names(net):
        raise UnknownTokenError(weight, weight_names(net), what="weight",
                                owner=net.name, vocabulary_name="weights")
    values = [float(v) for v in values]
    if not values:
        raise ValueError("values must hold at least one value")
    tasks.TurnstileTask().check(text)
    hand = next(r.value for r in net.table if r.weight == weight)
    steps, first = [], None
    for v in values:
        moved = with_weights(net, {weight: v})
        view = _turnstile_view(moved, text)
        title = _break_title(moved, {weight: v}, turnstile_agreement(moved, max_len),
                             view["wrong"])
        if first is None or v == hand:
            first = (len(steps), view, title)
        steps.append(dict(method="update", label=f"{v:g}", args=[
            {"z": [view["h"], view["z_out"]], "text": [view["h_text"],
                                                        view["out_text"]]},
            {"title.text": title}, [0, 1]]))
    active, view, title = first
    layout = _break_layout(net, text, title)
    layout["sliders"] = [dict(active=active, steps=steps, x=0, len=1, y=0,
                              yanchor="top", pad=dict(t=10, b=10),
                              currentvalue=dict(prefix=f"{weight} = ",
                                                font=dict(size=13)))]
    return go.Figure(data=_break_traces(net, text, view), layout=layout)


def turnstile_view_figure(net: handset.HandSet, text: str, max_len: int = 12,
                          changes: Mapping[str, float] | None = None) -> go.Figure:
    """One frame of ``break_figure``: `net` on `text` (hidden states, outputs
    against the state machine), titled with its agreement over all strings.
    changes: the weights that differ from the hand-set ones (for the title)."""
    tasks.TurnstileTask().check(text)
    view = _turnstile_view(net, text)
    title = _break_title(net, changes or {}, turnstile_agreement(net, max_len),
                         view["wrong"])
    return go.Figure(data=_break_traces(net, text, view),
                     layout=_break_layout(net, text, title))


class TurnstileBreaker:
    """A live control: one slider per row of the turnstile's weight table.

    Moving a slider rebuilds the network with that weight, checks it on every
    string of length 1..max_len, and redraws ``turnstile_view_figure`` on the
    string in the ``text`` box. ``wrong`` puts the shortest disagreeing string
    there; ``reset`` restores the hand-set weights. Attributes: ``widget``
    (show it with ``display.live``), ``sliders`` ({weight name: FloatSlider}),
    ``net`` (the current network), ``agreement``, ``figure``.
    """

    def __init__(self, net: handset.HandSet | None = None, text: str = "cpccpcccpp",
                 max_len: int = 12, limit: float = 3.0) -> None:
        self.hand = net if net is not None else handset.turnstile()
        self.max_len = max_len
        tasks.TurnstileTask().check(text)
        self.sliders = {
            row.weight: W.FloatSlider(
                value=row.value, min=-limit, max=limit, step=0.05,
                description=row.weight, continuous_update=False,
                style={"description_width": "380px"},  # the longest weight name
                layout=W.Layout(width="720px"))
            for row in self.hand.table}
        self.text = W.Text(value=text, description="inputs", continuous_update=False)
        self.reset = W.Button(description="hand-set weights",
                              layout=W.Layout(width="auto"))
        self.show_wrong = W.Button(description="show the shortest wrong string",
                                   layout=W.Layout(width="auto"))  # label whole
        self.status = W.HTML("")
        self.output = LiveFigure()  # redrawn in place on every slider move
        for s in self.sliders.values():
            s.observe(lambda _: self.update(), names="value")
        self.text.observe(lambda _: self.redraw(), names="value")
        self.reset.on_click(lambda _: self.set_weights(
            {r.weight: r.value for r in self.hand.table}))
        self.show_wrong.on_click(lambda _: self._to_wrong())
        self.widget = W.VBox([*self.sliders.values(),
                              W.HBox([self.text, self.reset, self.show_wrong]),
                              self.status, self.output])
        self._quiet = False
        self.update()

    def changes(self) -> dict[str, float]:
        """The weights whose sliders differ from the hand-set values."""
        hand = {r.weight: r.value for r in self.hand.table}
        return {k: s.value for k, s in self.sliders.items()
                if abs(s.value - hand[k]) > 1e-9}

    def set_weights(self, values: Mapping[str, float]) -> None:
        """Move several sliders at once, then update once."""
        self._quiet = True
        try:
            for k, v in values.items():
                self.sliders[k].value = v
        finally:
            self._quiet = False
        self.update()

    def update(self) -> None:
        """Rebuild the network from the sliders, re-check it, redraw."""
        if self._quiet:
            return
        self.net = with_weights(self.hand, self.changes())
        self.agreement = turnstile_agreement(self.net, self.max_len)
        self.status.value = html.escape(str(self.agreement)).replace("\n", "<br>")
        self.redraw()

    def _to_wrong(self) -> None:
        if self.agreement.first_wrong is not None:
            self.text.value = self.agreement.first_wrong

    def redraw(self) -> None:
        text = self.text.value.strip()
        try:
            tasks.TurnstileTask().check(text)
        except ValueError as e:
            self.status.value = (f'<span style="color:#b2182b">{html.escape(str(e))}'
                                 "</span>")
            return
        self.figure = turnstile_view_figure(self.net, text, self.max_len,
                                            self.changes())
        self.output.update(self.figure)
