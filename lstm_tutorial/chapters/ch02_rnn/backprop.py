"""Chapter 2: backpropagation through time, exploding gradients and clipping.

- ``bptt_figure``: the unrolled chain with the gradient flowing back, one
  Jacobian per step;
- ``with_spectral_radius``: an RNN's recurrent matrix U rescaled, to make
  ``||dh_T/dh_t||`` shrink or grow;
- the latch with a bias, one unit learned by hand-written BPTT
  (``latch_forward``, ``latch_loss_grad``, ``latch_sensitivity``), gradient
  descent with and without clipping (``clip_by_norm``, ``descend``) and its
  loss curve (``cliff_figure``).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from lstm_tutorial import diagrams as dg
from lstm_tutorial import style
from lstm_tutorial.chapters.ch02_rnn.loop import _H, _X

_GRAD = "#d62728"  # the gradient flowing back
_LOSS = dict(fill="#fdd0a2", line="#d94801")


# ----------------------------------------------------------------- the diagram


def bptt_figure(steps: int = 4, title: str | None = None) -> go.Figure:
    """The unrolled RNN with the loss L read from the last memory h_T and the
    gradient flowing back along the chain (red arcs): each arc multiplies
    dL/dh_t by the step's Jacobian J_t = dh_t/dh_{t-1} = diag(1 - h_t^2) U,

        dL/dh_{t-1} = dL/dh_t J_t,   so   dL/dh_t = dL/dh_T J_T ... J_{t+1}.

    The arcs thin out to the left: when every factor shrinks, so does the
    gradient. Hover on a box for its forward and backward equation.
    """
    if not isinstance(steps, int) or not 2 <= steps <= 6:
        raise ValueError(f"steps must be an int in [2, 6], got {steps!r}")
    cv = dg.Canvas()
    bw, bh, dx, gap = 1.1, 0.8, 2.2, 1.9
    T = steps
    cv.box(0, 0, 0.9, bh, _H, dg.sub("h", "0"), dash="dot",
           hover="the memory before any input: h<sub>0</sub> = 0")
    prev = 0.45
    for t in range(1, T + 1):
        x = t * dx
        cv.box(x, 0, bw, bh, _H, dg.sub("h", str(t)),
               hover=(f"forward: h<sub>{t}</sub> = tanh(W x<sub>{t}</sub> + "
                      f"U h<sub>{t - 1}</sub> + b)<br>backward: "
                      f"∂L/∂h<sub>{t - 1}</sub> = ∂L/∂h<sub>{t}</sub> "
                      f"J<sub>{t}</sub>"))
        cv.box(x, -gap, bw, bh, _X, dg.sub("x", str(t)), hover=f"input x<sub>{t}</sub>")
        cv.arrow(x, -gap + bh / 2, x, -bh / 2, label="<i>W</i>", label_shift=(-0.25, 0))
        cv.arrow(prev, 0, x - bw / 2, 0, color="#2171b5", width=2.5, label="<i>U</i>",
                 label_shift=(0, -0.25))
        prev = x + bw / 2
    xl = (T + 1) * dx
    cv.box(xl, 0, bw, bh, _LOSS, "<i>L</i>",
           hover="the loss, read from the last memory h<sub>T</sub> (through V)")
    cv.arrow(prev, 0, xl - bw / 2, 0, label="<i>V</i>", label_shift=(0, -0.25))
    # the gradient, right to left: from L into h_T, then one Jacobian per step
    top = bh / 2 + 0.05
    for k, t in enumerate(range(T + 1, 0, -1)):  # arc from box t (L is T + 1) to t - 1
        xa, xb = t * dx - 0.25, (t - 1) * dx + 0.25
        width = max(1.2, 4.5 - 0.8 * k)
        lab = ("∂<i>L</i>/∂" + dg.sub("h", str(T)) if t == T + 1
               else "× " + dg.sub("J", str(t)))
        cv.curve([(xa, top), ((xa + xb) / 2, top + 1.1), (xb, top)], color=_GRAD,
                 width=width, label=lab, label_at=((xa + xb) / 2, top + 0.85), size=14)
    cv.label(xl / 2, gap + 0.35,
             "backward: ∂<i>L</i>/∂" + dg.sub("h", "t-1") + " = ∂<i>L</i>/∂"
             + dg.sub("h", "t") + " " + dg.sub("J", "t") + ",   "
             + dg.sub("J", "t") + " = ∂" + dg.sub("h", "t") + "/∂" + dg.sub("h", "t-1")
             + " = diag(1 − " + dg.sub("h", "t") + "<sup>2</sup>) <i>U</i>",
             size=14, color=_GRAD)
    cv.label(xl / 2, -gap - 0.8,
             "the same <i>U</i> at every step: the gradient for <i>U</i> "
             "(and <i>W</i>) adds up one term per step", size=13, color="#555")
    return cv.figure((-0.8, xl + 0.9), (-gap - 1.15, gap + 0.7), height=330,
                     title=title)


# ------------------------------------------------------ exploding ||dh_T/dh_t||


def spectral_radius(U: Any) -> float:
    """rho(U) = max |eigenvalue| of a square matrix (numpy or torch)."""
    U = np.asarray(U.detach() if isinstance(U, torch.Tensor) else U, dtype=float)
    if U.ndim != 2 or U.shape[0] != U.shape[1]:
        raise ValueError(f"U must be a square matrix, got shape {U.shape}")
    return float(np.abs(np.linalg.eigvals(U)).max())


def with_spectral_radius(model: Any, rho: float) -> Any:
    """A deep copy of a one-layer RNN model (a ``models.CharModel`` or its
    ``.rnn``) whose recurrent matrix is scaled, U <- U * rho / rho(U), so that
    its spectral radius is `rho`; every other weight is kept."""
    if not isinstance(rho, int | float) or not rho > 0 or not math.isfinite(rho):
        raise ValueError(f"rho must be a finite number > 0, got {rho!r}")
    out = copy.deepcopy(model)
    rnn = getattr(out, "rnn", out)
    if not isinstance(rnn, torch.nn.RNN) or rnn.num_layers != 1:
        raise ValueError(f"model must hold a one-layer torch.nn.RNN, got "
                         f"{type(rnn).__name__}")
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(rho / spectral_radius(rnn.weight_hh_l0))
    return out


# ------------------------------------------------- the latch, learned by BPTT


@dataclass(frozen=True)
class Latch:
    """One tanh unit that must keep a sign for T steps, the France LED with a
    bias b: it reads +1 ("France") or -1 ("Italy") at step 1, then nothing:

        h_1 = tanh(w s + b),   h_t = tanh(u h_{t-1} + b)  (t = 2..T),

    and its loss asks h_T to be +target after France and -target after Italy:
    L(b) = (h_T(+1) - target)^2 + (h_T(-1) + target)^2. Only b is learned."""

    w: float = 3.0  # input weight: h_1 = tanh(3) = 0.995 after France
    u: float = 2.0  # self-weight: a latch (two lit fixed points for small |b|)
    steps: int = 30  # T
    target: float = 0.9

    def __post_init__(self) -> None:
        if not isinstance(self.steps, int) or self.steps < 2:
            raise ValueError(f"steps must be an int >= 2, got {self.steps!r}")


def latch_forward(b: float, s: int, latch: Latch = Latch()) -> np.ndarray:
    """h_1 .. h_T of the latch after reading s = +1 or -1. (T,)"""
    if s not in (1, -1):
        raise ValueError(f"s must be +1 or -1, got {s!r}")
    h = [math.tanh(latch.w * s + b)]
    for _ in range(latch.steps - 1):
        h.append(math.tanh(latch.u * h[-1] + b))  # the memory, carried on
    return np.array(h)


def latch_loss_grad(b: float, latch: Latch = Latch()) -> tuple[float, float]:
    """L(b) and dL/db by backpropagation through time, written out."""
    L, dL_db = 0.0, 0.0
    for s in (1, -1):  # France, Italy
        h = latch_forward(b, s, latch)  # (T,) forward, every h_t kept
        L += (h[-1] - s * latch.target) ** 2
        g = 2 * (h[-1] - s * latch.target)  # dL/dh_T
        for t in range(latch.steps - 1, -1, -1):  # back in time, T .. 1
            dz = g * (1 - h[t] ** 2)  # dL/dz_t, through tanh'
            dL_db += dz  # b is used at every step: one term per step
            g = dz * latch.u  # dL/dh_{t-1} = dL/dh_t * dh_t/dh_{t-1}
    return L, dL_db


def latch_sensitivity(b: float, s: int = 1, latch: Latch = Latch()) -> np.ndarray:
    """dh_T/dh_t for t = 1..T after reading s: the product of the factors
    u (1 - h_k^2) for k = t+1..T (1 for t = T). (T,)"""
    h = latch_forward(b, s, latch)
    factors = latch.u * (1 - h[1:] ** 2)  # dh_k/dh_{k-1}, k = 2..T
    return np.append(np.cumprod(factors[::-1])[::-1], 1.0)


def clip_by_norm(g: Any, max_norm: float) -> np.ndarray:
    """Gradient clipping, as ``torch.nn.utils.clip_grad_norm_`` does it for
    one tensor: g <- g * min(1, max_norm / ||g||). The direction is kept; only
    a gradient longer than max_norm is shortened to max_norm."""
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm!r}")
    g = np.asarray(g, dtype=float)
    norm = float(np.sqrt((g ** 2).sum()))
    return g * min(1.0, max_norm / norm) if norm > 0 else g


@dataclass(frozen=True)
class Step:
    """One step of gradient descent on the latch's bias."""

    step: int
    b: float  # the bias before the step
    loss: float
    grad: float  # dL/db
    move: float  # the change made to b: -lr * (clipped) grad


