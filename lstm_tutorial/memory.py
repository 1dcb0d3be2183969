"""Chapter 2's experiments: memory in a recurrent network, and why it fades.

A recurrent network carries a memory vector h from step to step,

    h_t = phi(W x_t + U h_{t-1} + b),    y_t = V h_t + b_y,

with the same W, U, b, V, b_y at every step. This module holds what chapter 2
draws and measures:

- ``rnn_forward``: the equation above as a plain loop, the code the page shows;
  ``source_excerpt`` prints package source at the page's width;
- diagrams (plotly shapes, no images): ``unrolled_figure`` (the loop and its
  unrolled chain), ``state_machine_figure`` (the turnstile as states and arrows);
- ``rnn_steps`` / ``rnn_step_through``: a hand-set RNN read one input at a time,
  with every term of ``W x_t + U h_{t-1} + b`` shown;
- the turnstile checked on every input string (``turnstile_agreement``), changed
  weight by weight (``with_weights``, ``break_figure``, the live
  ``TurnstileBreaker``), and compared with a trained one (``rnn_weights``,
  ``weights_figure``);
- the memory vectors of each machine state (``state_vectors``, ``state_table``);
- ``france_led``: a one-unit word-level RNN that lights up at "France";
- the long-gap recall sweep (``recall_sweep``, ``recall_model_sizes``) and
  the gradient norm
  ``||dh_T/dh_t||`` against the distance T - t (``gradient_norms``).
"""

from __future__ import annotations

import ast
import dataclasses
import html
import inspect
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from . import handset, style, tasks, viz
from .printing import text_table
from .text import UnknownTokenError, encode, tokenize

__all__ = [
    "rnn_forward",
    "source_excerpt",
    "unrolled_figure",
    "state_machine_figure",
    "RNNSteps",
    "rnn_steps",
    "rnn_step_through",
    "TURNSTILE_OUTPUTS",
    "Agreement",
    "all_strings",
    "turnstile_agreement",
    "turnstile_random_agreement",
    "weight_names",
    "with_weights",
    "Margin",
    "weight_margins",
    "break_figure",
    "turnstile_view_figure",
    "TurnstileBreaker",
    "rnn_weights",
    "weights_figure",
    "machine_states",
    "STATE_CASES",
    "state_vectors",
    "state_table",
    "WordRNN",
    "france_led",
    "led_heatmap",
    "fixed_point",
    "gradient_norms",
    "RecallConfig",
    "RecallRun",
    "recall_test_texts",
    "recall_run",
    "recall_sweep",
    "recall_model_sizes",
    "recall_confusion",
    "recall_table",
    "recall_figure",
    "gradient_figure",
]

_FONT = dict(family="Helvetica, Arial, sans-serif", size=13)
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


def source_excerpt(obj: Any, omit: Sequence[str] = (), note: str = "",
                   docstring: bool = True, width: int = 77) -> str:
    """The source of a function or class as the page prints it.

    Runs of lines that contain any string of `omit` are replaced by one line
    ``...  # note`` at the first one's indentation; docstring=False leaves
    the docstring out. Every line kept must fit in `width` characters (the
    page's code column), else ValueError.
    """
    src = inspect.getsource(obj)
    lines = src.splitlines()
    if not docstring:
        body = ast.parse(textwrap.dedent(src)).body[0].body
        if body and isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant):
            del lines[body[0].lineno - 1 : body[0].end_lineno]
    out, skipping = [], False
    for line in lines:
        if any(s in line for s in omit):
            if not skipping:
                indent = line[: len(line) - len(line.lstrip())]
                out.append(f"{indent}..." + (f"  # {note}" if note else ""))
            skipping = True
            continue
        skipping = False
        out.append(line)
    too_long = [s for s in out if len(s) > width]
    if too_long:
        raise ValueError(f"source lines must fit in {width} characters; "
                         f"{len(too_long[0])}: {too_long[0]!r}")
    return "\n".join(out)


# ---------------------------------------------------------------------- drawing


