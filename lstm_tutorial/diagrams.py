"""The book's diagram kit: boxes, circles, arrows and labels drawn as plotly shapes.

Diagrams are plain plotly figures (no images), so they render in a page with no
kernel and scale with the column. Everything is placed in data coordinates on
hidden, equally scaled axes (:func:`frame`).

- shape builders, each returning one plotly dict: :func:`rounded_box` (by its
  corners), :func:`polyline`, :func:`arrow` (an annotation), :func:`label`;
- colours: :func:`rgba`, :func:`tint`;
- :class:`Canvas`: collects shapes, arrows, curves, labels and hover points for
  one figure, placing boxes by their centre; ``canvas.figure(...)`` lays it out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from .style import FONT

__all__ = [
    "LINE",
    "rgba",
    "tint",
    "rounded_box",
    "polyline",
    "arrow",
    "label",
    "frame",
    "sub",
    "Canvas",
]

LINE = "#555"  # the colour of plain connecting lines


def rgba(hex_colour: str, alpha: float) -> str:
    """'#ff7f0e', 0.2 -> 'rgba(255,127,14,0.2)'."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def tint(hex_colour: str, alpha: float) -> str:
    """The colour at opacity alpha over white, as an opaque 'rgb(...)'."""
    h = hex_colour.lstrip("#")
    r, g, b = (round(255 - alpha * (255 - int(h[k : k + 2], 16))) for k in (0, 2, 4))
    return f"rgb({r},{g},{b})"


def rounded_box(x0: float, y0: float, x1: float, y1: float, r: float = 0.18,
                **kw: Any) -> dict:
    """A rectangle with rounded corners (radius r) as an SVG path shape."""
    path = (f"M {x0 + r},{y0} L {x1 - r},{y0} Q {x1},{y0} {x1},{y0 + r} "
            f"L {x1},{y1 - r} Q {x1},{y1} {x1 - r},{y1} L {x0 + r},{y1} "
            f"Q {x0},{y1} {x0},{y1 - r} L {x0},{y0 + r} Q {x0},{y0} {x0 + r},{y0} Z")
    return dict(type="path", path=path, layer="below", **kw)


def polyline(points: Sequence[tuple[float, float]], colour: str = LINE,
             width: float = 2) -> dict:
    """An open path through points (an arrow head is a separate annotation)."""
    path = "M " + " L ".join(f"{x},{y}" for x, y in points)
    return dict(type="path", path=path, layer="below",
                line=dict(color=colour, width=width))


def arrow(tail: tuple[float, float], head: tuple[float, float],
          colour: str = LINE, width: float = 2, size: float = 1.1) -> dict:
    """An arrow annotation from tail to head, in data coordinates."""
    return dict(x=head[0], y=head[1], ax=tail[0], ay=tail[1], xref="x", yref="y",
                axref="x", ayref="y", text="", showarrow=True, arrowhead=2,
                arrowsize=size, arrowwidth=width, arrowcolor=colour)


def label(x: float, y: float, text: str, size: int = 12, colour: str = "#222",
          anchor: str = "center", **kw: Any) -> dict:
    """A text annotation centred (or anchored) at (x, y)."""
    return dict(x=x, y=y, xref="x", yref="y", text=text, showarrow=False,
                font=dict(size=size, color=colour), xanchor=anchor, **kw)


def sub(name: str, index: str) -> str:
    """An italic symbol with a subscript: sub("h", "t") -> h_t in HTML."""
    return f"<i>{name}</i><sub>{index}</sub>"


def frame(height: int, x_range: tuple[float, float], y_range: tuple[float, float],
          title: str | None, **kw: Any) -> dict:
    """A diagram's layout: hidden, fixed, equally scaled axes, white background."""
    axis = dict(visible=False, fixedrange=True)
    out = dict(
        template="none", font=FONT, height=height, plot_bgcolor="white",
        paper_bgcolor="white",
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15))
        if title else None,
        margin=dict(l=5, r=5, t=40 if title else 5, b=5), showlegend=False,
        xaxis=dict(range=list(x_range), **axis),
        yaxis=dict(range=list(y_range), scaleanchor="x", scaleratio=1, **axis),
        hoverlabel=dict(font_size=13),
    )
    out.update(kw)
    return out


class Canvas:
    """Shapes, arrows and labels in data coordinates, collected for one figure."""

    def __init__(self) -> None:
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []
        self.hover: list[tuple[float, float, str]] = []  # invisible hover points

    def box(self, x: float, y: float, w: float, h: float, colours: dict,
            text: str, *, dash: str = "solid", hover: str | None = None,
            size: int = 15, r: float = 0.12) -> None:
        """A rounded box centred at (x, y), w by h, with ``text`` inside;
        colours: {"fill": ..., "line": ...}."""
        self.shapes.append(rounded_box(
            x - w / 2, y - h / 2, x + w / 2, y + h / 2, r, fillcolor=colours["fill"],
            line=dict(color=colours["line"], width=2, dash=dash)))
        self.label(x, y, text, size=size)
        if hover:
            self.hover.append((x, y, hover))

    def circle(self, x: float, y: float, r: float, colours: dict, text: str,
               hover: str | None = None, size: int = 14) -> None:
        """A circle of radius r centred at (x, y), with ``text`` inside."""
        self.shapes.append(dict(type="circle", x0=x - r, x1=x + r, y0=y - r, y1=y + r,
                                fillcolor=colours["fill"], layer="below",
                                line=dict(color=colours["line"], width=2.5)))
        self.label(x, y, text, size=size)
        if hover:
            self.hover.append((x, y, hover))

    def label(self, x: float, y: float, text: str, *, size: int = 14,
              color: str = "#222", **kw: Any) -> None:
        """Text centred at (x, y)."""
        self.annotations.append(label(x, y, text, size, color, **kw))

    def arrow(self, x0: float, y0: float, x1: float, y1: float, *,
              color: str = "#444", width: float = 2, label: str | None = None,
              label_shift: tuple[float, float] = (0.0, 0.0), size: int = 14) -> None:
        """A straight arrow from (x0, y0) to (x1, y1), optionally labelled at its
        middle (shifted by label_shift)."""
        self.annotations.append(arrow((x0, y0), (x1, y1), color, width))
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
        tail = (xb - eps * (xb - cx) / d, yb - eps * (yb - cy) / d)
        self.annotations.append(arrow(tail, (xb, yb), color, width, size=1.2))
        if label and label_at:
            self.label(*label_at, label, size=size, color=color)

    def figure(self, x_range: tuple[float, float], y_range: tuple[float, float],
               height: int, title: str | None) -> go.Figure:
        """The collected drawing on hidden, equally scaled axes."""
        data = []
        if self.hover:
            xs, ys, texts = zip(*self.hover)
            data.append(go.Scatter(
                x=list(xs), y=list(ys), mode="markers", hovertext=list(texts),
                hoverinfo="text", marker=dict(size=36, opacity=0), showlegend=False))
        layout = frame(height, x_range, y_range, title, shapes=self.shapes,
                       annotations=self.annotations,
                       margin=dict(l=10, r=10, t=50 if title else 10, b=10))
        return go.Figure(data=data, layout=layout)