def descend(b0: float, lr: float, steps: int, clip: float | None = None,
            latch: Latch = Latch()) -> list[Step]:
    """Plain gradient descent on b from b0: b <- b - lr * g, g = dL/db, clipped
    to norm `clip` first if given. Returns steps + 1 rows (the last: the
    final b and its loss, no move)."""
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    b, path = float(b0), []
    for k in range(steps):
        L, g = latch_loss_grad(b, latch)
        used = float(clip_by_norm(g, clip)) if clip is not None else float(g)
        path.append(Step(k, b, float(L), float(g), -lr * used + 0.0))  # no -0.0
        b -= lr * used
    L, g = latch_loss_grad(b, latch)
    path.append(Step(steps, b, float(L), float(g), 0.0))
    return path


def cliff_figure(paths: Mapping[str, Sequence[Step]], latch: Latch = Latch(),
                 b_range: tuple[float, float] = (-1.2, 1.2), points: int = 2401,
                 title: str | None = None) -> go.Figure:
    """Top: the latch's loss L(b), and the b's that gradient descent visits
    (one marker series per entry of `paths`; a b outside `b_range` is drawn
    at the edge, with a note of where it went). Bottom: |dL/db| on a log axis."""
    bs = np.linspace(*b_range, points)
    Lg = np.array([latch_loss_grad(float(b), latch) for b in bs])  # (points, 2)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.6, 0.4])
    fig.add_trace(go.Scatter(x=style.rounded(bs), y=style.rounded(Lg[:, 0]),
                             mode="lines", name="loss L(b)",
                             line=dict(color="#444", width=2),
                             hovertemplate="b = %{x:.3f}: L = %{y:.4f}<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=style.rounded(bs),
                             y=[float(f"{v:.4g}") for v in np.abs(Lg[:, 1]) + 1e-12],
                             mode="lines", name="|dL/db|", showlegend=False,
                             line=dict(color=_GRAD, width=2),
                             hovertemplate="b = %{x:.3f}: |dL/db| = %{y:.3g}"
                                           "<extra></extra>"),
                  row=2, col=1)
    colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"]
    lo, hi = b_range
    for k, (name, path) in enumerate(paths.items()):
        xs = [min(max(p.b, lo), hi) for p in path]
        fig.add_trace(go.Scatter(
            x=style.rounded(xs), y=style.rounded([p.loss for p in path]),
            mode="markers+lines", name=name,
            line=dict(color=colours[k % 4], width=1, dash="dot"),
            marker=dict(color=colours[k % 4], size=8 - 2 * k, symbol="circle-open",
                        line=dict(width=2)),
            customdata=[[p.step, p.b, p.grad] for p in path],
            hovertemplate=(f"{name}<br>step %{{customdata[0]}}: "
                           "b = %{customdata[1]:.4g}<br>L = %{y:.4f}, "
                           "dL/db = %{customdata[2]:.3g}<extra></extra>")),
                      row=1, col=1)
        far = [p for p in path if not lo <= p.b <= hi]
        if far:  # where the path left the drawing: say where it went
            p = far[0]
            fig.add_annotation(x=min(max(p.b, lo), hi), y=p.loss, row=1, col=1,
                               text=f"{name}: b = {p.b:.4g}", showarrow=True,
                               arrowhead=2, ax=-70 if p.b > hi else 70, ay=-30,
                               font=dict(color=colours[k % 4], size=12))
    fig.update_layout(style.base_layout(
        title=style.title_dict(title), height=520,
        legend=dict(orientation="h", x=0, y=-0.14, yanchor="top"),
        margin=dict(l=70, r=20, t=50 if title else 20, b=60)))
    fig.update_yaxes(title_text="loss L", row=1, col=1)
    fig.update_yaxes(title_text="|dL/db|", type="log", exponentformat="power",
                     row=2, col=1)
    fig.update_xaxes(title_text="the bias b", row=2, col=1)
    return fig