class _Canvas:
    """Shapes, arrows and labels in data coordinates, collected for one figure."""

    def __init__(self) -> None:
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []
        self.hover: list[tuple[float, float, str]] = []  # invisible hover points

    def box(self, x: float, y: float, w: float, h: float, colours: dict,
            text: str, *, dash: str = "solid", hover: str | None = None,
            size: int = 15, r: float = 0.12) -> None:
        """A rounded box centred at (x, y), w by h, with `text` inside."""
        x0, x1, y0, y1 = x - w / 2, x + w / 2, y - h / 2, y + h / 2
        path = (f"M {x0 + r},{y0} L {x1 - r},{y0} Q {x1},{y0} {x1},{y0 + r} "
                f"L {x1},{y1 - r} Q {x1},{y1} {x1 - r},{y1} L {x0 + r},{y1} "
                f"Q {x0},{y1} {x0},{y1 - r} L {x0},{y0 + r} "
                f"Q {x0},{y0} {x0 + r},{y0} Z")
        self.shapes.append(dict(type="path", path=path, fillcolor=colours["fill"],
                                line=dict(color=colours["line"], width=2, dash=dash),
                                layer="below"))
        self.label(x, y, text, size=size)
        if hover:
            self.hover.append((x, y, hover))

    def circle(self, x: float, y: float, r: float, colours: dict, text: str,
               hover: str | None = None, size: int = 14) -> None:
        self.shapes.append(dict(type="circle", x0=x - r, x1=x + r, y0=y - r, y1=y + r,
                                fillcolor=colours["fill"], layer="below",
                                line=dict(color=colours["line"], width=2.5)))
        self.label(x, y, text, size=size)
        if hover:
            self.hover.append((x, y, hover))

    def label(self, x: float, y: float, text: str, *, size: int = 14,
              color: str = "#222", **kw: Any) -> None:
        self.annotations.append(dict(x=x, y=y, text=text, showarrow=False,
                                     font=dict(size=size, color=color), **kw))

    def arrow(self, x0: float, y0: float, x1: float, y1: float, *,
              color: str = "#444", width: float = 2, label: str | None = None,
              label_shift: tuple[float, float] = (0.0, 0.0), size: int = 14) -> None:
        """A straight arrow from (x0, y0) to (x1, y1), optionally labelled at its
        middle (shifted by label_shift)."""
        self.annotations.append(dict(
            x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
            text="", showarrow=True, arrowhead=2, arrowsize=1.1, arrowwidth=width,
            arrowcolor=color))
        if label:
            self.label((x0 + x1) / 2 + label_shift[0], (y0 + y1) / 2 + label_shift[1],
                       label, size=size, color=color)

    def curve(self, points: Sequence[tuple[float, float]], *, color: str,
              width: float = 2, label: str | None = None,
              label_at: tuple[float, float] | None = None, size: int = 13) -> None:
        """A quadratic (3 points) or cubic (4 points) Bezier curve with an
        arrowhead at its last point, pointing along the curve's last tangent."""
        (xa, ya), *ctrl, (xb, yb) = points
        kind = "Q" if len(ctrl) == 1 else "C"
        path = f"M {xa},{ya} {kind} " + " ".join(f"{x},{y}" for x, y in ctrl)
        path += f" {xb},{yb}"
        self.shapes.append(dict(type="path", path=path,
                                line=dict(color=color, width=width)))
        cx, cy = ctrl[-1]  # the tangent at the end points from the last control
        d = math.hypot(xb - cx, yb - cy) or 1.0
        # plotly leaves out the head of an arrow shorter than the head itself, so
        # the arrow along the tangent must be long enough even on a narrow page
        eps = min(0.35, 0.8 * d)
        self.annotations.append(dict(
            x=xb, y=yb, ax=xb - eps * (xb - cx) / d, ay=yb - eps * (yb - cy) / d,
            xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True,
            arrowhead=2, arrowsize=1.2, arrowwidth=width, arrowcolor=color))
        if label and label_at:
            self.label(*label_at, label, size=size, color=color)

    def figure(self, x_range: tuple[float, float], y_range: tuple[float, float],
               height: int, title: str | None) -> go.Figure:
        data = []
        if self.hover:
            xs, ys, texts = zip(*self.hover)
            data.append(go.Scatter(
                x=list(xs), y=list(ys), mode="markers", hovertext=list(texts),
                hoverinfo="text", marker=dict(size=36, opacity=0), showlegend=False))
        return go.Figure(data=data, layout=dict(
            template="none", font=_FONT, height=height, plot_bgcolor="white",
            title=dict(text=title, x=0.01, xanchor="left") if title else None,
            margin=dict(l=10, r=10, t=50 if title else 10, b=10),
            shapes=self.shapes, annotations=self.annotations, showlegend=False,
            xaxis=dict(range=list(x_range), visible=False, fixedrange=True),
            yaxis=dict(range=list(y_range), visible=False, fixedrange=True,
                       scaleanchor="x", scaleratio=1),
            hoverlabel=dict(font_size=13),
        ))


def _sub(name: str, index: str) -> str:
    return f"<i>{name}</i><sub>{index}</sub>"


# --------------------------------------------------------------------- diagrams


def unrolled_figure(steps: int = 4, title: str | None = None) -> go.Figure:
    """The RNN as a loop (left) and unrolled over ``steps`` steps (right).

    Boxes: inputs x_t (green), memory h_t (blue), outputs y_t (orange); arrows
    labelled with the matrix they multiply by: W (input), U (memory carried
    from the step before), V (readout). Hover on a box for its equation.
    """
    if not isinstance(steps, int) or not 2 <= steps <= 8:
        raise ValueError(f"steps must be an int in [2, 8], got {steps!r}")
    cv = _Canvas()
    bw, bh, gap = 1.1, 0.8, 1.9  # box size, vertical distance between rows
    # The loop: one cell whose memory feeds back into itself.
    cv.box(0, gap, bw, bh, _Y, _sub("y", "t"),
           hover="output y<sub>t</sub> = V h<sub>t</sub> + b<sub>y</sub>")
    cv.box(0, 0, bw, bh, _H, _sub("h", "t"),
           hover="memory h<sub>t</sub> = φ(W x<sub>t</sub> + U h<sub>t-1</sub> + b)")
    cv.box(0, -gap, bw, bh, _X, _sub("x", "t"), hover="input x<sub>t</sub>")
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
    cv.box(x0, 0, 0.9, bh, _H, _sub("h", "0"), dash="dot",
           hover="the memory before any input: h<sub>0</sub> = 0")
    prev = x0 + 0.45
    for t in range(1, steps + 1):
        x = x0 + t * dx
        cv.box(x, gap, bw, bh, _Y, _sub("y", str(t)),
               hover=f"y<sub>{t}</sub> = V h<sub>{t}</sub> + b<sub>y</sub>")
        cv.box(x, 0, bw, bh, _H, _sub("h", str(t)),
               hover=f"h<sub>{t}</sub> = φ(W x<sub>{t}</sub> + U h<sub>{t - 1}</sub> "
                     "+ b)")
        cv.box(x, -gap, bw, bh, _X, _sub("x", str(t)), hover=f"input x<sub>{t}</sub>")
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
    cv = _Canvas()
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


