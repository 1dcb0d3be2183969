"""Reference steps: one time step of each cell, one equation per line.

This is the code the book shows. Each step takes one input vector x (I,), the
state before the step (h, and c for the LSTMs), one layer's weights in torch's
layout, and returns every intermediate value of the step as a dict whose keys
are the trace fields (``pre_f``, ``f``, ..., ``c``, ``h``).

Weights, per layer (G gate blocks of H rows each, stacked in torch's order):

    W_ih (G*H, I)   W_hh (G*H, H)   b_ih (G*H,)   b_hh (G*H,)
    RNN G = 1; LSTM G = 4, rows i | f | g | o; GRU G = 3, rows r | z | n
    peephole LSTM: also w_ci, w_cf, w_co (H,)
    LSTM variants (``VARIANTS``): the rows of the gates they keep, in that order

The LSTM's family (Greff et al. 2017, "LSTM: A Search Space Odyssey"):
``variant_step`` is the LSTM step with one part removed or changed, as the
``Variant`` of that name says (no input, forget or output gate; no input or
output activation; the input gate coupled to the forget gate, "CIFG"; and
"merged", the CIFG with one state, h = c, the GRU without its reset gate).

What-ifs: ``force`` maps a quantity to {unit: value}; the line of that quantity
replaces those units after computing them (``forced``), and the step goes on
from the forced value. That is what ``cells.Override`` does inside a trace.

The glass-box cells (:mod:`lstm_tutorial.cells`) run a faster loop with the same
arithmetic (``lstm_tutorial._fast``); ``tests/test_steps.py`` holds the two equal
to 1e-12 in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np

from .activations import relu, sigmoid

__all__ = [
    "Force",
    "forced",
    "rnn_step",
    "lstm_step",
    "peephole_step",
    "gru_step",
    "Variant",
    "VARIANTS",
    "variant_step",
    "STEPS",
    "unroll",
    "layer_params",
]

Force = Mapping[str, Mapping[int, float]]  # {"f": {unit: value}, ...}
NO_FORCE: Force = {}


def forced(value: np.ndarray, force: Force, name: str) -> np.ndarray:
    """``value`` with the units that ``force[name]`` names set to their values."""
    if name not in force:
        return value
    value = value.copy()
    for unit, v in force[name].items():
        value[unit] = v
    return value


def rnn_step(x: np.ndarray, h: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray,
             b_ih: np.ndarray, b_hh: np.ndarray, force: Force = NO_FORCE,
             phi: Callable[[np.ndarray], np.ndarray] = np.tanh) -> dict:
    """h_t = phi(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), phi = tanh or relu."""
    pre_h = W_ih @ x + b_ih + W_hh @ h + b_hh  # (H,)
    h = forced(phi(pre_h), force, "h")  # the new memory
    return dict(pre_h=pre_h, h=h)


def lstm_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, W_ih: np.ndarray,
              W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray,
              force: Force = NO_FORCE) -> dict:
    """One LSTM step (torch.nn.LSTM), rows of W in the order i | f | g | o:

        i = sigma(W_i x + U_i h + b_i)   f = sigma(W_f x + U_f h + b_f)
        g = tanh(W_g x + U_g h + b_g)    o = sigma(W_o x + U_o h + b_o)
        c = f * c + i * g                h = o * tanh(c)
    """
    z = W_ih @ x + b_ih + W_hh @ h + b_hh  # (4H,): all four pre-activations
    pre_i, pre_f, pre_g, pre_o = np.split(z, 4)
    i = forced(sigmoid(pre_i), force, "i")  # input gate: how much to save
    f = forced(sigmoid(pre_f), force, "f")  # forget gate: how much to keep
    g = forced(np.tanh(pre_g), force, "g")  # candidate memory
    o = forced(sigmoid(pre_o), force, "o")  # output gate: how much to show
    c = forced(f * c + i * g, force, "c")  # forget some, add some
    h = forced(o * np.tanh(c), force, "h")  # show some
    return dict(pre_i=pre_i, pre_f=pre_f, pre_g=pre_g, pre_o=pre_o,
                i=i, f=f, g=g, o=o, c=c, h=h)


def peephole_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, W_ih: np.ndarray,
                  W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray,
                  w_ci: np.ndarray, w_cf: np.ndarray, w_co: np.ndarray,
                  force: Force = NO_FORCE) -> dict:
    """One peephole LSTM step: the LSTM's, with the gates also reading the cell
    state (i, f read c_{t-1}; o reads the new c_t), through diagonal weights."""
    z = W_ih @ x + b_ih + W_hh @ h + b_hh  # (4H,)
    pre_i, pre_f, pre_g, pre_o = np.split(z, 4)
    pre_i = pre_i + w_ci * c  # the input gate peeks at c_{t-1}
    pre_f = pre_f + w_cf * c  # so does the forget gate
    i = forced(sigmoid(pre_i), force, "i")
    f = forced(sigmoid(pre_f), force, "f")
    g = forced(np.tanh(pre_g), force, "g")
    c = forced(f * c + i * g, force, "c")
    pre_o = pre_o + w_co * c  # the output gate peeks at the new c_t
    o = forced(sigmoid(pre_o), force, "o")
    h = forced(o * np.tanh(c), force, "h")
    return dict(pre_i=pre_i, pre_f=pre_f, pre_g=pre_g, pre_o=pre_o,
                i=i, f=f, g=g, o=o, c=c, h=h)


def gru_step(x: np.ndarray, h: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray,
             b_ih: np.ndarray, b_hh: np.ndarray, force: Force = NO_FORCE) -> dict:
    """One GRU step (torch.nn.GRU), rows r | z | n, b_hn inside the reset:

        r = sigma(W_r x + U_r h + b_r)    z = sigma(W_z x + U_z h + b_z)
        n = tanh(W_n x + b_in + r * (U_n h + b_hn))
        h = (1 - z) * n + z * h           (z = 1 keeps the old state)
    """
    a_r, a_z, a_n = np.split(W_ih @ x + b_ih, 3)  # what the input says
    u_r, u_z, u_n = np.split(W_hh @ h + b_hh, 3)  # what the old state says
    pre_r, pre_z = a_r + u_r, a_z + u_z
    r = forced(sigmoid(pre_r), force, "r")  # reset: how much old state n sees
    z = forced(sigmoid(pre_z), force, "z")  # update: how much old state to keep
    pre_n = a_n + r * u_n
    n = forced(np.tanh(pre_n), force, "n")  # candidate
    h = forced((1 - z) * n + z * h, force, "h")  # a mix of old and new
    return dict(pre_r=pre_r, pre_z=pre_z, pre_n=pre_n, r=r, z=z, n=n, h=h)


@dataclass(frozen=True)
class Variant:
    """What one member of the LSTM's family changes in the LSTM step.

    gates: the gates with weight rows, in row order (a subsequence of "ifgo");
    a gate without rows is the constant 1, or 1 - f when ``coupled``.
    """

    name: str
    gates: str
    peepholes: bool = False  # i, f read c_{t-1} and o reads c_t (peephole_step)
    input_activation: bool = True  # g = tanh(a_g); False: g = a_g
    output_activation: bool = True  # h = o * tanh(c); False: h = o * c
    coupled: bool = False  # i = 1 - f
    about: str = ""  # one line for tables


VARIANTS: dict[str, Variant] = {v.name: v for v in (
    Variant("lstm", "ifgo", about="the LSTM (torch.nn.LSTM, no peepholes)"),
    Variant("peephole", "ifgo", peepholes=True,
            about="gates also read the cell state"),
    Variant("nig", "fgo", about="no input gate: i = 1"),
    Variant("nfg", "igo", about="no forget gate: f = 1"),
    Variant("nog", "ifg", about="no output gate: o = 1"),
    Variant("niaf", "ifgo", input_activation=False,
            about="no input activation: g = a_g"),
    Variant("noaf", "ifgo", output_activation=False,
            about="no output activation: h = o * c"),
    Variant("cifg", "fgo", coupled=True,
            about="coupled input and forget gate: i = 1 - f"),
    Variant("merged", "fg", output_activation=False, coupled=True,
            about="CIFG with one state: no output gate, h = c"),
)}


def variant_step(x: np.ndarray, h: np.ndarray, c: np.ndarray,
                 W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray,
                 b_hh: np.ndarray, w_ci: np.ndarray | None = None,
                 w_cf: np.ndarray | None = None,
                 w_co: np.ndarray | None = None, force: Force = NO_FORCE,
                 *, variant: str = "lstm") -> dict:
    """One step of a member of the LSTM's family (``VARIANTS[variant]``):

        a = W_ih x + b_ih + W_hh h + b_hh     (a block per gate with rows)
        f = sigma(a_f)        or 1 (no forget gate)
        i = sigma(a_i)        or 1 (no input gate), 1 - f (coupled)
        g = tanh(a_g)         or a_g (no input activation)
        c = f * c + i * g
        o = sigma(a_o)        or 1 (no output gate)
        h = o * tanh(c)       or o * c (no output activation)

    The peephole variant is ``peephole_step``.
    """
    v = VARIANTS[variant]
    if v.peepholes:
        return peephole_step(x, h, c, W_ih, W_hh, b_ih, b_hh, w_ci, w_cf,
                             w_co, force)
    z = W_ih @ x + b_ih + W_hh @ h + b_hh  # a block of rows per gate it has
    a = dict(zip(v.gates, np.split(z, len(v.gates))))
    one = np.ones_like(c)
    f = forced(sigmoid(a["f"]) if "f" in a else one, force, "f")  # keep
    i = sigmoid(a["i"]) if "i" in a else one  # how much to save ...
    i = forced(1 - f if v.coupled else i, force, "i")  # ... or 1 - f
    g = np.tanh(a["g"]) if v.input_activation else a["g"]
    g = forced(g, force, "g")  # candidate memory
    c = forced(f * c + i * g, force, "c")  # forget some, add some
    o = forced(sigmoid(a["o"]) if "o" in a else one, force, "o")  # show
    h = o * np.tanh(c) if v.output_activation else o * c
    h = forced(h, force, "h")
    pre = {f"pre_{k}": a_k for k, a_k in a.items()}
    return dict(pre, i=i, f=f, g=g, o=o, c=c, h=h)


def _relu_rnn_step(x: np.ndarray, h: np.ndarray, W_ih: np.ndarray,
                   W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray,
                   force: Force = NO_FORCE) -> dict:
    return rnn_step(x, h, W_ih, W_hh, b_ih, b_hh, force, phi=relu)


# kind -> (step, has a cell state)
STEPS: dict[str, tuple[Callable[..., dict], bool]] = {
    "rnn": (rnn_step, False),
    "rnn_relu": (_relu_rnn_step, False),
    "lstm": (lstm_step, True),
    "peephole": (peephole_step, True),
    "gru": (gru_step, False),
} | {name: (partial(variant_step, variant=name), True)
     for name in VARIANTS if name not in ("lstm", "peephole")}


def unroll(kind: str, x: np.ndarray, params: Mapping[str, np.ndarray],
           h0: np.ndarray | None = None, c0: np.ndarray | None = None,
           force: Mapping[int, Force] | None = None) -> dict[str, np.ndarray]:
    """Run one layer's reference step over one sequence x (T, I).

    params: W_ih, W_hh, b_ih, b_hh (and w_ci, w_cf, w_co) of one layer;
    force: {t: Force} what-ifs by step. Returns each field stacked, (T, H).
    """
    if kind not in STEPS:
        raise ValueError(f"kind must be one of {tuple(STEPS)}, got {kind!r}")
    step, has_c = STEPS[kind]
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"x must have shape (T, I) with T >= 1, got {x.shape}")
    H = np.shape(params["W_hh"])[1]
    h = np.zeros(H, x.dtype) if h0 is None else np.asarray(h0)
    c = np.zeros(H, x.dtype) if c0 is None else np.asarray(c0)
    out: list[dict] = []
    for t, x_t in enumerate(x):
        state = (h, c) if has_c else (h,)
        s = step(x_t, *state, **params, force=(force or {}).get(t, NO_FORCE))
        h, c = s["h"], s.get("c", c)
        out.append(s)
    return {k: np.stack([s[k] for s in out]) for k in out[0]}


def layer_params(params: Mapping[str, np.ndarray], k: int = 0
                 ) -> dict[str, np.ndarray]:
    """Layer k of a torch-named state dict, renamed for the steps:
    weight_ih_l0 -> W_ih, bias_hh_l0 -> b_hh, weight_ci_l0 -> w_ci, ..."""
    names = {"weight_ih": "W_ih", "weight_hh": "W_hh", "bias_ih": "b_ih",
             "bias_hh": "b_hh", "weight_ci": "w_ci", "weight_cf": "w_cf",
             "weight_co": "w_co"}
    out = {new: params[f"{old}_l{k}"] for old, new in names.items()
           if f"{old}_l{k}" in params}
    if "W_ih" not in out:
        raise ValueError(f"params hold no layer {k} (no 'weight_ih_l{k}'); keys "
                         f"{sorted(params)}")
    return out

