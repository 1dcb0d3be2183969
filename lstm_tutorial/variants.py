"""The LSTM's family as one torch module, and its replay in numpy.

Greff et al. (2017), "LSTM: A Search Space Odyssey", change one part of the
LSTM at a time; ``steps.VARIANTS`` names each change and ``steps.variant_step``
is its step, one equation per line. :class:`VariantLSTM` trains any of them in
torch (torch has none of them built in), and :func:`replay` runs a trained one
in numpy through the reference step, keeping every intermediate value.

Weights follow torch, per layer k: ``weight_ih_l{k}`` (G*H, I_k),
``weight_hh_l{k}`` (G*H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (G*H,), with
the G row blocks of the gates the variant keeps, in torch's order i | f | g | o:
"nig" and "cifg" have rows f | g | o, "nfg" i | g | o, "nog" i | f | g,
"merged" f | g. A removed gate has no rows at all (so parameter counts are
honest). "peephole" adds the diagonal ``weight_ci_l{k}``, ``weight_cf_l{k}``,
``weight_co_l{k}`` (H,), as ``models.PeepholeLSTM``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from .steps import VARIANTS, Variant, layer_params, unroll

__all__ = ["VARIANTS", "Variant", "StackedLSTM", "VariantLSTM", "spec_of", "replay"]


def spec_of(name: str) -> Variant:
    """The Variant called ``name``; ValueError naming the known ones otherwise."""
    if not isinstance(name, str) or name not in VARIANTS:
        raise ValueError(f"variant must be one of {tuple(VARIANTS)}, got {name!r}")
    return VARIANTS[name]


class StackedLSTM(nn.Module):
    """What the book's own torch LSTMs share (``models.PeepholeLSTM`` and
    :class:`VariantLSTM`): nn.LSTM's call, shapes and checks, and its
    initialisation, for layers of G gate blocks of H rows (and, with
    ``peepholes``, the diagonal w_ci, w_cf, w_co). A subclass runs one layer
    over all steps in ``_layer``.

    ``forward(x, (h0, c0)=None) -> (output, (h_n, c_n))`` with x (T, B, I),
    (B, T, I) if batch_first, or unbatched (T, I); states (L, B, H) or (L, H).
    Parameters per layer k: ``weight_ih_l{k}`` (G*H, I_k), ``weight_hh_l{k}``
    (G*H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (G*H,) [, ``weight_ci_l{k}``,
    ``weight_cf_l{k}``, ``weight_co_l{k}`` (H,)].
    """

    def __init__(self, gates: int, peepholes: bool, input_size: int,
                 hidden_size: int, num_layers: int = 1,
                 batch_first: bool = False) -> None:
        super().__init__()
        for name, v in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.batch_first = num_layers, batch_first
        G, H = gates, hidden_size
        for k in range(num_layers):
            I_k = input_size if k == 0 else H
            self.register_parameter(
                f"weight_ih_l{k}", nn.Parameter(torch.empty(G * H, I_k)))
            self.register_parameter(
                f"weight_hh_l{k}", nn.Parameter(torch.empty(G * H, H)))
            self.register_parameter(f"bias_ih_l{k}", nn.Parameter(torch.empty(G * H)))
            self.register_parameter(f"bias_hh_l{k}", nn.Parameter(torch.empty(G * H)))
            if peepholes:
                for n in ("ci", "cf", "co"):
                    self.register_parameter(
                        f"weight_{n}_l{k}", nn.Parameter(torch.empty(H)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) for every parameter, like nn.LSTM."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _layer(self, k: int, xproj: torch.Tensor, h: torch.Tensor,
               c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Layer k over all steps: xproj (T, B, G*H) = W_ih x_t + b_ih + b_hh,
        h, c (B, H) -> (outputs (T, B, H), h_T, c_T)."""
        raise NotImplementedError

    def forward(
        self,
        x: torch.Tensor,
        hx: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        L, H, I = self.num_layers, self.hidden_size, self.input_size
        if x.dim() not in (2, 3) or x.shape[-1] != I:
            raise ValueError(
                f"x must have shape (T, {I}) or (B, T, {I}) with batch_first, "
                f"(T, B, {I}) otherwise, got {tuple(x.shape)}"
            )
        batched = x.dim() == 3
        if not batched:
            x = x.unsqueeze(1)  # (T, 1, I)
        elif self.batch_first:
            x = x.transpose(0, 1)  # (T, B, I)
        T, B = x.shape[:2]
        if T == 0:
            raise ValueError("x must hold at least one step (T >= 1)")
        if hx is None:
            h0 = c0 = x.new_zeros(L, B, H)
        else:
            h0, c0 = hx
            want = (L, B, H) if batched else (L, H)
            for name, st in (("h0", h0), ("c0", c0)):
                if tuple(st.shape) != want:
                    raise ValueError(
                        f"{name} must have shape {want}, got {tuple(st.shape)}")
            if not batched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        h_n, c_n, inp = [], [], x
        for k in range(L):
            W_ih = getattr(self, f"weight_ih_l{k}")
            b = getattr(self, f"bias_ih_l{k}") + getattr(self, f"bias_hh_l{k}")
            xproj = (inp.reshape(T * B, -1) @ W_ih.t() + b).view(T, B, -1)
            inp, h, c = self._layer(k, xproj, h0[k], c0[k])
            h_n.append(h)
            c_n.append(c)
        out, h_n, c_n = inp, torch.stack(h_n), torch.stack(c_n)
        if not batched:
            return out.squeeze(1), (h_n.squeeze(1), c_n.squeeze(1))
        if self.batch_first:
            out = out.transpose(0, 1)
        return out, (h_n, c_n)



class VariantLSTM(StackedLSTM):
    """One Greff variant as a torch module (see the module docstring):

        a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh      (G*H rows, blocks of gates)
        f = sigma(a_f [+ w_cf * c_{t-1}])   or 1 (nfg)
        i = sigma(a_i [+ w_ci * c_{t-1}])   or 1 (nig), 1 - f (cifg, merged)
        g = tanh(a_g)                       or a_g (niaf)
        c_t = f * c_{t-1} + i * g
        o = sigma(a_o [+ w_co * c_t])       or 1 (nog, merged)
        h_t = o * tanh(c_t)                 or o * c_t (noaf, merged)

    Same call as nn.LSTM: ``forward(x, (h0, c0)=None) -> (output, (h_n, c_n))``
    with x (T, B, I), (B, T, I) if batch_first, or unbatched (T, I); states
    (L, B, H) or (L, H).
    """

    def __init__(
        self,
        variant: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        batch_first: bool = False,
    ) -> None:
        spec = spec_of(variant)
        super().__init__(len(spec.gates), spec.peepholes, input_size, hidden_size,
                         num_layers, batch_first)
        self.spec, self.variant = spec, variant

    def rows(self, gate: str) -> slice:
        """The rows of ``gate`` in W_ih, W_hh and the biases; ValueError if the
        variant has no rows for it (a removed or coupled gate)."""
        if gate not in self.spec.gates:
            raise ValueError(
                f"variant {self.variant!r} has no rows for gate {gate!r}; its gates "
                f"are {list(self.spec.gates)}"
            )
        j, H = self.spec.gates.index(gate), self.hidden_size
        return slice(j * H, (j + 1) * H)

    def _layer(self, k: int, xproj: torch.Tensor, h: torch.Tensor,
               c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """xproj (T, B, G*H) = W_ih x_t + b_ih + b_hh; h, c (B, H) -> outputs."""
        s, H = self.spec, self.hidden_size
        W_hh_T = getattr(self, f"weight_hh_l{k}").t()
        if s.peepholes:
            w_ci, w_cf, w_co = (getattr(self, f"weight_{n}_l{k}")
                                for n in ("ci", "cf", "co"))
        outputs = []
        for pre in xproj.unbind(0):  # (B, G*H)
            a = dict(zip(s.gates, torch.addmm(pre, h, W_hh_T).split(H, dim=1)))
            if "f" in a:
                f = torch.sigmoid(a["f"] + w_cf * c if s.peepholes else a["f"])
            else:
                f = None  # f = 1
            if "i" in a:
                i = torch.sigmoid(a["i"] + w_ci * c if s.peepholes else a["i"])
            elif s.coupled:
                i = 1 - f
            else:
                i = None  # i = 1
            g = torch.tanh(a["g"]) if s.input_activation else a["g"]
            c = (c if f is None else f * c) + (g if i is None else i * g)
            if "o" in a:
                o = torch.sigmoid(a["o"] + w_co * c if s.peepholes else a["o"])
            else:
                o = None  # o = 1
            act = torch.tanh(c) if s.output_activation else c
            h = act if o is None else o * act
            outputs.append(h)
        return torch.stack(outputs), h, c

    def extra_repr(self) -> str:
        return (f"{self.variant!r}, {self.input_size}, {self.hidden_size}, "
                f"num_layers={self.num_layers}, batch_first={self.batch_first}")


def replay(
    state: Mapping[str, Any],
    name: str,
    x: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
) -> dict[str, Any]:
    """Run variant ``name`` with the weights ``state`` (a VariantLSTM's
    state_dict, tensors or arrays) over one sequence x (T, I), every layer,
    through ``steps.variant_step``, in the dtype of the weights.

    h0, c0: (L, H), default zeros. Returns {"h": the top layer's outputs (T, H),
    "h_n", "c_n": (L, H), "layers": per layer {field: (T, ...)} of every
    intermediate value (pre_*, i, f, g, o, c, h)}.
    """
    v = spec_of(name)
    arrays = {k: v_.detach().cpu().numpy() if hasattr(v_, "detach") else np.asarray(v_)
              for k, v_ in state.items()}
    layers = []
    while f"weight_ih_l{len(layers)}" in arrays:
        layers.append(layer_params(arrays, len(layers)))
    if not layers:
        raise ValueError(f"state holds no layer weights ('weight_ih_l0'); keys "
                         f"{sorted(state)}")
    L, (GH, I) = len(layers), layers[0]["W_ih"].shape
    H = GH // len(v.gates)
    for k, p in enumerate(layers):
        want = (len(v.gates) * H, I if k == 0 else H)
        if p["W_ih"].shape != want or p["W_hh"].shape != (want[0], H):
            raise ValueError(
                f"variant {name!r} (gates {v.gates}) with H = {H}: layer {k} must "
                f"have W_ih {want} and W_hh {(want[0], H)}, got "
                f"{p['W_ih'].shape} and {p['W_hh'].shape}")
        if v.peepholes and not {"w_ci", "w_cf", "w_co"} <= set(p):
            raise ValueError(f"variant {name!r}: layer {k} has no peephole weights "
                             f"(weight_ci_l{k}, weight_cf_l{k}, weight_co_l{k})")
    dtype = layers[0]["W_ih"].dtype
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 2 or x.shape[1] != I or x.shape[0] < 1:
        raise ValueError(f"x must have shape (T, {I}) with T >= 1, got {x.shape}")
    zeros = np.zeros((L, H), dtype)
    h0 = zeros if h0 is None else np.asarray(h0, dtype)
    c0 = zeros if c0 is None else np.asarray(c0, dtype)
    for what, s in (("h0", h0), ("c0", c0)):
        if s.shape != (L, H):
            raise ValueError(f"{what} must have shape {(L, H)}, got {s.shape}")
    traces, inp = [], x
    for k, p in enumerate(layers):
        traces.append(unroll(name, inp, p, h0[k], c0[k]))
        inp = traces[-1]["h"]
    return {"h": inp, "h_n": np.stack([t["h"][-1] for t in traces]),
            "c_n": np.stack([t["c"][-1] for t in traces]), "layers": traces}