def _as_model(net: Any
              ) -> tuple[Any, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(SequenceModel, tokens, unit names, output names) of a HandSet, or of a
    (SequenceModel, tokens) pair with generic names."""
    if isinstance(net, handset.HandSet):
        return net.model, net.tokens, net.unit_names, net.outputs
    from .cells import SequenceModel

    if isinstance(net, SequenceModel):
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
    model, tokens, units, outputs = _as_model(net)
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


def _num(v: float) -> str:
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
        return [[_num(steps.y[t, k]) + (" \u25c0" if decide and k == best[t] else "")]
                for k in range(O)]

    def heading(t: int) -> str:
        xv = ", ".join(_num(v) for v in steps.x[t])
        head = f"step {t + 1}: read '{tokens[t]}', x<sub>{t + 1}</sub> = [{xv}]"
        if decide:
            head += f" \u2192 <b>{html.escape(steps.output_names[best[t]])}</b>"
        return head

    def panel_text(t: int) -> list[list[str]]:
        return [[_num(v) for v in row] for row in blocks[t]]

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
        template="none", font=_FONT, height=height, plot_bgcolor="white",
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


# -------------------------------------------------------------------- turnstile

TURNSTILE_OUTPUTS = ("LOCKED", "WALK")  # output ids 0, 1, as in tasks.TurnstileTask


@dataclass(frozen=True)
class Agreement:
    """A network checked against the turnstile state machine on every input
    string of length 1..max_len (2 + 4 + ... + 2^max_len strings).

    A string agrees when the network's output after *every* step (the top
    score: LOCKED or WALK) is the machine's. first_wrong: the shortest string
    that disagrees (first in alphabetical order), None if all agree.
    """

    max_len: int
    strings: int
    agree: int
    steps: int
    steps_agree: int
    first_wrong: str | None

    @property
    def all_agree(self) -> bool:
        return self.agree == self.strings

    def __str__(self) -> str:
        """Two or three short lines (they fit the page's code column)."""
        s = (f"{self.agree} of {self.strings} input strings of length 1 to "
             f"{self.max_len} agree with the state machine\nat every step "
             f"({self.steps_agree} of {self.steps} steps)")
        if self.first_wrong is not None:
            s += f"\nthe shortest that does not: {self.first_wrong!r}"
        return s


def all_strings(length: int, alphabet: str = "cp") -> np.ndarray:
    """Every string of `length` tokens over `alphabet`, as ids (K^length, length),
    in alphabetical order (id 0 first)."""
    if not isinstance(length, int) or length < 1:
        raise ValueError(f"length must be an int >= 1, got {length!r}")
    K = len(alphabet)
    n = np.arange(K**length)
    powers = K ** np.arange(length - 1, -1, -1)
    return (n[:, None] // powers) % K  # (K^length, length) digits in base K


_MACHINE_CACHE: dict[int, list[np.ndarray]] = {}


def _machine_outputs(max_len: int) -> list[np.ndarray]:
    """tasks.turnstile_outputs of every string, one (2^L, L) array per length L."""
    if max_len not in _MACHINE_CACHE:
        out = []
        for L in range(1, max_len + 1):
            texts = ["".join("cp"[k] for k in row) for row in all_strings(L)]
            out.append(np.array([tasks.turnstile_outputs(s) for s in texts]))
        _MACHINE_CACHE[max_len] = out
    return _MACHINE_CACHE[max_len]


def turnstile_agreement(net: Any, max_len: int = 12) -> Agreement:
    """Check a turnstile network on every string of coins c and pushes p of
    length 1..max_len against the plain Python state machine
    ``tasks.turnstile_outputs``.

    net: a ``handset.HandSet`` or a ``cells.SequenceModel`` (inputs c = 0,
    p = 1; outputs LOCKED = 0, WALK = 1). The network's output at a step is its
    top score (a tie goes to LOCKED).
    """
    if not isinstance(max_len, int) or not 1 <= max_len <= 16:
        raise ValueError(f"max_len must be an int in [1, 16], got {max_len!r}")
    model = _as_model(net)[0]
    if model.vocab_size != 2 or model.output_size != 2:
        raise ValueError(f"a turnstile network reads 2 inputs (c, p) and scores 2 "
                         f"outputs (LOCKED, WALK), got {model!r}")
    strings = agree = steps = steps_agree = 0
    first_wrong = None
    for L, machine in zip(range(1, max_len + 1), _machine_outputs(max_len)):
        ids = all_strings(L)
        said = model.trace(ids).logits.argmax(axis=-1)  # (2^L, L)
        ok = said == machine
        strings += len(ids)
        agree += int(ok.all(axis=1).sum())
        steps += ok.size
        steps_agree += int(ok.sum())
        if first_wrong is None and not ok.all():
            row = int(np.flatnonzero(~ok.all(axis=1))[0])
            first_wrong = "".join("cp"[k] for k in ids[row])
    return Agreement(max_len, strings, agree, steps, steps_agree, first_wrong)


def turnstile_random_agreement(net: Any, length: int, n: int = 200,
                               seed: int = 0) -> float:
    """The fraction of `n` random strings of `length` coins and pushes (each
    input a coin with probability 1/2, ``np.random.default_rng(seed)``) on which
    the network agrees with the state machine at every step."""
    if not isinstance(length, int) or length < 1 or not isinstance(n, int) or n < 1:
        raise ValueError(f"length and n must be ints >= 1, got {length!r}, {n!r}")
    model = _as_model(net)[0]
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
    return dict(h=h.tolist(), h_text=[[_num(v) for v in row] for row in h],
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
        template="none", font=_FONT, height=plot_h + 110 + 90, plot_bgcolor="white",
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
        import ipywidgets as W

        self.hand = net if net is not None else handset.turnstile()
        self.max_len = max_len
        tasks.TurnstileTask().check(text)
        self.sliders = {
            row.weight: W.FloatSlider(
                value=row.value, min=-limit, max=limit, step=0.05,
                description=row.weight, continuous_update=False,
                style={"description_width": "300px"},
                layout=W.Layout(width="640px"))
            for row in self.hand.table}
        self.text = W.Text(value=text, description="inputs", continuous_update=False)
        self.reset = W.Button(description="hand-set weights")
        self.show_wrong = W.Button(description="show the shortest wrong string")
        self.status = W.HTML("")
        self.output = W.Output()
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
        from .display import figure_bundle

        text = self.text.value.strip()
        try:
            tasks.TurnstileTask().check(text)
        except ValueError as e:
            self.status.value = (f'<span style="color:#b2182b">{html.escape(str(e))}'
                                 "</span>")
            return
        self.figure = turnstile_view_figure(self.net, text, self.max_len,
                                            self.changes())
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": figure_bundle(self.figure)},)


# ------------------------------------------------------------------- France LED


@dataclass(frozen=True)
class WordRNN:
    """A word-level RNN with a readout: one-hot words over `vocabulary` ->
    ``model`` (a cells.SequenceModel). Text is split by ``handset.tokenize``."""

    name: str
    model: Any
    vocabulary: tuple[str, ...]
    unit_names: tuple[str, ...]

    def encode(self, text: str) -> np.ndarray:
        """Text -> word ids (T,); an unknown word raises UnknownTokenError."""
        words = tokenize(text)
        if not words:
            raise ValueError(f"{self.name}: text must hold at least one word, "
                             f"got {text!r}")
        return encode(words, self.vocabulary, owner=self.name)

    def run(self, texts: Sequence[str]) -> tuple[list[list[str]], list[np.ndarray]]:
        """The words of each text and the hidden states (T_b, H) over them."""
        if isinstance(texts, str):
            texts = [texts]
        words, states = [], []
        for text in texts:
            tr = self.model.trace(self.encode(text))
            words.append(tokenize(text))
            states.append(np.asarray(tr.h))
        return words, states


def france_led(self_weight: float = 2.0, input_weight: float = 3.0) -> WordRNN:
    """A one-unit tanh RNN over ``handset.SENTENCE_VOCABULARY`` that lights up at
    "France" and stays lit; built by hand, not trained:

        h_t = tanh(w [word = france] - w [word = italy] + u h_{t-1})

    with w = input_weight, u = self_weight. "france" drives h to tanh(w) = 0.995
    (w = 3); every later word only feeds h back, h <- tanh(u h). For u > 1 this
    map has a lit fixed point h* = tanh(u h*) > 0 (0.957 for u = 2): the LED
    stays lit. For u <= 1 the only fixed point is 0: the light fades. "italy"
    pushes h to the negative fixed point: the unit holds France (+) vs Italy (-).
    """
    for name, v in (("self_weight", self_weight), ("input_weight", input_weight)):
        if not isinstance(v, int | float) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    from .cells import RNN, Dense, SequenceModel

    vocab = handset.SENTENCE_VOCABULARY
    W = np.zeros((1, len(vocab)))
    W[0, vocab.index("france")] = input_weight
    W[0, vocab.index("italy")] = -input_weight
    params = {"weight_ih_l0": W, "weight_hh_l0": np.array([[float(self_weight)]]),
              "bias_ih_l0": np.zeros(1), "bias_hh_l0": np.zeros(1)}
    model = SequenceModel(RNN(params, nonlinearity="tanh"), Dense(np.ones((1, 1))))
    return WordRNN("France LED", model, vocab, ("France LED",))


def led_heatmap(led: WordRNN, sentences: Sequence[str], *, wrap: int = 8,
                title: str | None = None) -> go.Figure:
    """The LED's value at every word of each sentence (``viz.char_heatmap``
    with word cells): a row per sentence, cut into lines of `wrap` words
    (labelled "sentence k", then "sentence k (cont.)"), wide enough for words,
    red (-1) through white to blue (+1), colour bar "h"."""
    if not isinstance(wrap, int) or wrap < 1:
        raise ValueError(f"wrap must be an int >= 1 (words per line), got {wrap!r}")
    words, states = led.run(sentences)
    fig = viz.char_heatmap([s[:, 0] for s in states], words, quantity="h",
                           kind="rnn", unit_name=led.unit_names[0], wrap=wrap,
                           title=title)
    labels = [f"sentence {k + 1}" + (" (cont.)" if line else "")
              for k, w in enumerate(words)
              for line in range(max(1, math.ceil(len(w) / wrap)))]
    fig.update_layout(
        width=None, margin=dict(l=130),
        xaxis=dict(showticklabels=False, ticks="", title=dict(
            text=f"the words in reading order, {wrap} to a line")),
        yaxis=dict(ticktext=labels, tickvals=list(range(len(labels))), ticks=""))
    trace = fig.data[0]
    # customdata [sentence, word] from 0 -> from 1, as the labels count
    trace.customdata = [[None if c is None else [c[0] + 1, c[1] + 1] for c in row]
                        for row in trace.customdata]
    trace.hovertemplate = ("sentence %{customdata[0]}, word %{customdata[1]}: "
                           "'%{text}'<br>France LED h = %{z:.3f}<extra></extra>")
    trace.textfont = dict(size=12)
    trace.colorbar = dict(title=dict(text="h"), tickvals=[-1, 0, 1])
    return fig


def fixed_point(u: float, h0: float = 1.0, steps: int = 10_000) -> float:
    """The value h <- tanh(u h) settles at from h0 (0 for u <= 1, else the
    positive root of h = tanh(u h) when h0 > 0)."""
    h = float(h0)
    for _ in range(steps):
        h_new = math.tanh(u * h)
        if abs(h_new - h) < 1e-15:
            break
        h = h_new
    return h


# -------------------------------------------------------------------- gradients


def gradient_norms(model: Any, ids: Any) -> np.ndarray:
    """How much the last memory h_T depends on each earlier memory h_t:

        g[d] = mean over sequences of || dh_T / dh_t ||_2,   d = T - t,

    the spectral norm (largest singular value) of the H x H Jacobian, by torch
    autograd through the recurrence. For an LSTM, dh_T/dh_t holds the cell
    state c_t fixed (every path from h_t forward, through the gates and the
    candidate into c_{t+1}, ...). g[0] = 1 (the identity).

    model: a models.CharModel (one recurrent layer) or its ``.rnn``; ids: token
    ids (B, T) (a torch tensor or an int array). Computed in float64 on a copy
    of the weights. Returns g (T,), g[d] for d = 0 .. T-1.
    """
    import torch

    rnn = getattr(model, "rnn", model)
    if not isinstance(rnn, torch.nn.RNNBase) or rnn.num_layers != 1 or not \
            rnn.batch_first:
        raise ValueError(f"model must be a CharModel or a one-layer batch_first "
                         f"torch RNN/LSTM/GRU, got {type(rnn).__name__}")
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    if ids.dim() != 2 or ids.shape[1] < 1:
        raise ValueError(f"ids must have shape (B, T) with T >= 1, got "
                         f"{tuple(ids.shape)}")
    V = rnn.input_size
    if ids.min() < 0 or ids.max() >= V:
        raise ValueError(f"ids must be in [0, {V}), got values in "
                         f"[{int(ids.min())}, {int(ids.max())}]")
    import copy

    rnn = copy.deepcopy(rnn).double()  # float64: products of 100 small factors
    dtype = torch.float64
    x = torch.nn.functional.one_hot(ids, V).to(dtype)  # (B, T, V)
    B, T = ids.shape
    H = rnn.hidden_size
    lstm = isinstance(rnn, torch.nn.LSTM)
    hs = []  # h_t, each (B, H), a node of the graph
    h = torch.zeros(1, B, H, dtype=dtype)
    c = torch.zeros(1, B, H, dtype=dtype)
    with torch.enable_grad():
        for t in range(T):
            state = (h, c) if lstm else h
            _, state = rnn(x[:, t : t + 1], state)
            h, c = state if lstm else (state, c)
            hs.append(h[0])  # the node every later step reads h_t from:
            h = hs[-1].unsqueeze(0)
        J = torch.zeros(B, T, H, H, dtype=dtype)  # J[b, t, j, :] = dh_T[j] / dh_t
        for j in range(H):
            grads = torch.autograd.grad(hs[-1][:, j].sum(), hs, retain_graph=True,
                                        allow_unused=True)
            for t, g in enumerate(grads):
                if g is not None:
                    J[:, t, j] = g
    norms = torch.linalg.matrix_norm(J, ord=2)  # (B, T)
    return norms.mean(dim=0).flip(0).detach().double().numpy()  # index d = T - t


# ---------------------------------------------------------- hand-set vs learned


def rnn_weights(net: Any) -> dict[str, np.ndarray]:
    """The weights of a one-layer RNN with a readout, named as chapter 2 writes
    them: W (H, I), U (H, H), b (H,) (torch's two biases added), V (O, H),
    b_y (O,). net: a ``handset.HandSet`` or a ``cells.SequenceModel``."""
    model = _as_model(net)[0]
    if model.cell.kind != "rnn" or model.cell.num_layers != 1:
        raise ValueError(f"rnn_weights needs a one-layer RNN, got {model.cell!r}")
    p = model.cell.params
    return {"W": p["weight_ih_l0"], "U": p["weight_hh_l0"],
            "b": p["bias_ih_l0"] + p["bias_hh_l0"], "V": model.readout.W.copy(),
            "b_y": model.readout.b.copy()}


def _weight_grid(w: Mapping[str, np.ndarray], inputs: Sequence[str],
                 outputs: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """One row per unit: [W | U | b | V^T], plus a last row holding b_y under the
    V columns (NaN elsewhere). Returns (grid (H + 1, I + H + 1 + O), columns)."""
    H = w["U"].shape[0]
    unit_rows = np.hstack([w["W"], w["U"], w["b"][:, None], w["V"].T])
    by_row = np.full(unit_rows.shape[1], np.nan)
    by_row[-len(outputs):] = w["b_y"]
    # two short lines per header: the columns are narrow on a page
    cols = ([f"W from<br>'{s}'" for s in inputs]
            + [f"U from<br>{k}" for k in range(H)] + ["b"]
            + [f"V to<br>{o}" for o in outputs])
    return np.vstack([unit_rows, by_row]), cols


def weights_figure(nets: Mapping[str, Any], *, inputs: Sequence[str] = ("c", "p"),
                   outputs: Sequence[str] = TURNSTILE_OUTPUTS,
                   unit_names: Mapping[str, Sequence[str]] | None = None,
                   title: str | None = None) -> go.Figure:
    """The weights of several one-layer RNNs, one panel each, stacked.

    A row per hidden unit: its weights from each input (W), from each unit at
    the step before (U), its bias b, and its weight into each output (V,
    transposed so it stays on the unit's row); the last row holds the output
    biases b_y. Values are printed in the cells. nets: {panel title: HandSet or
    SequenceModel}; unit_names: {panel title: names} (default: the HandSet's,
    else "unit k").
    """
    if not nets:
        raise ValueError("nets must hold at least one network")
    grids = {}
    for name, net in nets.items():
        w = rnn_weights(net)
        if w["W"].shape[1] != len(inputs) or w["V"].shape[0] != len(outputs):
            raise ValueError(f"{name}: expected {len(inputs)} inputs and "
                             f"{len(outputs)} outputs, got W {w['W'].shape}, "
                             f"V {w['V'].shape}")
        H = w["U"].shape[0]
        names = (unit_names or {}).get(name)
        if names is None:
            names = _as_model(net)[2] if isinstance(net, handset.HandSet) else [
                f"unit {k}" for k in range(H)]
        grid, cols = _weight_grid(w, inputs, outputs)
        rows = [f"{k}: {n}" if not str(n).startswith("unit") else str(n)
                for k, n in enumerate(names)] + ["output bias b<sub>y</sub>"]
        grids[name] = (grid, cols, rows)
    m = max(float(np.nanmax(np.abs(g))) for g, _, _ in grids.values()) or 1.0
    row_px, gap_px = 34, 70
    total_rows = sum(len(r) for _, _, r in grids.values())
    plot_h = row_px * total_rows + gap_px * (len(grids) - 1)
    data, layout, top = [], {}, 1.0
    for k, (name, (grid, cols, rows)) in enumerate(grids.items()):
        ax = "" if k == 0 else str(k + 1)
        h = row_px * len(rows) / plot_h
        text = [["" if np.isnan(v) else _num(v) for v in row] for row in grid]
        data.append(dict(
            type="heatmap", z=style.rounded(grid), text=text, texttemplate="%{text}",
            x=cols, y=rows, colorscale=style.DIVERGING, zmin=-1.5 * m, zmax=1.5 * m,
            showscale=False, xgap=2, ygap=2, xaxis=f"x{ax}", yaxis=f"y{ax}",
            textfont=dict(size=13),
            hovertemplate=f"{html.escape(name)}<br>%{{y}}, %{{x}}: %{{z:.3f}}"
                          "<extra></extra>"))
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", side="top", type="category",
                                    showgrid=False, fixedrange=True, ticks="",
                                    tickfont=dict(size=12))
        layout[f"yaxis{ax}"] = dict(domain=[round(max(top - h, 0), 6), round(top, 6)],
                                    anchor=f"x{ax}", autorange="reversed",
                                    type="category", showgrid=False, fixedrange=True,
                                    ticks="")
        layout.setdefault("annotations", []).append(dict(
            xref="paper", yref="paper", x=-0.01, y=top, yanchor="bottom",
            xanchor="right", text=f"<b>{html.escape(name)}</b>", showarrow=False,
            yshift=28, font=dict(size=14)))
        top -= h + gap_px / plot_h
    return go.Figure(data=data, layout=dict(
        template="none", font=_FONT, height=plot_h + 90 + (40 if title else 0),
        plot_bgcolor="white", margin=dict(l=210, r=20, t=70 + (40 if title else 0),
                                          b=20),
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        hoverlabel=dict(font_size=13), **layout))


def machine_states(ids: np.ndarray) -> np.ndarray:
    """The two-coin turnstile's state (coins paid, 0..2) after each step of
    each row of ids (B, T) (0 = coin, 1 = push): (B, T) int."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.isin(ids, (0, 1)).all():
        raise ValueError(f"ids must be (B, T) of 0 (coin) and 1 (push), got "
                         f"shape {ids.shape}")
    s = np.zeros(ids.shape[0], dtype=np.int64)
    out = np.empty(ids.shape, dtype=np.int64)
    for t in range(ids.shape[1]):
        coin = ids[:, t] == 0
        s = np.where(coin, np.minimum(s + 1, 2), np.where(s == 2, 0, s))
        out[:, t] = s
    return out


STATE_CASES = (  # (label, machine state after the step, input, state before)
    ("0 coins, after a refused push", 0, 1, 0),
    ("0 coins, after walking through", 0, 1, 2),
    ("1 coin, after a coin", 1, 0, 0),
    ("1 coin, after a refused push", 1, 1, 1),
    ("2 coins, after a coin", 2, 0, None),
)


def state_vectors(net: Any, length: int = 10) -> dict[str, dict[str, np.ndarray]]:
    """The memory vectors a turnstile network uses for each machine state,
    split by how the state was reached (``STATE_CASES``), over every string of
    `length` inputs: {case: {"mean", "min", "max": (H,)}}."""
    model = _as_model(net)[0]
    ids = all_strings(length)
    h = np.asarray(model.trace(ids).h)  # (B, T, H)
    s = machine_states(ids)
    before = np.hstack([np.zeros((len(ids), 1), dtype=np.int64), s[:, :-1]])
    out = {}
    for label, after, inp, prev in STATE_CASES:
        sel = (s == after) & (ids == inp)
        if prev is not None:
            sel &= before == prev
        v = h[sel]  # (N, H)
        out[label] = {"mean": v.mean(0), "min": v.min(0), "max": v.max(0)}
    return out


def _signs(lo: np.ndarray, hi: np.ndarray) -> str:
    """Per unit: + (always > 0), - (always < 0), 0 (always exactly 0), ? else."""
    return "".join("+" if a > 0 else "-" if b < 0 else "0" if a == b == 0 else "?"
                   for a, b in zip(lo, hi))


def state_table(net: Any, length: int = 10) -> str:
    """``state_vectors`` as lines of text, one per case of ``STATE_CASES``:
    the mean memory vector and the sign pattern of its units (+ or - when a
    unit has that sign in every vector of the case, 0 when it is exactly 0
    throughout, ? when it varies)."""
    lines = []
    for case, v in state_vectors(net, length).items():
        mean = " ".join(f"{x:5.2f}" for x in v["mean"])
        lines.append(f"  {case:32} mean [{mean}]  signs {_signs(v['min'], v['max'])}")
    return "\n".join(lines)


# -------------------------------------------------------------- long-gap recall


@dataclass(frozen=True)
class RecallConfig:
    """The long-gap recall sweep: for each gap k, each kind and each seed, train
    on recall after 1..k distractors (``tasks.LongGapTask(1, k)``) with a fixed
    budget, then test recall after exactly k distractors."""

    gaps: tuple[int, ...] = (5, 10, 20, 40, 80)  # k: distractors before the "?"
    kinds: tuple[str, ...] = ("rnn", "lstm")  # tanh RNN and LSTM (models.KINDS)
    seeds: tuple[int, ...] = (0, 1, 2)
    hidden_size: int = 16  # units H of both kinds
    steps: int = 400  # training budget: at most this many Adam steps
    lr: float = 0.01
    batch_size: int = 64  # random texts per step
    eval_every: int = 25  # steps between early-stopping checks
    test_size: int = 256  # test texts per gap
    test_seed: int = 2024  # the test texts: np.random.default_rng(test_seed)

    def __post_init__(self) -> None:
        if not self.gaps or any(not isinstance(k, int) or k < 1 for k in self.gaps):
            raise ValueError(f"gaps must be ints >= 1, got {self.gaps!r}")
        if not self.seeds or not self.kinds:
            raise ValueError("need at least one seed and one kind")
        for kind in self.kinds:
            if kind not in ("rnn", "rnn_relu", "lstm", "gru", "peephole"):
                raise ValueError(f"kinds must be model kinds (models.KINDS), got "
                                 f"{kind!r}")


@dataclass
class RecallRun:
    """One training run of the sweep and its test result."""

    kind: str
    gap: int
    seed: int
    accuracy: float  # recall after exactly `gap` distractors, on the test texts
    steps: int  # Adam steps taken (fewer than the budget: stopped early)
    seconds: float
    model: Any = dataclasses.field(repr=False, default=None)


def recall_test_texts(gap: int, config: RecallConfig = RecallConfig()) -> list[str]:
    """The fixed test texts of one gap: ``config.test_size`` texts with exactly
    `gap` distractors."""
    task = tasks.LongGapTask(gap, gap)
    return task.validation_texts(seed=config.test_seed + gap, size=config.test_size)


def recall_run(kind: str, gap: int, seed: int,
               config: RecallConfig = RecallConfig()) -> RecallRun:
    """Train one model on recall after 1..gap distractors with
    ``train.train`` (early stop once every validation text is right), then
    test it after exactly `gap` distractors."""
    from . import train

    c = config
    cfg = train.TrainConfig(kind=kind, hidden_size=c.hidden_size, seed=seed,
                            steps=c.steps, lr=c.lr, batch_size=c.batch_size,
                            full_batch=False, eval_every=c.eval_every)
    res = train.train(tasks.LongGapTask(1, gap), cfg, progress=False)
    test, texts = tasks.LongGapTask(gap, gap), recall_test_texts(gap, c)
    acc = train.accuracy(res.model, test, texts).position
    return RecallRun(kind, gap, seed, acc, res.steps, res.seconds, res.model)


def recall_sweep(config: RecallConfig = RecallConfig()) -> list[RecallRun]:
    """``recall_run`` for every gap, kind and seed of `config` (gap-major)."""
    return [recall_run(kind, gap, seed, config) for gap in config.gaps
            for kind in config.kinds for seed in config.seeds]


def recall_model_sizes(config: RecallConfig = RecallConfig()
                       ) -> dict[str, tuple[int, int]]:
    """How many weights each kind of the sweep has: {kind: (recurrent,
    total)}. Recurrent: the layer's W, U and biases, G * H * (I + H + 2) for G
    rows per unit (1 for an RNN, 3 for a GRU, 4 for an LSTM; peepholes add
    3 H); total adds the readout, V * (H + 1)."""
    from . import train

    task = tasks.LongGapTask(1, max(config.gaps))
    sizes = {}
    for kind in config.kinds:
        model = train.build_model(task, train.TrainConfig(
            kind=kind, hidden_size=config.hidden_size))
        sizes[kind] = (sum(p.numel() for p in model.rnn.parameters()),
                       sum(p.numel() for p in model.parameters()))
    return sizes


def recall_confusion(model: Any, gap: int,
                     config: RecallConfig = RecallConfig()) -> np.ndarray:
    """How a model answers the test texts of one gap: C[i, j] = how many texts
    whose first symbol is ``LongGapTask.symbols[i]`` it answers with symbol j
    (column 4: anything else). (4, 5) int."""
    import torch

    task = tasks.LongGapTask(gap, gap)
    batch = task.batch(recall_test_texts(gap, config))
    with torch.no_grad():
        logits, _ = model(torch.as_tensor(batch.inputs))
    said = logits.argmax(-1).numpy()[batch.mask]  # (B,): the answer after "?"
    truth = batch.targets[batch.mask]
    C = np.zeros((4, 5), dtype=np.int64)
    for t, s in zip(truth, said):
        C[t, s if s < 4 else 4] += 1  # ids 0..3 are A, B, C, D
    return C


_KIND_NAMES = {"rnn": "tanh RNN", "rnn_relu": "ReLU RNN", "lstm": "LSTM",
               "gru": "GRU", "peephole": "peephole LSTM"}


def recall_table(runs: Sequence[RecallRun]) -> str:
    """Recall accuracy by gap (rows) and kind (columns): the mean over seeds,
    then each seed's accuracy, and the Adam steps each run took."""
    if not runs:
        raise ValueError("runs must hold at least one run")
    gaps = sorted({r.gap for r in runs})
    kinds = list(dict.fromkeys(r.kind for r in runs))

    def cells(k: int, kind: str) -> tuple[str, str]:  # accuracy, steps per seed
        mine = [r for r in runs if r.gap == k and r.kind == kind]
        accs = " ".join(f"{r.accuracy:.2f}" for r in mine)
        return (f"{np.mean([r.accuracy for r in mine]):.3f} ({accs})",
                " ".join(f"{r.steps:>4}" for r in mine))

    table = {k: [cells(k, kind) for kind in kinds] for k in gaps}
    layout = dict(align=">" + "<" * len(kinds), rules=(),
                  min_widths=[6] + [30] * len(kinds))
    accuracy = text_table(
        ["gap k"] + [f"{_KIND_NAMES.get(kind, kind)}: mean (per seed)"
                     for kind in kinds],
        [[str(k)] + [a for a, _ in table[k]] for k in gaps], **layout)
    steps = text_table(
        [""] + ["steps taken per seed"] * len(kinds),
        [[str(k)] + [s for _, s in table[k]] for k in gaps], **layout)
    return f"{accuracy}\n\n{steps}"


_KIND_COLOURS = {"rnn": "#d62728", "lstm": "#1f77b4", "rnn_relu": "#ff7f0e",
                 "gru": "#2ca02c", "peephole": "#9467bd"}


def recall_figure(runs: Sequence[RecallRun], chance: float = 0.25,
                  title: str | None = None) -> go.Figure:
    """Recall accuracy against the gap k (log axis): one line per kind through
    the mean over seeds, one circle per seed, and the chance level. Each
    kind's circles sit a little to one side of its line (and each seed a
    little apart), so that none hides under a line."""
    if not runs:
        raise ValueError("runs must hold at least one run")
    gaps = sorted({r.gap for r in runs})
    kinds = list(dict.fromkeys(r.kind for r in runs))
    seeds = sorted({r.seed for r in runs})
    data = []
    for ki, kind in enumerate(kinds):
        name = _KIND_NAMES.get(kind, kind)
        colour = _KIND_COLOURS.get(kind, "#444")
        mine = [r for r in runs if r.kind == kind]
        means = [float(np.mean([r.accuracy for r in mine if r.gap == k]))
                 for k in gaps]
        data.append(go.Scatter(
            x=gaps, y=style.rounded(means), mode="lines+markers", name=f"{name}, mean",
            line=dict(color=colour, width=3), marker=dict(size=9),
            hovertemplate=f"{name}, gap %{{x}}: mean %{{y:.3f}}<extra></extra>"))
        # log10 shift: kinds to either side of the gap, seeds slightly apart
        side = ki - (len(kinds) - 1) / 2
        shift = [0.07 * side + 0.02 * (seeds.index(r.seed) - (len(seeds) - 1) / 2)
                 for r in mine]
        data.append(go.Scatter(
            x=[float(f"{r.gap * 10**d:.4g}") for r, d in zip(mine, shift)],
            y=style.rounded([r.accuracy for r in mine]),
            mode="markers", name=f"{name}, each seed", legendgroup=kind,
            marker=dict(color=colour, size=8, opacity=0.8, symbol="circle-open",
                        line=dict(width=2)),
            customdata=[[r.seed, r.gap] for r in mine],
            hovertemplate=f"{name}, gap %{{customdata[1]}}, seed "
                          "%{customdata[0]}: %{y:.3f}<extra></extra>"))
    data.append(go.Scatter(x=[gaps[0], gaps[-1]], y=[chance, chance], mode="lines",
                           name="chance (1 in 4)", line=dict(color="#999", dash="dot"),
                           hoverinfo="skip"))
    lo, hi = math.log10(gaps[0]) - 0.12, math.log10(gaps[-1]) + 0.12
    return go.Figure(data=data, layout=dict(
        template="none", font=_FONT, height=470, plot_bgcolor="white",
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        margin=dict(l=70, r=20, t=50 if title else 20, b=110),
        xaxis=dict(type="log", tickvals=gaps, range=[lo, hi], title=dict(
            text="gap k, on a log scale: distractors before the question")),
        yaxis=dict(range=[0, 1.05], title=dict(text="recall accuracy at gap k")),
        legend=dict(orientation="h", x=0, y=-0.22, yanchor="top"),
        hoverlabel=dict(font_size=13)))


def gradient_figure(curves: Mapping[str, np.ndarray], title: str | None = None,
                    styles: Mapping[str, dict] | None = None) -> go.Figure:
    """||dh_T/dh_t|| against the distance T - t on a log y axis, one line per
    entry of `curves` ({name: g (T,)} from ``gradient_norms``). Values below
    1e-30 are left out (float64 underflow)."""
    data = []
    for name, g in curves.items():
        g = np.asarray(g, dtype=float)
        y = [float(f"{v:.4g}") if v > 1e-30 else None for v in g]
        data.append(go.Scatter(
            x=list(range(len(g))), y=y, mode="lines", name=name,
            line=(styles or {}).get(name, dict(width=2.5)),
            hovertemplate=f"{html.escape(name)}<br>T - t = %{{x}}: "
                          "%{y:.3g}<extra></extra>"))
    return go.Figure(data=data, layout=dict(
        template="none", font=_FONT, height=440, plot_bgcolor="white",
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        margin=dict(l=80, r=20, t=50 if title else 20, b=60),
        xaxis=dict(title=dict(text="distance T - t (steps back from the last input)")),
        yaxis=dict(type="log", exponentformat="power", title=dict(
            text="||dh<sub>T</sub> / dh<sub>t</sub>||, mean over sequences")),
        legend=dict(x=0.01, y=0.02, yanchor="bottom",
                    bgcolor="rgba(255,255,255,0.8)"),
        hoverlabel=dict(font_size=13)))
