"""Chapter 2: the recurrent loop, its equation, its pictures, and reading it
step by step.

    h_t = phi(W x_t + U h_{t-1} + b),    y_t = V h_t + b_y

- ``rnn_forward``: the equation above as a plain loop, the code the page shows;
- diagrams: ``unrolled_figure`` (the loop and its unrolled chain),
  ``state_machine_figure`` (the turnstile as states and arrows);
- ``rnn_steps`` / ``rnn_step_through``: a hand-set RNN read one input at a
  time, with every term of ``W x_t + U h_{t-1} + b`` shown.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from lstm_tutorial import cells, handset, style
from lstm_tutorial import diagrams as dg

# Colours of the diagrams: inputs green, memory blue, outputs orange.
_X = dict(fill="#e5f5e0", line="#31a354")
_H = dict(fill="#deebf7", line="#2171b5")
_Y = dict(fill="#fee6ce", line="#d94801")
_COIN, _PUSH = "#b07a00", "#6a51a3"  # arrows of the turnstile's two inputs
_LOCKED = dict(fill="#fde0dd", line="#cb181d")
_WALK = dict(fill="#c7e9c0", line="#238b45")


# ---------------------------------------------------------------- the equations


def _check_rnn(x: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray) -> None:
    H = b.shape[0] if b.ndim == 1 else -1
    if (x.ndim != 2 or W.ndim != 2 or W.shape != (H, x.shape[1])
            or U.shape != (H, H) or len(x) < 1):
        raise ValueError(f"need x (T, I) with T >= 1, W (H, I), U (H, H), b (H,); "
                         f"got x {x.shape}, W {W.shape}, U {U.shape}, b {b.shape}")


def rnn_forward(x: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
                phi: Callable[[np.ndarray], np.ndarray] = np.tanh
                ) -> np.ndarray:
    """h_t = phi(W x_t + U h_{t-1} + b) for t = 1..T, from h_0 = 0.

    x (T, I), W (H, I), U (H, H), b (H,) -> h (T, H); row t - 1 is h_t.
    """
    x, W, U, b = (np.asarray(a, dtype=float) for a in (x, W, U, b))
    _check_rnn(x, W, U, b)
    h = np.zeros(len(b))  # h_0: nothing read yet
    hs = []
    for x_t in x:  # x_1, x_2, ..., x_T
        h = phi(W @ x_t + U @ h + b)  # the new memory
        hs.append(h)
    return np.stack(hs)  # (T, H)


# --------------------------------------------------------------------- diagrams


def unrolled_figure(steps: int = 4, title: str | None = None) -> go.Figure:
    """The RNN as a loop (left) and unrolled over ``steps`` steps (right).

    Boxes: inputs x_t (green), memory h_t (blue), outputs y_t (orange); arrows
    labelled with the matrix they multiply by: W (input), U (memory carried
    from the step before), V (readout). Hover on a box for its equation.
    """
    if not isinstance(steps, int) or not 2 <= steps <= 8:
        raise ValueError(f"steps must be an int in [2, 8], got {steps!r}")
    cv = dg.Canvas()
    bw, bh, gap = 1.1, 0.8, 1.9  # box size, vertical distance between rows
    # The loop: one cell whose memory feeds back into itself.
    cv.box(0, gap, bw, bh, _Y, dg.sub("y", "t"),
           hover="output y<sub>t</sub> = V h<sub>t</sub> + b<sub>y</sub>")
    cv.box(0, 0, bw, bh, _H, dg.sub("h", "t"),
           hover="memory h<sub>t</sub> = φ(W x<sub>t</sub> + U h<sub>t-1</sub> + b)")
    cv.box(0, -gap, bw, bh, _X, dg.sub("x", "t"), hover="input x<sub>t</sub>")
    cv.arrow(0, -gap + bh / 2, 0, -bh / 2, label="<i>W</i>", label_shift=(-0.25, 0))
    cv.arrow(0, bh / 2, 0, gap - bh / 2, label="<i>V</i>", label_shift=(-0.25, 0))
    cv.curve([(bw / 2, 0.2), (bw / 2 + 1.3, 1.0), (bw / 2 + 1.3, -1.0), (bw / 2, -0.2)],
             color="#2171b5", width=2.5, label="<i>U</i>", label_at=(bw / 2 + 1.25, 0))
    cv.label(0, -gap - 0.85, "the loop", size=13, color="#555")
    # "unroll" sign between the two drawings
    cv.arrow(2.5, 0, 3.5, 0, color="#999", width=2.5)
    cv.label(3.0, 0.35, "unroll", size=12, color="#777")
    # The unrolled chain: h_0, then one column per step.
    x0, dx = 4.6, 2.0
    cv.box(x0, 0, 0.9, bh, _H, dg.sub("h", "0"), dash="dot",
           hover="the memory before any input: h<sub>0</sub> = 0")
    prev = x0 + 0.45
    for t in range(1, steps + 1):
        x = x0 + t * dx
        cv.box(x, gap, bw, bh, _Y, dg.sub("y", str(t)),
               hover=f"y<sub>{t}</sub> = V h<sub>{t}</sub> + b<sub>y</sub>")
        cv.box(x, 0, bw, bh, _H, dg.sub("h", str(t)),
               hover=f"h<sub>{t}</sub> = φ(W x<sub>{t}</sub> + U h<sub>{t - 1}</sub> "
                     "+ b)")
        cv.box(x, -gap, bw, bh, _X, dg.sub("x", str(t)), hover=f"input x<sub>{t}</sub>")
        cv.arrow(x, -gap + bh / 2, x, -bh / 2, label="<i>W</i>", label_shift=(-0.25, 0))
        cv.arrow(x, bh / 2, x, gap - bh / 2, label="<i>V</i>", label_shift=(-0.25, 0))
        cv.arrow(prev, 0, x - bw / 2, 0, color="#2171b5", width=2.5,
                 label="<i>U</i>", label_shift=(0, 0.25))
        prev = x + bw / 2
    xe = x0 + steps * dx
    cv.arrow(prev, 0, prev + 0.7, 0, color="#2171b5", width=2.5)
    cv.label(prev + 1.05, 0, "…", size=20, color="#2171b5")
    cv.label((x0 + dx + xe) / 2, -gap - 0.85,
             "the same <i>W</i>, <i>U</i>, <i>V</i> (and biases) at every step",
             size=13, color="#555")
    return cv.figure((-1.0, xe + 1.6), (-gap - 1.2, gap + 0.7), height=330,
                     title=title)


@dataclass(frozen=True)
class _Transition:
    src: str
    dst: str
    label: str
    colour: str
    side: str  # "up" | "down": which side of the row of states the arrow takes


_MACHINES: dict[int, dict[str, Any]] = {
    1: dict(
        states={"locked": ("LOCKED", _LOCKED, 0.0), "open": ("UNLOCKED", _WALK, 4.0)},
        transitions=[
            _Transition("locked", "open", "coin", _COIN, "up"),
            _Transition("open", "open", "coin", _COIN, "up"),
            _Transition("open", "locked", "push: walk through", _PUSH, "down"),
            _Transition("locked", "locked", "push: refused", _PUSH, "down"),
        ],
        start="locked",
    ),
    2: dict(
        states={"0": ("0 coins<br><b>LOCKED</b>", _LOCKED, 0.0),
                "1": ("1 coin<br><b>LOCKED</b>", _LOCKED, 3.6),
                "2": ("2 coins<br><b>WALK</b>", _WALK, 7.2)},
        transitions=[
            _Transition("0", "1", "coin", _COIN, "up"),
            _Transition("1", "2", "coin", _COIN, "up"),
            _Transition("2", "2", "coin (kept)", _COIN, "up"),
            _Transition("0", "0", "push: refused", _PUSH, "down"),
            _Transition("1", "1", "push: refused", _PUSH, "down"),
            _Transition("2", "0", "push: walk through", _PUSH, "down"),
        ],
        start="0",
    ),
}


def state_machine_figure(coins: int = 2, title: str | None = None) -> go.Figure:
    """The turnstile as a state machine: states as circles, one arrow per
    (state, input). Coins (gold) take the upper arrows, pushes (purple) the
    lower ones.

    coins=1: the textbook turnstile, LOCKED / UNLOCKED. coins=2: the book's
    two-coin turnstile (``tasks.turnstile_outputs``): states 0, 1, 2 coins
    paid; WALK iff 2.
    """
    if coins not in _MACHINES:
        raise ValueError(f"coins must be 1 or 2, got {coins!r}")
    spec = _MACHINES[coins]
    cv = dg.Canvas()
    r = 0.75  # circle radius
    xs = {k: x for k, (_, _, x) in spec["states"].items()}
    for k, (text, colours, x) in spec["states"].items():
        cv.circle(x, 0, r, colours, text, size=13)
    start = xs[spec["start"]]
    cv.arrow(start - r - 0.9, 0, start - r - 0.02, 0, color="#444", width=2)
    cv.label(start - r - 0.95, 0.25, "start", size=12, color="#555")
    loop_top = r + 0.8  # how far a loop reaches beyond its circle's centre
    for tr in spec["transitions"]:
        s = 1.0 if tr.side == "up" else -1.0
        xa, xb = xs[tr.src], xs[tr.dst]
        if tr.src == tr.dst:  # a loop over (or under) the state
            a1, a2 = math.radians(90 + 28), math.radians(90 - 28)
            p0 = (xa + r * math.cos(a1), s * r * math.sin(a1))
            p3 = (xa + r * math.cos(a2), s * r * math.sin(a2))
            yc = (loop_top - 0.25 * r * math.sin(a1)) / 0.75  # apex at loop_top
            c1, c2 = (xa - 0.75, s * yc), (xa + 0.75, s * yc)
            cv.curve([p0, c1, c2, p3], color=tr.colour, width=2.2, label=tr.label,
                     label_at=(xa, s * (loop_top + 0.25)), size=12)
            continue
        d = 1.0 if xb > xa else -1.0
        a = math.radians(35)
        p0 = (xa + d * r * math.cos(a), s * r * math.sin(a))
        p1 = (xb - d * r * math.cos(a), s * r * math.sin(a))
        # Arcs between neighbours bow a little; an arc that passes other states
        # goes round their loops and labels.
        passes = any(min(xa, xb) < x < max(xa, xb) for x in xs.values())
        apex = loop_top + 0.75 if passes else r + 0.35
        yc = 2 * apex - p0[1] * s  # quadratic Bezier: apex = (p_y + y_c) / 2
        cv.curve([p0, ((xa + xb) / 2, s * yc), p1], color=tr.colour, width=2.2,
                 label=tr.label, label_at=((xa + xb) / 2, s * (apex + 0.25)),
                 size=12)
    depth = {side: max([loop_top + 0.25] + [
        loop_top + 1.0 for t in spec["transitions"] if t.side == side and any(
            min(xs[t.src], xs[t.dst]) < x < max(xs[t.src], xs[t.dst])
            for x in xs.values())]) for side in ("up", "down")}
    x_lo = min(xs.values()) - r - 1.3
    x_hi = max(xs.values()) + r + 0.8
    y_lo, y_hi = -depth["down"] - 0.3, depth["up"] + 0.3
    scale = 60  # px per unit: the figure's height follows its drawing
    return cv.figure((x_lo, x_hi), (y_lo, y_hi),
                     height=int(scale * (y_hi - y_lo)) + (60 if title else 20),
                     title=title)


# --------------------------------------------------------------------- stepping


@dataclass(frozen=True)
class RNNSteps:
    """Every term of a one-layer RNN over one sequence of T steps:

        pre_t = W x_t + U h_{t-1} + b,   h_t = phi(pre_t),   y_t = V h_t + b_y

    Fields (T steps, H units, I inputs, O outputs): tokens (T,), x (T, I),
    h_prev (T, H) (h_{t-1}, h_0 = 0 first), Wx (T, H), Uh (T, H), b (H,),
    pre (T, H), h (T, H), y (T, O); unit_names (H,), output_names (O,),
    nonlinearity ("relu" | "tanh").
    """

    tokens: tuple[str, ...]
    x: np.ndarray
    h_prev: np.ndarray
    Wx: np.ndarray
    Uh: np.ndarray
    b: np.ndarray
    pre: np.ndarray
    h: np.ndarray
    y: np.ndarray
    unit_names: tuple[str, ...]
    output_names: tuple[str, ...]
    nonlinearity: str


def as_model(net: Any
             ) -> tuple[Any, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(SequenceModel, tokens, unit names, output names) of a HandSet, or of a
    (SequenceModel, tokens) pair with generic names."""
    if isinstance(net, handset.HandSet):
        return net.model, net.tokens, net.unit_names, net.outputs
    if isinstance(net, cells.SequenceModel):
        H, O = net.cell.hidden_size, net.output_size
        return (net, (), tuple(f"unit {k}" for k in range(H)),
                tuple(f"output {k}" for k in range(O)))
    raise ValueError(f"net must be a handset.HandSet or a cells.SequenceModel, "
                     f"got {type(net).__name__}")


