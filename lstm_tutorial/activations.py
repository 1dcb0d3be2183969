"""The three activations of the book, and their interactive plot (chapter 1).

    sigmoid(x) = 1 / (1 + exp(-x))      in (0, 1),  slope sigmoid(x)(1 - sigmoid(x))
    tanh(x)    = 2 sigmoid(2x) - 1      in (-1, 1), slope 1 - tanh(x)^2
    relu(x)    = max(0, x)              in [0, inf), slope 1 if x > 0 else 0
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

__all__ = ["sigmoid", "relu", "ACTIVATIONS", "COLOURS", "activations_figure"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """sigma(x) = 1 / (1 + exp(-x)), computed as (1 + tanh(x / 2)) / 2 (no overflow)."""
    x = np.asarray(x)
    return 0.5 * np.tanh(0.5 * x) + 0.5


def relu(x: np.ndarray) -> np.ndarray:
    """relu(x) = max(0, x)."""
    return np.maximum(x, 0)


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    # name: (phi, dphi/dx)
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "ReLU": (relu, lambda x: (np.asarray(x) > 0).astype(float)),
}
COLOURS = {"sigmoid": "#1f77b4", "tanh": "#d62728", "ReLU": "#2ca02c"}


def activations_figure(x_max: float = 5.0, n_slider: int = 21) -> go.Figure:
    """Sigmoid, tanh and ReLU with a slider that moves an input x along the curves.

    A menu switches between the functions and their slopes; the slider marks
    phi(x) (or phi'(x)) on each curve and prints the three values.
    """
    if x_max <= 0 or n_slider < 2:
        raise ValueError(f"need x_max > 0 and n_slider >= 2, got {x_max}, {n_slider}")
    xs = np.linspace(-x_max, x_max, 201)
    x0s = np.linspace(-0.8 * x_max, 0.8 * x_max, n_slider)
    fig = go.Figure()
    for name, (phi, dphi) in ACTIVATIONS.items():  # traces 0-2: curves
        fig.add_scatter(x=xs, y=np.round(phi(xs), 4), name=name, mode="lines",
                        line=dict(color=COLOURS[name], width=3),
                        hovertemplate=f"{name}(%{{x:.2f}}) = %{{y:.3f}}<extra></extra>")
    for name, (phi, _) in ACTIVATIONS.items():  # traces 3-5: the moving markers
        fig.add_scatter(x=[0.0], y=[float(phi(0.0))], mode="markers",
                        marker=dict(size=12, color=COLOURS[name]),
                        showlegend=False, hoverinfo="skip")

    def label(x0: float, derivative: bool) -> str:
        k = 1 if derivative else 0
        parts = [f"{n}{'′' if derivative else ''}({x0:.1f}) = "
                 f"{float(f[k](x0)):.3f}" for n, f in ACTIVATIONS.items()]
        return "   ".join(parts)

    def marker_step(x0: float, derivative: bool) -> dict:
        k = 1 if derivative else 0
        ys = [[round(float(f[k](x0)), 4)] for f in ACTIVATIONS.values()]
        return dict(  # restyle only the three markers (traces 3-5)
            method="update",
            label=f"{x0:.1f}",
            args=[{"x": [[x0]] * 3, "y": ys}, {"title.text": label(x0, derivative)},
                  [3, 4, 5]],
        )

    def slider(derivative: bool) -> dict:
        return dict(
            active=n_slider // 2,
            currentvalue=dict(prefix="input x = "),
            pad=dict(t=40),
            steps=[marker_step(x0, derivative) for x0 in x0s],
        )

    def curves(derivative: bool) -> dict:
        k = 1 if derivative else 0
        ys = [np.round(f[k](xs), 4) for f in ACTIVATIONS.values()]
        x0 = float(x0s[n_slider // 2])
        marks = [[round(float(f[k](x0)), 4)] for f in ACTIVATIONS.values()]
        return dict(
            label="slopes φ′(x)" if derivative else "functions φ(x)",
            method="update",
            args=[
                {"y": ys + marks, "x": [xs] * 3 + [[x0]] * 3},
                {"sliders": [slider(derivative)],
                 "title.text": label(x0, derivative),
                 "yaxis.title.text": "φ′(x)" if derivative else "φ(x)"},
            ],
        )

    fig.update_layout(
        title=label(float(x0s[n_slider // 2]), False),
        xaxis=dict(title="input x", range=[-x_max, x_max], zeroline=True),
        yaxis=dict(title="φ(x)", range=[-1.2, 2.2], zeroline=True),
        sliders=[slider(False)],
        updatemenus=[dict(type="buttons", direction="right", x=0.0, y=1.18,
                          xanchor="left", buttons=[curves(False), curves(True)])],
        height=480,
        margin=dict(t=110),
        legend=dict(x=0.02, y=0.98),
        template="plotly_white",
    )
    return fig
