"""Glass-box cells: numpy RNN, LSTM, GRU and peephole LSTM that replay torch.

Train with torch, then replay the trained weights here: every cell runs a
sequence step by step and keeps every intermediate value (gates, pre-activations,
states) in a :class:`Trace`, so any gate of any trained model can be plotted.

Weights use torch's ``state_dict`` names and layout, per layer ``k``::

    weight_ih_l{k}  (G*H, I_k)    bias_ih_l{k}  (G*H,)
    weight_hh_l{k}  (G*H, H)      bias_hh_l{k}  (G*H,)

with G = 1 (RNN), 3 (GRU rows r | z | n), 4 (LSTM rows i | f | g | o). The
peephole LSTM adds the diagonal peepholes ``weight_ci_l{k}``, ``weight_cf_l{k}``,
``weight_co_l{k}`` (H,). Sequences are batch first: (T, I) or (B, T, I); traces
hold (T, H) or (B, T, H) arrays to match. Cells compute in the dtype of their
parameters (float32 or float64); inputs are cast to it.

The equations of one step, as the book shows them, are the reference steps of
:mod:`lstm_tutorial.steps`; ``trace`` runs the same arithmetic in the faster,
batched loops of ``lstm_tutorial._fast`` (tested equal to 1e-12 in float64).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import torch

from . import _fast
from ._checks import CellChecks, float_array
from .activations import relu, sigmoid
from .models import PeepholeLSTM as TorchPeephole
from .traces import LayerTrace, Override, Trace

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Dense",
    "LayerTrace",
    "Override",
    "PeepholeLSTM",
    "SequenceModel",
    "Trace",
    "cell_from_torch",
    "relu",
    "sigmoid",
]


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
}


# --------------------------------------------------------------------------- dense


class Dense:
    """A dense (feedforward) layer: y = phi(W x + b).

    weight: (out, in) in torch's nn.Linear layout; bias: (out,) or None;
    activation: None (identity), "sigmoid", "tanh", "relu" or a callable.
    ``layer(x)`` takes x of shape (..., in) and returns (..., out).
    """

    def __init__(
        self,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        activation: str | Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        W = float_array("weight", weight)
        if W.ndim != 2:
            raise ValueError(f"weight must have shape (out, in), got {W.shape}")
        if bias is None:
            b = np.zeros(W.shape[0], dtype=W.dtype)
        else:
            b = float_array("bias", bias, W.dtype)
            if b.shape != (W.shape[0],):
                raise ValueError(
                    f"bias must have shape ({W.shape[0]},) to match weight "
                    f"{W.shape}, got {b.shape}"
                )
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise ValueError(
                    f"activation must be None, a callable or one of "
                    f"{sorted(_ACTIVATIONS)}, got {activation!r}"
                )
            phi = _ACTIVATIONS[activation]
        elif activation is None or callable(activation):
            phi = activation
        else:
            raise ValueError(
                f"activation must be a str, callable or None, got {activation!r}"
            )
        self.W, self.b, self.activation, self._phi = W, b, activation, phi

    @property
    def in_features(self) -> int:
        return self.W.shape[1]

    @property
    def out_features(self) -> int:
        return self.W.shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.W.dtype

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """y = phi(x W^T + b) for x (..., in) -> (..., out)."""
        x = float_array("x", x, self.W.dtype)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"x must have shape (..., {self.in_features}), got {x.shape}"
            )
        y = x @ self.W.T + self.b
        return y if self._phi is None else self._phi(y)

    @classmethod
    def from_torch(cls, linear: Any, activation: Any = None) -> Dense:
        """A Dense layer with the weights of a torch nn.Linear (dtype kept)."""
        W = linear.weight.detach().cpu().numpy().copy()
        b = None if linear.bias is None else linear.bias.detach().cpu().numpy().copy()
        return cls(W, b, activation)

    def __repr__(self) -> str:
        act = self.activation if isinstance(self.activation, str | None) else "custom"
        return f"Dense({self.in_features} -> {self.out_features}, activation={act})"


# --------------------------------------------------------------------------- cells


class _RecurrentCell(CellChecks):
    """Shared machinery: parameter checks, input checks, torch conversion, trace."""

    kind: str = ""
    gates: int = 1  # G: rows of weight_ih per hidden unit
    gate_names: tuple[str, ...] = ()  # names of the G row blocks
    fields: tuple[str, ...] = ()  # per-layer trace fields, in order
    has_cell_state: bool = False
    extra_params: tuple[str, ...] = ()  # per-layer (H,) vectors beyond torch's four

    def __init__(self, params: Mapping[str, np.ndarray]) -> None:
        self._params, self._layers = self._check_params(params)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """A copy of the parameters, torch state_dict names."""
        return {k: v.copy() for k, v in self._params.items()}

    @property
    def input_size(self) -> int:
        return self._params["weight_ih_l0"].shape[1]

    @property
    def hidden_size(self) -> int:
        return self._params["weight_hh_l0"].shape[1]

    @property
    def num_layers(self) -> int:
        return len(self._layers)

    @property
    def dtype(self) -> np.dtype:
        return self._params["weight_ih_l0"].dtype

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(input_size={self.input_size}, "
            f"hidden_size={self.hidden_size}, num_layers={self.num_layers}, "
            f"dtype={self.dtype.name})"
        )

    # ----- torch conversion

    @classmethod
    def from_torch(cls, module: Any) -> _RecurrentCell:
        """The numpy cell with the weights of a torch module (dtype kept).

        nn.RNN -> RNN, nn.LSTM -> LSTM, nn.GRU -> GRU,
        models.PeepholeLSTM -> PeepholeLSTM; any number of layers, batch_first
        either way.
        """
        cell = cell_from_torch(module)
        if cls is not _RecurrentCell and not isinstance(cell, cls):
            raise ValueError(
                f"{cls.__name__}.from_torch expected a torch "
                f"{cls._torch_name()} module, got {type(module).__name__}"
            )
        return cell

    @classmethod
    def _torch_name(cls) -> str:
        return {"rnn": "nn.RNN", "lstm": "nn.LSTM", "gru": "nn.GRU"}.get(
            cls.kind, "models.PeepholeLSTM"
        )

    def to_torch(self) -> Any:
        """The torch module (batch_first=True) holding these weights."""
        module = self._make_torch_module()
        state = {k: torch.from_numpy(v.copy()) for k, v in self._params.items()}
        module.load_state_dict(state)
        return module

    def _make_torch_module(self) -> Any:
        raise NotImplementedError

    @property
    def override_gates(self) -> tuple[str, ...]:
        return self.gate_names + (("c", "h") if self.has_cell_state else ("h",))

    # ----- the run

    def trace(
        self,
        x: np.ndarray,
        h0: np.ndarray | None = None,
        c0: np.ndarray | None = None,
        overrides: Iterable[Override] = (),
    ) -> Trace:
        """Run the stacked cell over x (T, I) or (B, T, I) and keep every value.

        h0, c0: initial states (L, H) or (L, B, H); zeros if None.
        overrides: :class:`Override` values forced during the run.
        """
        xs, h0, c0, batched = self._check_inputs(x, h0, c0)
        T = xs.shape[0]
        table = self._check_overrides(overrides, T)
        layers, h_n, c_n = [], [], []
        inp = xs  # (T, B, I_k): input of layer k
        for k, p in enumerate(self._layers):
            ov = {t: v for (layer, t), v in table.items() if layer == k}
            fields = self._run_layer(p, inp, h0[k], None if c0 is None else c0[k], ov)
            fields = {"x": inp, **fields}
            h_n.append(fields["h"][-1])
            if self.has_cell_state:
                c_n.append(fields["c"][-1])
            layers.append(fields)
            inp = fields["h"]
        # time-major (T, B, H) -> (B, T, H), or (T, H) for an unbatched x
        view = (lambda a: a.transpose(1, 0, 2)) if batched else (lambda a: a[:, 0])
        traces = [
            LayerTrace(self.kind, {n: view(a) for n, a in f.items()}) for f in layers
        ]
        state = (lambda s: np.stack(s)) if batched else (lambda s: np.stack(s)[:, 0])
        return Trace(
            self.kind, traces, state(h_n), state(c_n) if self.has_cell_state else None
        )

    def _run_layer(
        self,
        p: dict[str, np.ndarray],
        x: np.ndarray,
        h0: np.ndarray,
        c0: np.ndarray | None,
        overrides: dict[int, list[tuple[str, int, float]]],
    ) -> dict[str, np.ndarray]:
        """One layer over x (T, B, I_k) from h0, c0 (B, H) -> fields, time-major."""
        raise NotImplementedError


class RNN(_RecurrentCell):
    """The vanilla (Elman) RNN, torch.nn.RNN:

        h_t = phi(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  phi = tanh or relu

    Trace fields per layer: x, pre_h (the pre-activation), h.
    """

    kind = "rnn"
    gates = 1
    gate_names = ()
    fields = ("x", "pre_h", "h")

    def __init__(
        self, params: Mapping[str, np.ndarray], nonlinearity: str = "tanh"
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        super().__init__(params)

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", nonlinearity={self.nonlinearity!r})"

    def _make_torch_module(self) -> Any:
        return torch.nn.RNN(
            self.input_size,
            self.hidden_size,
            self.num_layers,
            nonlinearity=self.nonlinearity,
            batch_first=True,
            dtype=getattr(torch, self.dtype.name),
        )

    def _run_layer(self, p, x, h0, c0, overrides):
        return _fast.rnn_layer(p, x, h0, c0, overrides, self.nonlinearity == "relu")


class LSTM(_RecurrentCell):
    """The LSTM, torch.nn.LSTM (rows of W: i | f | g | o):

        i_t = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)    save (input gate)
        f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf)    remember (forget gate)
        g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     candidate memory
        o_t = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho)    focus (output gate)
        c_t = f_t * c_{t-1} + i_t * g_t                       long-term memory
        h_t = o_t * tanh(c_t)                                 working memory

    Trace fields per layer: x, pre_i, pre_f, pre_g, pre_o, i, f, g, o, c, h.
    """

    kind = "lstm"
    gates = 4
    gate_names = ("i", "f", "g", "o")
    fields = ("x", "pre_i", "pre_f", "pre_g", "pre_o", "i", "f", "g", "o", "c", "h")
    has_cell_state = True

    def _make_torch_module(self) -> Any:
        return torch.nn.LSTM(
            self.input_size,
            self.hidden_size,
            self.num_layers,
            batch_first=True,
            dtype=getattr(torch, self.dtype.name),
        )

    def _run_layer(self, p, x, h0, c0, overrides):
        return _fast.lstm_layer(p, x, h0, c0, overrides)


class PeepholeLSTM(LSTM):
    """The peephole LSTM: the gates also see the cell state (diagonal peepholes).

        i_t = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi + w_ci * c_{t-1})
        f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf + w_cf * c_{t-1})
        g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
        c_t = f_t * c_{t-1} + i_t * g_t
        o_t = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho + w_co * c_t)
        h_t = o_t * tanh(c_t)

    Parameters: LSTM's plus ``weight_ci_l{k}``, ``weight_cf_l{k}``,
    ``weight_co_l{k}`` (H,). Trace fields as LSTM's; pre_i, pre_f include the
    peephole terms of c_{t-1}, pre_o that of c_t.
    """

    kind = "peephole"
    extra_params = ("weight_ci", "weight_cf", "weight_co")

    def _make_torch_module(self) -> Any:
        return TorchPeephole(
            self.input_size, self.hidden_size, self.num_layers, batch_first=True
        ).to(getattr(torch, self.dtype.name))

    def _run_layer(self, p, x, h0, c0, overrides):
        return _fast.peephole_layer(p, x, h0, c0, overrides)


class GRU(_RecurrentCell):
    """The GRU, torch.nn.GRU (rows of W: r | z | n; b_hn sits inside the reset):

        r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset
        z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update
        n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))   candidate
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}                       working memory

    Trace fields per layer: x, pre_r, pre_z, pre_n, r, z, n, h.
    """

    kind = "gru"
    gates = 3
    gate_names = ("r", "z", "n")
    fields = ("x", "pre_r", "pre_z", "pre_n", "r", "z", "n", "h")

    def _make_torch_module(self) -> Any:
        return torch.nn.GRU(
            self.input_size,
            self.hidden_size,
            self.num_layers,
            batch_first=True,
            dtype=getattr(torch, self.dtype.name),
        )

    def _run_layer(self, p, x, h0, c0, overrides):
        return _fast.gru_layer(p, x, h0, c0, overrides)


def cell_from_torch(module: Any) -> _RecurrentCell:
    """The numpy cell replaying a torch nn.RNN / nn.LSTM / nn.GRU /
    models.PeepholeLSTM (any number of layers, weights copied, dtype kept)."""
    if isinstance(module, TorchPeephole):
        cls, extra = PeepholeLSTM, {}
    elif isinstance(module, torch.nn.LSTM):
        if module.proj_size:
            raise ValueError(
                f"nn.LSTM with proj_size must be 0, got {module.proj_size}"
            )
        cls, extra = LSTM, {}
    elif isinstance(module, torch.nn.GRU):
        cls, extra = GRU, {}
    elif isinstance(module, torch.nn.RNN):
        cls, extra = RNN, {"nonlinearity": module.nonlinearity}
    else:
        raise ValueError(
            f"expected a torch nn.RNN, nn.LSTM, nn.GRU or models.PeepholeLSTM, "
            f"got {type(module).__name__} (the LSTM's family replays with "
            f"variants.replay)"
        )
    if getattr(module, "bidirectional", False):
        raise ValueError("expected a unidirectional module, got bidirectional=True")
    state = {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}
    if not getattr(module, "bias", True):  # bias=False: torch's zero biases
        for k in range(module.num_layers):
            GH = state[f"weight_hh_l{k}"].shape[0]
            for n in ("bias_ih", "bias_hh"):
                state[f"{n}_l{k}"] = np.zeros(GH, dtype=state[f"weight_hh_l{k}"].dtype)
    return cls(state, **extra)


# --------------------------------------------------------------------------- model


class SequenceModel:
    """A recurrent cell with a linear readout over one-hot token inputs.

        x_t = onehot(id_t),  h_t = cell(x_t, state),  logits_t = W_hy h_t + b_y

    ``trace(ids)`` returns the cell's trace with the extra field ``logits``
    ((T, V) or (B, T, V)).
    """

    def __init__(self, cell: _RecurrentCell, readout: Dense) -> None:
        if not isinstance(cell, _RecurrentCell):
            raise ValueError(
                f"cell must be an RNN, LSTM, GRU or PeepholeLSTM, got {cell!r}"
            )
        if not isinstance(readout, Dense):
            raise ValueError(f"readout must be a Dense layer, got {readout!r}")
        if readout.in_features != cell.hidden_size:
            raise ValueError(
                f"readout must take {cell.hidden_size} features (the cell's hidden "
                f"size), got weight of shape {readout.W.shape}"
            )
        self.cell, self.readout = cell, readout

    @property
    def vocab_size(self) -> int:
        return self.cell.input_size

    @property
    def output_size(self) -> int:
        return self.readout.out_features

    def onehot(self, ids: Any) -> np.ndarray:
        """Token ids (T,) or (B, T) -> one-hot rows (T, V) or (B, T, V)."""
        V = self.vocab_size
        a = np.asarray(ids)
        if a.dtype.kind not in "iu" and not (
            a.dtype.kind == "f" and a.size and np.all(a == np.round(a))
        ):
            raise ValueError(f"ids must be integer token ids, got dtype {a.dtype}")
        if a.ndim not in (1, 2):
            raise ValueError(f"ids must have shape (T,) or (B, T), got {a.shape}")
        if a.shape[-1] == 0:
            raise ValueError(
                f"ids must hold at least one step (T >= 1), got shape {a.shape}"
            )
        a = a.astype(np.int64)
        if a.min() < 0 or a.max() >= V:
            raise ValueError(
                f"ids must be in [0, {V}) (vocabulary size), got values in "
                f"[{a.min()}, {a.max()}]"
            )
        return np.eye(V, dtype=self.cell.dtype)[a]

    def trace(
        self,
        ids: Any,
        h0: np.ndarray | None = None,
        c0: np.ndarray | None = None,
        overrides: Iterable[Override] = (),
    ) -> Trace:
        """The cell's trace on onehot(ids), plus ``logits`` (T, V) or (B, T, V)."""
        tr = self.cell.trace(self.onehot(ids), h0, c0, overrides)
        return tr.with_fields(logits=self.readout(tr.h))

    def greedy(self, ids: Any, max_new: int, stop: int | None = None,
               overrides: Iterable[Override] = ()) -> np.ndarray:
        """Greedy continuation: read ids (T,) (with the what-if ``overrides`` at
        its steps), then feed back the top-scoring token, one step at a time,
        until ``stop`` is written (included) or ``max_new`` tokens. -> ids (n,)."""
        if isinstance(max_new, bool) or not isinstance(max_new, int) or max_new < 1:
            raise ValueError(f"max_new must be a positive int, got {max_new!r}")
        tr = self.trace(ids, overrides=overrides)
        out: list[int] = []
        while len(out) < max_new:
            k = int(np.argmax(tr.logits[-1]))  # (V,) scores after the last step
            out.append(k)
            if k == stop:
                break
            tr = self.trace(np.array([k]), tr.h_n, tr.c_n)
        return np.array(out, dtype=np.int64)

    @classmethod
    def from_torch(cls, model: Any) -> SequenceModel:
        """The numpy replay of a models.CharModel (its ``.rnn`` and ``.readout``)."""
        if not (hasattr(model, "rnn") and hasattr(model, "readout")):
            raise ValueError(
                f"expected a models.CharModel with .rnn and .readout, got "
                f"{type(model).__name__}"
            )
        return cls(cell_from_torch(model.rnn), Dense.from_torch(model.readout))

    def __repr__(self) -> str:
        return f"SequenceModel({self.cell!r}, {self.readout!r})"
