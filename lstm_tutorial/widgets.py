"""Live controls: ipywidgets that re-run a cell and redraw its figure in place.

These need a running kernel; chapters show them with ``display.live(w.widget,
...)``, and the rendered book gets the static figure of :mod:`lstm_tutorial.viz`
(plotly slider / dropdown) instead. Each control owns a ``display.LiveFigure``
(attribute ``output``) and redraws its figure in place: a move of a control sends
the new figure and the browser updates the plot it has (``Plotly.react``) rather
than building a new one. A step slider sends nothing: the figure carries every
step (one plotly frame each) and the browser draws the slider's step itself.

- :class:`StepThrough`: a step slider, a quantity and a unit, and a what-if:
  force one gate of one unit at one step and re-run the cell from there
  (``cell.trace(x, overrides=[Override(t, gate, unit, value)])``).
- :class:`Explorer`: pick a model, a quantity and a unit; see character heatmaps
  over sample texts; edit the texts.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np

from . import style, viz
from .cells import Override
from .display import LiveFigure
from .gates import canonical, gates_of, is_gate, states_of
from .text import encode

__all__ = ["StepThrough", "Explorer"]


def _draw(output: LiveFigure, fig: Any) -> None:
    """Show ``fig`` in ``output`` in place of its current figure."""
    output.update(fig)


def _error_html(message: str) -> str:
    return (f'<span style="color:#b2182b"><b>Cannot read that:</b> '
            f"{html.escape(message, quote=False)}</span>")


def _kind_parts(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return gates_of(kind), states_of(kind)


def _value_range(gate: str, kind: str, nonlinearity: str) -> tuple[float, float]:
    """Slider range of a what-if value: gates [0, 1], c [-3, 3], else [-1, 1]."""
    if is_gate(gate, kind):
        return 0.0, 1.0
    if gate == "c":
        return -3.0, 3.0
    if nonlinearity == "relu":
        return 0.0, 5.0
    return -1.0, 1.0


class StepThrough:
    """Step through a sequence live, with a what-if override.

    model: anything with ``trace(x, h0, c0, overrides)`` returning a Trace (a
    cells.LSTM / GRU / RNN / PeepholeLSTM on inputs x (T, I) or (B, T, I), or a
    cells.SequenceModel on token ids). tokens: the sequence's tokens (a str of
    characters or a list of words), one per step of sequence ``seq``.

    Controls: ``step`` (IntSlider), ``quantity`` and ``unit`` (Dropdowns: the line
    plot under the panels), ``gate`` and ``value`` (what to force), ``apply``
    (force it at the current step for the chosen unit), ``clear``. While a what-if
    is active, moving ``value`` re-runs the cell with the new value.
    Attributes: ``widget`` (show it with ``display.live``), ``figure`` (with one
    frame per step: the view shows frame ``step.value``), ``trace``, ``baseline``
    (the run without what-if), ``override``.
    """

    def __init__(
        self,
        model: Any,
        inputs: Any,
        tokens: Any,
        *,
        seq: int = 0,
        layer: int = -1,
        unit_names: Any = None,
        h0: Any = None,
        c0: Any = None,
        quantity: str | None = None,
        unit: int = 0,
    ) -> None:
        self.model, self.inputs, self.seq, self.layer = model, inputs, seq, layer
        self.h0, self.c0 = h0, c0
        self.unit_names = unit_names
        self.override: Override | None = None
        self._adjusting = False
        self.baseline = self._run()
        self.trace = self.baseline
        kind = self.kind = self.baseline.kind
        lt = self.baseline.layer(layer)
        T, H = lt["h"].shape[-2], lt["h"].shape[-1]
        self.tokens = style.sequence_tokens(tokens, T)
        gates, states = _kind_parts(kind)
        labels = self._unit_labels = viz.unit_labels(H, unit_names)
        cell = getattr(model, "cell", model)
        self._nonlinearity = getattr(cell, "nonlinearity", "tanh")
        self.step = W.IntSlider(value=0, min=0, max=T - 1, description="step t",
                                continuous_update=True,
                                layout=W.Layout(width="95%"))
        quantity = quantity or ("c" if "c" in states else "h")
        self.quantity = W.Dropdown(
            options=[(viz.quantity_label(q, kind), q) for q in gates + states],
            value=canonical(quantity, kind), description="show")
        self.unit = W.Dropdown(options=[(s, k) for k, s in enumerate(labels)],
                               value=unit, description="unit")
        override_gates = gates + states[:1] + (("c",) if "c" in states else ()) + ("h",)
        override_gates = tuple(dict.fromkeys(override_gates))
        self.gate = W.Dropdown(
            options=[(viz.quantity_label(q, kind), q) for q in override_gates],
            value=override_gates[0], description="what-if")
        lo, hi = _value_range(override_gates[0], kind, self._nonlinearity)
        self.value = W.FloatSlider(value=lo, min=lo, max=hi, step=0.01,
                                   description="value", continuous_update=False)
        # buttons keep their labels whole; the row wraps when it runs out of room
        self.apply = W.Button(description="force it at this step",
                              layout=W.Layout(width="auto", flex="0 0 auto"))
        self.clear = W.Button(description="clear what-if",
                              layout=W.Layout(width="auto", flex="0 0 auto"))
        self.status = W.HTML("")
        # the view follows the step slider in the browser (one frame per step)
        self.output = LiveFigure(control=self.step)
        self.quantity.observe(self._on_view, names="value")
        self.unit.observe(self._on_view, names="value")
        self.gate.observe(self._on_gate, names="value")
        self.value.observe(self._on_value, names="value")
        self.apply.on_click(lambda _: self.set_override())
        self.clear.on_click(lambda _: self.clear_override())
        self.widget = W.VBox([
            self.step,
            W.HBox([self.quantity, self.unit]),
            W.HBox([self.gate, self.value, self.apply, self.clear],
                   layout=W.Layout(flex_flow="row wrap")),
            self.status,
            self.output,
        ])
        self.redraw()

    # ----- running the cell

    def _run(self, overrides: Sequence[Override] = ()) -> Any:
        kwargs = {}
        if self.h0 is not None:
            kwargs["h0"] = self.h0
        if self.c0 is not None:
            kwargs["c0"] = self.c0
        return self.model.trace(self.inputs, overrides=tuple(overrides), **kwargs)

    def set_override(self, t: int | None = None, gate: str | None = None,
                     unit: int | None = None, value: float | None = None) -> None:
        """Force ``gate`` of ``unit`` to ``value`` at step t (default: the controls'
        current values), re-run the cell and redraw."""
        ov = Override(
            t=self.step.value if t is None else int(t),
            gate=self.gate.value if gate is None else gate,
            unit=self.unit.value if unit is None else int(unit),
            value=self.value.value if value is None else float(value),
            layer=self.layer,
        )
        try:
            trace = self._run([ov])
        except (ValueError, KeyError) as e:
            self.status.value = _error_html(str(e))
            return
        self.override, self.trace = ov, trace
        self.status.value = (
            f"what-if active: {html.escape(viz.quantity_label(ov.gate, self.kind))} = "
            f"{ov.value:.2f} for {html.escape(self._unit_labels[ov.unit])} "
            f"at step {ov.t}; "
            "the dashed line is the run without it.")
        self.redraw()

    def clear_override(self) -> None:
        """Back to the run without what-if."""
        self.override, self.trace = None, self.baseline
        self.status.value = ""
        self.redraw()

    # ----- handlers

    def _on_view(self, change: dict) -> None:
        self.redraw()

    def _on_gate(self, change: dict) -> None:
        lo, hi = _value_range(change["new"], self.kind, self._nonlinearity)
        self._adjusting = True  # a clamped value is not a what-if of its own
        try:
            if lo > self.value.max:
                self.value.max, self.value.min = hi, lo
            else:
                self.value.min, self.value.max = lo, hi
        finally:
            self._adjusting = False

    def _on_value(self, change: dict) -> None:
        if self.override is not None and not self._adjusting:
            ov = self.override
            self.set_override(ov.t, ov.gate, ov.unit, change["new"])

    def redraw(self) -> None:
        """Rebuild the figure from the current trace and controls; show it."""
        ov = self.override
        self.figure = viz.step_figure(
            self.trace, self.tokens, self.step.value, seq=self.seq,
            quantity=self.quantity.value, unit=self.unit.value,
            baseline=self.baseline if ov is not None else None,
            override=(ov.t, ov.gate, ov.unit, ov.value) if ov is not None else None,
            layer=self.layer, unit_names=self.unit_names, frames=True,
        )
        _draw(self.output, self.figure)


# ----------------------------------------------------------------- explorer


def _encode(text: str, alphabet: Any) -> np.ndarray:
    """Text -> token ids (T,): ``text.encode`` over ``alphabet`` (a str), or
    ``alphabet.encode(text)`` (a tasks.Task or a handset.HandSet)."""
    if hasattr(alphabet, "encode") and not isinstance(alphabet, str):
        return np.asarray(alphabet.encode(text), dtype=np.int64)
    return encode(text, alphabet)


class Explorer:
    """Pick a model, a quantity and a unit; see its character heatmap over texts.

    models: {name: model}, each with ``trace(ids)`` on token ids (B, T) (a
    cells.SequenceModel). alphabet: how text becomes ids, shared (a str, id =
    position, or a tasks.Task) or {model name: alphabet}. texts: the sample
    texts, one sequence each; the ``text`` box holds them one per line and can
    be edited (characters outside the alphabet give a message, not an error).
    tokenize: how a line splits into steps for the heatmap's cells (default: its
    characters; a word model passes its tokenizer and an alphabet with
    ``encode``, e.g. a handset.HandSet).
    Attributes: ``widget``, ``figure``, ``traces`` (per model, current texts),
    controls ``model``, ``quantity``, ``unit``, ``text``; ``error`` shows
    messages.
    """

    def __init__(
        self,
        models: Mapping[str, Any],
        texts: Sequence[str],
        alphabet: Any,
        *,
        quantity: str = "h",
        unit_names: Mapping[str, Any] | None = None,
        wrap: int | None = None,
        tokenize: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        if not isinstance(models, Mapping) or not models:
            raise ValueError("models must be a non-empty {name: model} mapping")
        if isinstance(texts, str):
            texts = [texts]
        self.models = dict(models)
        self.alphabets = {m: alphabet[m] if isinstance(alphabet, Mapping) else alphabet
                          for m in self.models}
        self.unit_names = dict(unit_names or {})
        self.wrap = wrap
        self.tokenize = tokenize or list  # a line -> its tokens, one per step
        self.texts: list[str] = []
        self.tokens: list[list[str]] = []
        self.traces: dict[str, Any] = {}
        first = next(iter(self.models))
        self.model = W.Dropdown(options=list(self.models), value=first,
                                description="model")
        self.quantity = W.Dropdown(description="show")
        self.unit = W.Dropdown(description="unit")
        self.text = W.Textarea(value="\n".join(texts), description="texts",
                               continuous_update=False, rows=min(max(len(texts), 2), 8),
                               layout=W.Layout(width="95%"))
        self.error = W.HTML("")
        self.output = LiveFigure()
        self.figure = None
        self._quiet = True  # no redraws while the controls are being set up
        self._set_text(self.text.value)
        if self.error.value:
            raise ValueError(f"texts do not fit the alphabet: {self._last_error}")
        self._refresh_choices(quantity)
        self._quiet = False
        self.model.observe(self._on_model, names="value")
        self.quantity.observe(self._on_view, names="value")
        self.unit.observe(self._on_view, names="value")
        self.text.observe(self._on_text, names="value")
        self.widget = W.VBox([W.HBox([self.model, self.quantity, self.unit]),
                              self.text, self.error, self.output])
        self.redraw()

    # ----- text -> traces

    def _parse(self, value: str) -> list[str]:
        lines = [s for s in value.split("\n") if s]
        if not lines:
            raise ValueError("type at least one text (one per line)")
        return lines

    def _set_text(self, value: str) -> bool:
        """Encode and trace the texts for every model; on bad input keep the old
        traces and show why. Returns whether the texts were taken."""
        try:
            lines = self._parse(value)
            traces = {}
            for name, model in self.models.items():
                rows = []
                for k, line in enumerate(lines):
                    try:
                        rows.append(_encode(line, self.alphabets[name]))
                    except (KeyError, ValueError) as e:
                        raise ValueError(f"line {k + 1}: {e}") from None
                ids = np.zeros((len(rows), max(len(r) for r in rows)), dtype=np.int64)
                for b, r in enumerate(rows):
                    ids[b, : len(r)] = r  # padding after a row's end never reaches it
                traces[name] = model.trace(ids)
            tokens = [list(self.tokenize(line)) for line in lines]
            steps = [len(r) for r in rows]
            if [len(t) for t in tokens] != steps:
                raise ValueError(f"the lines split into {[len(t) for t in tokens]} "
                                 f"tokens but the model reads {steps} steps")
        except (KeyError, ValueError) as e:
            self._last_error = str(e)
            self.error.value = _error_html(str(e))
            return False
        self.texts, self.traces, self.tokens = lines, traces, tokens
        self.error.value = ""
        return True

    def _refresh_choices(self, quantity: str | None = None) -> None:
        """Quantity and unit options of the chosen model (keeping choices that fit)."""
        tr = self.traces[self.model.value]
        gates, states = _kind_parts(tr.kind)
        wanted = canonical(quantity or self.quantity.value or "h", tr.kind)
        qs = gates + states
        self.quantity.options = [(viz.quantity_label(q, tr.kind), q) for q in qs]
        self.quantity.value = wanted if wanted in qs else "h"
        H = tr["h"].shape[-1]
        labels = viz.unit_labels(H, self.unit_names.get(self.model.value))
        u = self.unit.value
        keep = u if u is not None and u < H else 0
        self.unit.options = [(s, k) for k, s in enumerate(labels)]
        self.unit.value = keep

    # ----- handlers

    def _on_text(self, change: dict) -> None:
        if self._set_text(change["new"]):
            self.redraw()

    def _on_model(self, change: dict) -> None:
        self._quiet = True
        try:
            self._refresh_choices()
        finally:
            self._quiet = False
        self.redraw()

    def _on_view(self, change: dict) -> None:
        if not self._quiet:
            self.redraw()

    def redraw(self) -> None:
        """Rebuild the heatmap of the chosen model, quantity and unit; show it."""
        m, q, u = self.model.value, self.quantity.value, self.unit.value
        self.figure = viz.char_heatmap(
            self.traces[m], self.tokens, q, u, unit_name=self.unit.label,
            wrap=self.wrap, title=f"{m}: {viz.quantity_label(q, self.traces[m].kind)}, "
                                  f"{self.unit.label}")
        _draw(self.output, self.figure)
