"""Traces: every value a glass-box cell computed, by name, and what-if overrides.

A :class:`Trace` holds one :class:`LayerTrace` per layer. A field is read by its
symbol (``tr.f``, ``tr["c"]``) or by the book's intuitive alias
(``tr.remember is tr.f``); names come from :mod:`lstm_tutorial.gates`. Fields are
(T, H) arrays for one sequence or (B, T, H) for a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gates import aliases

__all__ = ["LayerTrace", "Trace", "Override"]


class LayerTrace:
    """Every intermediate of one layer: fields are (T, H) or (B, T, H) arrays.

    Read a field as ``lt.f`` or ``lt["f"]``; intuitive aliases work too
    (``lt.remember is lt.f``).
    """

    def __init__(self, kind: str, fields: dict[str, np.ndarray]) -> None:
        self.kind = kind
        self._fields = fields

    @property
    def quantities(self) -> tuple[str, ...]:
        return tuple(self._fields)

    def __getitem__(self, name: str) -> np.ndarray:
        key = aliases(self.kind).get(name, name)
        if key not in self._fields:
            raise KeyError(
                f"{self.kind} trace has no quantity {name!r}; expected one of "
                f"{self.quantities} or aliases {tuple(aliases(self.kind))}"
            )
        return self._fields[key]

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(e.args[0]) from None

    def __contains__(self, name: str) -> bool:
        return aliases(self.kind).get(name, name) in self._fields

    def __dir__(self) -> list[str]:
        return sorted(
            set(super().__dir__()) | set(self._fields) | set(aliases(self.kind))
        )

    def __repr__(self) -> str:
        shape, names = self._fields["h"].shape, self.quantities
        return f"LayerTrace(kind={self.kind!r}, shape={shape}, quantities={names})"


class Trace:
    """The run of a (stacked) cell over a sequence.

    ``trace.layers[k]`` is the :class:`LayerTrace` of layer k; attribute and item
    access read the top layer (``trace.f``, ``trace["remember"]``), plus extra
    whole-model fields such as ``logits``. ``h_n`` (and ``c_n`` for LSTMs) are
    the final states, (L, H) or (L, B, H) like torch.
    """

    def __init__(
        self,
        kind: str,
        layers: list[LayerTrace],
        h_n: np.ndarray,
        c_n: np.ndarray | None = None,
        extra: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.kind = kind
        self.layers = layers
        self.h_n = h_n
        self.c_n = c_n
        self._extra = dict(extra or {})

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def batched(self) -> bool:
        return self.layers[-1]["h"].ndim == 3

    @property
    def quantities(self) -> tuple[str, ...]:
        return self.layers[-1].quantities + tuple(self._extra)

    def layer(self, k: int) -> LayerTrace:
        """The trace of layer k (negative k counts from the top)."""
        if not -self.num_layers <= k < self.num_layers:
            raise IndexError(
                f"layer must be in [-{self.num_layers}, {self.num_layers}), got {k}"
            )
        return self.layers[k]

    def with_fields(self, **fields: np.ndarray) -> Trace:
        """A copy of this trace (sharing arrays) with extra whole-model fields."""
        return Trace(
            self.kind, self.layers, self.h_n, self.c_n, {**self._extra, **fields}
        )

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self._extra:
            return self._extra[name]
        return self.layers[-1][name]

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(e.args[0]) from None

    def __contains__(self, name: str) -> bool:
        return name in self._extra or name in self.layers[-1]

    def __dir__(self) -> list[str]:
        return sorted(
            set(super().__dir__()) | set(dir(self.layers[-1])) | set(self._extra)
        )

    def __repr__(self) -> str:
        return (
            f"Trace(kind={self.kind!r}, layers={self.num_layers}, "
            f"shape={self.layers[-1]['h'].shape}, quantities={self.quantities})"
        )


@dataclass(frozen=True)
class Override:
    """Force gate `gate` of `unit` to `value` at step t (all batch rows) in `layer`.

    The value replaces the post-activation (e.g. f_t) and the recurrence continues
    from there. Gates: LSTM "i", "f", "g", "o", "c", "h"; GRU "r", "z", "n", "h";
    RNN "h"; intuitive aliases ("remember", ...) are accepted.
    """

    t: int
    gate: str
    unit: int
    value: float
    layer: int = -1