def rnn_steps(net: Any, text: str | Sequence[str], *,
              alphabet: str | Sequence[str] | None = None,
              unit_names: Sequence[str] | None = None,
              output_names: Sequence[str] | None = None) -> RNNSteps:
    """Run a one-layer RNN over `text` and keep every term of every step.

    net: a ``handset.HandSet`` of kind "rnn_relu" (its tokens and names are
    used), or a ``cells.SequenceModel`` with an RNN cell plus ``alphabet`` (its
    input tokens in id order). h and pre come from the cell's trace; W x_t,
    U h_{t-1} and b are its terms, recomputed from the weights.
    """
    model, tokens, units, outputs = as_model(net)
    if model.cell.kind != "rnn" or model.cell.num_layers != 1:
        raise ValueError(f"rnn_steps needs a one-layer RNN, got {model.cell!r}")
    if alphabet is not None:
        tokens = tuple(alphabet)
    if not tokens:
        raise ValueError("rnn_steps needs the input tokens: pass alphabet=...")
    toks = list(text)  # characters of a str, or the given tokens
    if isinstance(net, handset.HandSet) and isinstance(text, str):
        toks = net.split(text)
    lookup = {tok: k for k, tok in enumerate(tokens)}
    bad = sorted({t for t in toks if t not in lookup})
    if bad or not toks:
        raise ValueError(f"text must be >= 1 tokens from {list(tokens)}, got "
                         f"{text!r}" + (f" (unknown: {bad})" if bad else ""))
    ids = np.array([lookup[t] for t in toks], dtype=np.int64)
    tr = model.trace(ids)
    p = model.cell.params
    W, U = p["weight_ih_l0"], p["weight_hh_l0"]  # (H, I), (H, H)
    b = p["bias_ih_l0"] + p["bias_hh_l0"]  # (H,)
    x = model.onehot(ids)  # (T, I)
    h = np.asarray(tr.h)  # (T, H)
    h_prev = np.vstack([np.zeros((1, h.shape[1]), h.dtype), h[:-1]])  # h_{t-1}
    units = tuple(unit_names) if unit_names is not None else units
    outputs = tuple(output_names) if output_names is not None else outputs
    if len(units) != h.shape[1] or len(outputs) != model.output_size:
        raise ValueError(f"need {h.shape[1]} unit names and {model.output_size} "
                         f"output names, got {len(units)} and {len(outputs)}")
    return RNNSteps(tokens=tuple(toks), x=x, h_prev=h_prev, Wx=x @ W.T,
                    Uh=h_prev @ U.T, b=b, pre=np.asarray(tr.pre_h), h=h,
                    y=np.asarray(tr.logits), unit_names=units, output_names=outputs,
                    nonlinearity=model.cell.nonlinearity)


