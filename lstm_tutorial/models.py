"""Torch modules: the peephole LSTM, an LSTM with swappable activations, the
feedforward classifier of chapter 1, the character models and their weight files.

The weights of every module here use the layout of ``cells``, so a trained model
replays exactly in the numpy glass-box cells (``cells.SequenceModel.from_torch``).
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from typing import Any

import numpy as np
import torch
from torch import nn

from .traces import LayerTrace, Trace
from .variants import VARIANTS, StackedLSTM, VariantLSTM

__all__ = [
    "KINDS",
    "GATE_ACTIVATIONS",
    "ActivationLSTM",
    "FeedForward",
    "CharModel",
    "PeepholeLSTM",
    "load_weights",
    "make_rnn",
    "save_weights",
]

KINDS = ("rnn", "rnn_relu", "lstm", "gru", "peephole",
         "nig", "nfg", "nog", "niaf", "noaf", "cifg", "merged")  # the last seven:
# the LSTM's family (steps.VARIANTS), trained as variants.VariantLSTM


def _peephole_layer(
    xproj: torch.Tensor,
    W_hh: torch.Tensor,
    w_ci: torch.Tensor,
    w_cf: torch.Tensor,
    w_co: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One peephole LSTM layer over all steps.

    xproj: (T, B, 4H) = W_ih x_t + b_ih + b_hh for every step (i | f | g | o);
    h, c: (B, H). Returns the outputs h_t (T, B, H) and the final h, c.
    """
    H = h.shape[1]
    W_hh_T = W_hh.t()
    outputs = []
    for pre in xproj.unbind(0):  # pre: (B, 4H)
        pre = torch.addmm(pre, h, W_hh_T)
        pre_i, pre_f, pre_g, pre_o = pre.split(H, dim=1)
        i = torch.sigmoid(pre_i + w_ci * c)
        f = torch.sigmoid(pre_f + w_cf * c)
        g = torch.tanh(pre_g)
        c = f * c + i * g
        o = torch.sigmoid(pre_o + w_co * c)
        h = o * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs), h, c


class PeepholeLSTM(StackedLSTM):
    """An LSTM whose gates also see the cell state (diagonal peepholes):

        i_t = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi + w_ci * c_{t-1})
        f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf + w_cf * c_{t-1})
        g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
        c_t = f_t * c_{t-1} + i_t * g_t
        o_t = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho + w_co * c_t)
        h_t = o_t * tanh(c_t)

    Same call as nn.LSTM: ``forward(x, (h0, c0)=None) -> (output, (h_n, c_n))``
    with x (T, B, I), (B, T, I) if batch_first, or unbatched (T, I); states
    (L, B, H) or (L, H). Parameters per layer k: nn.LSTM's ``weight_ih_l{k}``,
    ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` plus the peepholes
    ``weight_ci_l{k}``, ``weight_cf_l{k}``, ``weight_co_l{k}`` (H,).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        batch_first: bool = False,
    ) -> None:
        super().__init__(4, True, input_size, hidden_size, num_layers, batch_first)

    def layer_params(self, k: int) -> tuple[torch.Tensor, ...]:
        """(W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co) of layer k."""
        names = (
            "weight_ih",
            "weight_hh",
            "bias_ih",
            "bias_hh",
            "weight_ci",
            "weight_cf",
            "weight_co",
        )
        return tuple(getattr(self, f"{n}_l{k}") for n in names)

    def _layer(self, k: int, xproj: torch.Tensor, h: torch.Tensor,
               c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Layer k over all steps (``_peephole_layer``)."""
        _, W_hh, _, _, w_ci, w_cf, w_co = self.layer_params(k)
        return _peephole_layer(xproj, W_hh, w_ci, w_cf, w_co, h, c)

    def extra_repr(self) -> str:
        return (
            f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
            f"batch_first={self.batch_first}"
        )


GATE_ACTIVATIONS = ("sigmoid", "tanh")  # what ActivationLSTM may put where


