"""Checks of a glass-box cell's parameters, inputs and what-ifs (private).

Every bad input gets a ValueError that says what was expected: the shape with
its meaning (layers, batch, hidden), the keys of a state dict in torch's
layout, the range of a what-if's step, unit and gate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .gates import aliases
from .traces import Override


def float_array(name: str, value: Any, dtype: Any = None) -> np.ndarray:
    """`value` as a finite float array (float32 stays float32, others -> float64)."""
    try:
        a = np.asarray(value)
    except Exception as e:  # ragged lists and the like
        raise ValueError(f"{name} must be a numeric array, got {type(value)}") from e
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {a.dtype}")
    if dtype is None:
        dtype = np.float32 if a.dtype == np.float32 else np.float64
    a = a.astype(dtype, copy=False)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got NaN or inf")
    return a


class CellChecks:
    """Checks shared by the recurrent cells (mixed into cells._RecurrentCell)."""

    def _check_params(
        self, params: Mapping[str, np.ndarray]
    ) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
        if not isinstance(params, Mapping):
            raise ValueError(
                f"params must be a mapping of torch state_dict names to arrays, "
                f"got {type(params).__name__}"
            )
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") + self.extra_params
        L = 0
        while f"weight_ih_l{L}" in params:
            L += 1
        if L == 0:
            raise ValueError(
                f"{type(self).__name__} params must contain 'weight_ih_l0' "
                f"(torch layout), got keys {sorted(params)}"
            )
        expected = {f"{n}_l{k}" for k in range(L) for n in names}
        missing = sorted(expected - set(params))
        unexpected = sorted(set(params) - expected)
        if missing or unexpected:
            raise ValueError(
                f"{type(self).__name__} params with {L} layer(s) expected keys "
                f"{sorted(expected)}; missing {missing}, unexpected {unexpected}"
            )
        W0 = params["weight_ih_l0"]
        dtype = np.float32 if np.asarray(W0).dtype == np.float32 else np.float64
        GH = np.asarray(W0).shape[0] if np.ndim(W0) == 2 else -1
        if GH <= 0 or GH % self.gates:
            raise ValueError(
                f"weight_ih_l0 must have shape ({self.gates}*H, I) with rows "
                f"{' | '.join(self.gate_names)}, got {np.shape(W0)}"
            )
        H = GH // self.gates
        out: dict[str, np.ndarray] = {}
        layers = []
        I_k = np.shape(W0)[1]
        for k in range(L):
            shapes = {
                "weight_ih": (GH, I_k),
                "weight_hh": (GH, H),
                "bias_ih": (GH,),
                "bias_hh": (GH,),
            } | {n: (H,) for n in self.extra_params}
            layer = {}
            for n, shape in shapes.items():
                key = f"{n}_l{k}"
                a = np.asarray(params[key])
                if a.dtype.kind == "f" and a.dtype != dtype:
                    raise ValueError(
                        f"all params must share one dtype; weight_ih_l0 is "
                        f"{np.dtype(dtype).name}, {key} is {a.dtype.name}"
                    )
                a = float_array(key, a, dtype).copy()
                if a.shape != shape:
                    raise ValueError(
                        f"{key} must have shape {shape} (hidden size {H}, "
                        f"{self.gates} gate(s), layer input {I_k}), got {a.shape}"
                    )
                out[key] = layer[n] = a
            layers.append(layer)
            I_k = H
        return out, layers

    def _check_inputs(
        self, x: Any, h0: Any, c0: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
        """x -> (T, B, I) time-major; h0, c0 -> (L, B, H); plus whether batched."""
        I, H, L = self.input_size, self.hidden_size, self.num_layers
        x = float_array("x", x, self.dtype)
        if x.ndim not in (2, 3) or x.shape[-1] != I:
            raise ValueError(
                f"x must have shape (T, {I}) or (B, T, {I}) for a cell with "
                f"{I} input features, got {x.shape}"
            )
        batched = x.ndim == 3
        xb = x if batched else x[None]
        B, T = xb.shape[:2]
        if T == 0:
            raise ValueError(
                f"x must hold at least one step (T >= 1), got shape {x.shape}"
            )
        if B == 0:
            raise ValueError(
                f"x must hold at least one sequence (B >= 1), got shape {x.shape}"
            )
        want = (L, B, H) if batched else (L, H)
        states = []
        for name, s in (("h0", h0), ("c0", c0)):
            if name == "c0" and not self.has_cell_state:
                if s is not None:
                    raise ValueError(
                        f"{type(self).__name__} has no cell state; c0 must be None"
                    )
                states.append(None)
                continue
            if s is None:
                states.append(np.zeros((L, B, H), dtype=self.dtype))
                continue
            s = float_array(name, s, self.dtype)
            if s.shape != want:
                axes = "layers, batch, hidden" if batched else "layers, hidden"
                raise ValueError(
                    f"{name} must have shape {want} ({axes}) for x of shape "
                    f"{x.shape}, got {s.shape}"
                )
            states.append(s if batched else s[:, None])
        return (
            np.ascontiguousarray(xb.transpose(1, 0, 2)),
            states[0],
            states[1],
            batched,
        )

    def _check_overrides(
        self, overrides: Iterable[Override], T: int
    ) -> dict[tuple[int, int], list[tuple[str, int, float]]]:
        """{(layer, t): [(gate, unit, value), ...]} with checked indices."""
        L, H = self.num_layers, self.hidden_size
        allowed = self.override_gates
        kind_aliases = aliases(self.kind)
        table: dict[tuple[int, int], list[tuple[str, int, float]]] = {}
        for ov in overrides:
            if not isinstance(ov, Override):
                try:
                    ov = Override(*ov)
                except TypeError as e:
                    raise ValueError(
                        f"overrides must be Override(t, gate, unit, value, layer=-1), "
                        f"got {ov!r}"
                    ) from e
            gate = kind_aliases.get(ov.gate, ov.gate)
            if gate not in allowed:
                raise ValueError(
                    f"override gate must be one of {allowed} (or aliases "
                    f"{tuple(k for k, v in kind_aliases.items() if v in allowed)}) for "
                    f"{type(self).__name__}, got {ov.gate!r}"
                )
            if not -L <= ov.layer < L:
                raise ValueError(
                    f"override layer must be in [-{L}, {L}), got {ov.layer}"
                )
            if not 0 <= ov.t < T:
                raise ValueError(f"override step t must be in [0, {T}), got {ov.t}")
            if not 0 <= ov.unit < H:
                raise ValueError(f"override unit must be in [0, {H}), got {ov.unit}")
            if not np.isfinite(ov.value):
                raise ValueError(f"override value must be finite, got {ov.value}")
            key = (ov.layer % L, int(ov.t))
            table.setdefault(key, []).append((gate, int(ov.unit), float(ov.value)))
        return table