def short_number(v: float) -> str:
    """A value as the step-through prints it: 2, -1, 0.5, 0.76."""
    v = round(float(v), 2)
    return f"{v:g}" if v != 0 else "0"


def rnn_step_through(steps: RNNSteps, *, decide: bool = True,
                     title: str | None = None) -> go.Figure:
    """The RNN read one input at a time, with a plotly slider over the steps.

    Top: the inputs, the current one highlighted. Left panel, a row per unit:
    the memory before the step h_{t-1}, then the three terms W x_t, U h_{t-1},
    b, their sum, and the memory after the step phi(sum). Right panel: the
    outputs y_t = V h_t + b_y. decide: the outputs are scores and the top one is
    the decision (marked, and named in the title); else they are values.
    Each slider step restyles z and text of the three heatmaps and the title.
    Steps are numbered from 1, as in the equations (x_1 is the first input).
    """
    T, H = steps.h.shape
    O = steps.y.shape[1]
    phi = steps.nonlinearity
    cols = ["memory<br>h<sub>t-1</sub>", "input<br>W x<sub>t</sub>",
            "carried<br>+ U h<sub>t-1</sub>", "bias<br>+ b", "<br>= sum",
            f"new h<sub>t</sub><br>{phi}(sum)"]
    blocks = np.stack([steps.h_prev, steps.Wx, steps.Uh,
                       np.broadcast_to(steps.b, steps.h.shape), steps.pre, steps.h],
                      axis=-1)  # (T, H, 6)
    m = max(1.0, float(np.abs(blocks).max()), float(np.abs(steps.y).max()))
    tokens = [style.shown(t) for t in steps.tokens]
    best = steps.y.argmax(axis=1)

    def strip(t: int) -> list[list[int]]:
        return [[1] * t + [2] + [0] * (T - t - 1)]

    def out_text(t: int) -> list[list[str]]:
        return [[short_number(steps.y[t, k])
                 + (" \u25c0" if decide and k == best[t] else "")]
                for k in range(O)]

    def heading(t: int) -> str:
        xv = ", ".join(short_number(v) for v in steps.x[t])
        head = f"step {t + 1}: read '{tokens[t]}', x<sub>{t + 1}</sub> = [{xv}]"
        if decide:
            head += f" \u2192 <b>{html.escape(steps.output_names[best[t]])}</b>"
        return head

    def panel_text(t: int) -> list[list[str]]:
        return [[short_number(v) for v in row] for row in blocks[t]]

    # pale colours (the scale ends at 1.5 m) keep the printed values readable
    colours = dict(colorscale=style.DIVERGING, zmin=-1.5 * m, zmax=1.5 * m,
                   showscale=False)
    rows_px = 34 * max(H, O)
    height = 60 + 40 + 70 + rows_px + 110
    strip_top = 1.0
    strip_bot = 1 - 40 / (height - 170)
    panel_top = strip_bot - 80 / (height - 170)
    data = [
        dict(type="heatmap", z=strip(0), text=[tokens], texttemplate="%{text}",
             colorscale=[[0, "white"], [0.5, "rgb(232,232,232)"], [1, style.CURRENT]],
             zmin=0, zmax=2, showscale=False, xgap=2, x=list(range(1, T + 1)),
             y=["read"],
             hovertemplate="step %{x}: '%{text}'<extra></extra>",
             textfont=dict(size=14), xaxis="x", yaxis="y"),
        dict(type="heatmap", z=np.round(blocks[0], 3).tolist(), text=panel_text(0),
             texttemplate="%{text}", textfont=dict(size=14), x=cols,
             y=list(steps.unit_names), xgap=3, ygap=3, xaxis="x2", yaxis="y2",
             hovertemplate="%{y}<br>%{x}: %{z:.3f}<extra></extra>", **colours),
        dict(type="heatmap", z=np.round(steps.y[0][:, None], 3).tolist(),
             text=out_text(0), texttemplate="%{text}", textfont=dict(size=14),
             x=["output<br>y<sub>t</sub> = V h<sub>t</sub> + b<sub>y</sub>"],
             y=list(steps.output_names), xgap=3, ygap=3, xaxis="x3", yaxis="y3",
             hovertemplate="%{y}: %{z:.3f}<extra></extra>", **colours),
    ]
    slider_steps = [dict(
        method="update", label=f"{t + 1}: {tokens[t]}",
        args=[{"z": [strip(t), np.round(blocks[t], 3).tolist(),
                     np.round(steps.y[t][:, None], 3).tolist()],
               "text": [[tokens], panel_text(t), out_text(t)]},
              {"title.text": heading(t) if title is None else f"{title}<br>"
               f"<span style='font-size:13px'>{heading(t)}</span>"},
              [0, 1, 2]]) for t in range(T)]
    panel_h = rows_px / (height - 170)
    layout = dict(
        template="none", font=style.FONT, height=height, plot_bgcolor="white",
        title=dict(text=slider_steps[0]["args"][1]["title.text"], x=0.01,
                   xanchor="left"),
        margin=dict(l=150, r=20, t=70 if title is None else 90, b=100),
        xaxis=dict(domain=[0, 1], showticklabels=False, showgrid=False,
                   zeroline=False, fixedrange=True, ticks=""),
        yaxis=dict(domain=[strip_bot, strip_top], showticklabels=False,
                   showgrid=False, zeroline=False, fixedrange=True, ticks=""),
        xaxis2=dict(domain=[0, 0.7], anchor="y2", side="top", type="category",
                    showgrid=False, fixedrange=True, ticks="",
                    tickfont=dict(size=12)),
        yaxis2=dict(domain=[max(panel_top - panel_h * H / max(H, O), 0), panel_top],
                    anchor="x2", autorange="reversed", type="category",
                    showgrid=False, fixedrange=True, ticks=""),
        xaxis3=dict(domain=[0.86, 1], anchor="y3", side="top", type="category",
                    showgrid=False, fixedrange=True, ticks=""),
        yaxis3=dict(domain=[max(panel_top - panel_h * O / max(H, O), 0), panel_top],
                    anchor="x3", autorange="reversed", type="category",
                    showgrid=False, fixedrange=True, ticks=""),
        sliders=[dict(active=0, steps=slider_steps, x=0, len=1, y=0, yanchor="top",
                      pad=dict(t=10, b=10),
                      currentvalue=dict(prefix="step ", font=dict(size=13)))],
        hoverlabel=dict(font_size=13),
    )
    return go.Figure(data=data, layout=layout)