class ActivationLSTM(nn.Module):
    """A one-layer LSTM whose activations can be swapped (torch.nn.LSTM's layout):

        i_t = gate(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)
        f_t = gate(W_if x_t + b_if + W_hf h_{t-1} + b_hf)
        g_t = cell(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)
        o_t = gate(W_io x_t + b_io + W_ho h_{t-1} + b_ho)
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * cell(c_t)

    gate, cell: "sigmoid" or "tanh"; gate="sigmoid", cell="tanh" is the
    standard LSTM (equal to nn.LSTM with the same weights). Parameters
    ``weight_ih_l0`` (4H, I), ``weight_hh_l0`` (4H, H), ``bias_ih_l0``,
    ``bias_hh_l0`` (4H,), rows i | f | g | o, initialised like nn.LSTM.
    ``forward(x (B, T, I), state=None) -> (h (B, T, H), (h_n, c_n) (1, B, H))``,
    batch first, like nn.LSTM(batch_first=True).
    """

    def __init__(self, input_size: int, hidden_size: int, gate: str = "sigmoid",
                 cell: str = "tanh") -> None:
        super().__init__()
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        for name, v in (("gate", gate), ("cell", cell)):
            if v not in GATE_ACTIVATIONS:
                raise ValueError(f"{name} must be one of {GATE_ACTIVATIONS}, "
                                 f"got {v!r}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.gate, self.cell = gate, cell
        self.num_layers, self.batch_first = 1, True
        H = hidden_size
        self.weight_ih_l0 = nn.Parameter(torch.empty(4 * H, input_size))
        self.weight_hh_l0 = nn.Parameter(torch.empty(4 * H, H))
        self.bias_ih_l0 = nn.Parameter(torch.empty(4 * H))
        self.bias_hh_l0 = nn.Parameter(torch.empty(4 * H))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight ~ U(-1/sqrt(H), 1/sqrt(H)), as nn.LSTM."""
        k = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -k, k)

    def forward(self, x: torch.Tensor, state: Any = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape (B, T, {self.input_size}), "
                             f"got {tuple(x.shape)}")
        B, T, _ = x.shape
        H = self.hidden_size
        if state is None:
            h = x.new_zeros(B, H)
            c = x.new_zeros(B, H)
        else:
            h, c = state[0][0], state[1][0]
        out, _, (h, c) = self._run(x, h, c, keep=False)
        return out, (h[None], c[None])

    def _run(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, keep: bool
             ) -> tuple[torch.Tensor, dict[str, list],
                        tuple[torch.Tensor, torch.Tensor]]:
        """The recurrence; keep=True also collects i, f, g, o, c per step."""
        H = self.hidden_size
        gate = torch.sigmoid if self.gate == "sigmoid" else torch.tanh
        cell = torch.tanh if self.cell == "tanh" else torch.sigmoid
        # W_ih x_t + b_ih + b_hh for all steps at once: (B, T, 4H)
        pre_x = x @ self.weight_ih_l0.T + (self.bias_ih_l0 + self.bias_hh_l0)
        W_hh_T = self.weight_hh_l0.T
        out, seen = [], {q: [] for q in "ifgoc"}
        for t in range(x.shape[1]):
            pre = torch.addmm(pre_x[:, t], h, W_hh_T)  # (B, 4H): i | f | g | o
            pre_i, pre_f, pre_g, pre_o = pre.split(H, dim=1)
            i, f, g, o = gate(pre_i), gate(pre_f), cell(pre_g), gate(pre_o)
            c = f * c + i * g
            h = o * cell(c)
            out.append(h)
            if keep:
                for q, v in zip("ifgoc", (i, f, g, o, c)):
                    seen[q].append(v)
        return torch.stack(out, 1), seen, (h, c)

    @torch.no_grad()
    def trace(self, x: torch.Tensor) -> Trace:
        """Every gate and state over x (B, T, I) from zero states: a
        traces.Trace of kind "lstm" with fields x, i, f, g, o, c, h (B, T, H)."""
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape (B, T, {self.input_size}), "
                             f"got {tuple(x.shape)}")
        zeros = x.new_zeros(x.shape[0], self.hidden_size)
        out, seen, _ = self._run(x, zeros, zeros, keep=True)
        fields = {q: torch.stack(v, 1).numpy() for q, v in seen.items()}
        fields = {"x": x.numpy(), **fields, "h": out.numpy()}
        h_n, c_n = fields["h"][:, -1][None], fields["c"][:, -1][None]
        return Trace("lstm", [LayerTrace("lstm", fields)], h_n, c_n)

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, gate={self.gate!r}, "
                f"cell={self.cell!r}")


class FeedForward(nn.Module):
    """One hidden layer: h = phi(W x + b), scores = V h + c,
    p = softmax(scores)."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int,
                 activation: str = "tanh") -> None:
        super().__init__()
        phis = {"tanh": nn.Tanh(), "sigmoid": nn.Sigmoid(),
                "relu": nn.ReLU()}
        if activation not in phis:
            raise ValueError(f"activation must be one of {sorted(phis)}, "
                             f"got {activation!r}")
        self.W = nn.Linear(n_in, n_hidden)  # W, b
        self.phi = phis[activation]
        self.V = nn.Linear(n_hidden, n_out)  # V, c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (..., n_in) -> unnormalised scores (..., n_out)."""
        return self.V(self.phi(self.W(x)))


def make_rnn(
    kind: str, input_size: int, hidden_size: int, num_layers: int = 1
) -> nn.Module:
    """The torch recurrent layers of `kind` (batch_first=True).

    kind: "rnn" (tanh), "rnn_relu", "lstm", "gru" or "peephole", or one of the
    LSTM's family "nig", "nfg", "nog", "niaf", "noaf", "cifg", "merged"
    (``variants.VariantLSTM``).
    """
    if kind == "rnn":
        return nn.RNN(input_size, hidden_size, num_layers, batch_first=True)
    if kind == "rnn_relu":
        return nn.RNN(
            input_size, hidden_size, num_layers, nonlinearity="relu", batch_first=True
        )
    if kind == "lstm":
        return nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
    if kind == "gru":
        return nn.GRU(input_size, hidden_size, num_layers, batch_first=True)
    if kind == "peephole":
        return PeepholeLSTM(input_size, hidden_size, num_layers, batch_first=True)
    if kind in KINDS and kind in VARIANTS:
        return VariantLSTM(kind, input_size, hidden_size, num_layers, batch_first=True)
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


class CharModel(nn.Module):
    """One-hot characters -> recurrent layers -> linear readout.

        x_t = onehot(id_t),  h_t = rnn(x_t, state),  logits_t = W h_t + b

    ``forward(ids (B, T) long, state=None) -> (logits (B, T, V), state)`` where
    state is h_n (L, B, H), or (h_n, c_n) for the LSTMs.
    """

    def __init__(
        self,
        kind: str,
        vocab_size: int,
        hidden_size: int,
        num_layers: int = 1,
        output_size: int | None = None,
    ) -> None:
        super().__init__()
        for name, v in (
            ("vocab_size", vocab_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        if output_size is not None and (
            not isinstance(output_size, int) or output_size < 1
        ):
            raise ValueError(
                f"output_size must be None or a positive int, got {output_size!r}"
            )
        self.kind = kind
        self.vocab_size = vocab_size
        self.rnn = make_rnn(kind, vocab_size, hidden_size, num_layers)
        self.readout = nn.Linear(hidden_size, output_size or vocab_size)
        self.config = {
            "kind": kind,
            "vocab_size": vocab_size,
            "hidden_size": hidden_size,
            "num_layers": num_layers,
            "output_size": output_size,
        }

    def forward(self, ids: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """ids (B, T) long -> logits (B, T, V_out), final state."""
        if not isinstance(ids, torch.Tensor) or ids.dtype not in (
            torch.int64,
            torch.int32,
        ):
            raise ValueError(
                f"ids must be an integer torch tensor (B, T), got {ids!r:.80}"
            )
        if ids.dim() != 2 or ids.shape[1] == 0:
            raise ValueError(
                f"ids must have shape (B, T) with T >= 1, got {tuple(ids.shape)}"
            )
        V = self.vocab_size
        if ids.numel() and (ids.min() < 0 or ids.max() >= V):
            raise ValueError(
                f"ids must be in [0, {V}) (vocabulary size), got values in "
                f"[{int(ids.min())}, {int(ids.max())}]"
            )
        dtype = self.readout.weight.dtype
        x = nn.functional.one_hot(ids.long(), V).to(dtype)  # (B, T, V)
        h, state = self.rnn(x, state)  # (B, T, H)
        return self.readout(h), state


# --------------------------------------------------------------------------- files

_CONFIG_KEY = "__config__"


def save_weights(model: CharModel, path: str | os.PathLike, /, **meta: Any) -> None:
    """Write the model as one .npz: float32 arrays (state_dict names) + JSON config.

    meta: JSON-serialisable facts to keep with the weights (task, accuracy, ...).
    """
    if not isinstance(model, CharModel):
        raise ValueError(f"model must be a CharModel, got {type(model).__name__}")
    try:
        config = json.dumps({"config": model.config, "meta": meta})
    except TypeError as e:
        raise ValueError(f"meta must be JSON-serialisable: {e}") from e
    arrays = {
        k: v.detach().cpu().numpy().astype(np.float32)
        for k, v in model.state_dict().items()
    }
    arrays[_CONFIG_KEY] = np.array(config)  # a unicode scalar, no pickle needed
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def load_weights(path: str | os.PathLike) -> tuple[CharModel, dict[str, Any]]:
    """The CharModel (float32) and meta stored by :func:`save_weights`."""
    expected = "a .npz written by save_weights (float32 arrays + a JSON config)"
    try:
        with np.load(path, allow_pickle=False) as data:
            if _CONFIG_KEY not in data.files:
                raise ValueError(f"{path}: expected {expected}; no config entry found")
            stored = json.loads(str(data[_CONFIG_KEY]))
            arrays = {k: data[k] for k in data.files if k != _CONFIG_KEY}
    except FileNotFoundError:
        raise
    except ValueError as e:
        if str(e).startswith(f"{path}: expected"):
            raise
        raise ValueError(f"{path}: expected {expected}; cannot read it ({e})") from e
    except (OSError, zipfile.BadZipFile, EOFError, KeyError) as e:
        raise ValueError(f"{path}: expected {expected}; cannot read it ({e})") from e
    try:
        config, meta = stored["config"], stored["meta"]
        model = CharModel(**config)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(
            f"{path}: expected {expected}; bad config {stored!r:.200} ({e})"
        ) from e
    state = model.state_dict()
    if set(arrays) != set(state):
        raise ValueError(
            f"{path}: weights do not match the config {config}; expected arrays "
            f"{sorted(state)}, got {sorted(arrays)}"
        )
    for k, a in arrays.items():
        if a.shape != tuple(state[k].shape) or a.dtype.kind != "f":
            raise ValueError(
                f"{path}: {k} must be a float array of shape {tuple(state[k].shape)}, "
                f"got {a.dtype} {a.shape}"
            )
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{path}: {k} must be finite, got NaN or inf")
    model.load_state_dict(
        {k: torch.from_numpy(np.asarray(a, np.float32)) for k, a in arrays.items()}
    )
    return model, meta
