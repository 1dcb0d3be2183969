"""The fast loops under ``cells.*.trace``: the reference steps, vectorised.

Private: the book shows :mod:`lstm_tutorial.steps`. These loops compute the same
equations, time-major for a whole batch, with three tricks:

- the input projection ``W_ih x_t + b_ih + b_hh`` of all T steps is one matmul;
- every step writes into preallocated trace arrays (``out=``);
- sigma(a) = (1 + tanh(a / 2)) / 2: the gate rows are scaled by 1/2 once, so one
  tanh call activates all four LSTM blocks (``_half_scale``); the stored
  pre-activations are scaled back at the end (scaling by 1/2 is exact).

Each ``*_layer(p, x, h0, c0, overrides)`` runs one layer: p holds the layer's
torch-named weights (``weight_ih``, ...), x is (T, B, I), h0 and c0 are (B, H),
overrides maps a step to its what-ifs [(gate, unit, value), ...]; it returns
the trace fields, time-major (T, B, H). ``tests/test_steps.py`` holds every loop
equal to its reference step to 1e-12 in float64.
"""

from __future__ import annotations

import numpy as np

Overrides = dict[int, list[tuple[str, int, float]]]


def _project(x: np.ndarray, W_ih: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x_t W_ih^T + b for all T steps in one matmul: (T, B, I) -> (T, B, rows)."""
    T, B, I = x.shape
    out = np.matmul(x.reshape(T * B, I), W_ih.T)
    out += b
    return out.reshape(T, B, -1)


def _force(step_overrides: list[tuple[str, int, float]], **gates: np.ndarray) -> None:
    """Set gates[gate][:, unit] = value for this step's overrides of these gates."""
    for gate, unit, value in step_overrides:
        if gate in gates:
            gates[gate][:, unit] = value


def _half_scale(gates: str, sigmoid_gates: str, H: int, dtype: np.dtype) -> np.ndarray:
    """s = 1/2 on the rows of sigmoid gates, 1 on the others: (G*H,).

    sigma(a) = (1 + tanh(a / 2)) / 2, so tanh(s * pre) * s + (1 - s) applies
    sigma or tanh to every gate in three ufunc calls. Scaling by 1/2 is exact,
    so the loop keeps s * pre and multiplies by 1 / s once at the end.
    """
    return np.repeat([0.5 if g in sigmoid_gates else 1.0 for g in gates], H).astype(
        dtype
    )


def _blocks(a: np.ndarray, G: int) -> list[np.ndarray]:
    """The G gate blocks of the last axis of a (..., G*H): views (..., H)."""
    H = a.shape[-1] // G
    return [a[..., k * H : (k + 1) * H] for k in range(G)]


def _gate_fields(names: str, pre: np.ndarray, act: np.ndarray) -> dict[str, np.ndarray]:
    """{"pre_i": ..., "i": ...} views of the gate blocks of pre and act."""
    G = len(names)
    return {f"pre_{n}": v for n, v in zip(names, _blocks(pre, G))} | dict(
        zip(names, _blocks(act, G))
    )


def rnn_layer(p: dict, x: np.ndarray, h0: np.ndarray, c0: None,
              overrides: Overrides, relu: bool = False) -> dict[str, np.ndarray]:
    """h_t = phi(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), phi = tanh or relu."""
    W_hh_T = p["weight_hh"].T.copy()  # (H, H)
    # pre_h[t] = W_ih x_t + b_ih + b_hh for all steps, then += W_hh h_{t-1} below
    pre_h = _project(x, p["weight_ih"], p["bias_ih"] + p["bias_hh"])  # (T, B, H)
    h = np.empty_like(pre_h)
    hW = np.empty_like(h0)  # W_hh h_{t-1}: (B, H)
    h_prev = h0
    for t, (pre_t, h_t) in enumerate(zip(pre_h, h)):
        np.matmul(h_prev, W_hh_T, out=hW)
        pre_t += hW
        if relu:
            np.maximum(pre_t, 0, out=h_t)  # h_t = relu(pre_h)
        else:
            np.tanh(pre_t, out=h_t)  # h_t = tanh(pre_h)
        if t in overrides:
            _force(overrides[t], h=h_t)
        h_prev = h_t
    return {"pre_h": pre_h, "h": h}


def lstm_layer(p: dict, x: np.ndarray, h0: np.ndarray, c0: np.ndarray,
               overrides: Overrides) -> dict[str, np.ndarray]:
    """The LSTM step (``steps.lstm_step``) over x (T, B, I)."""
    T, B, _ = x.shape
    H = h0.shape[1]
    s = _half_scale("ifgo", "ifo", H, x.dtype)  # (4H,): 1/2 on i, f, o
    one_minus_s = 1 - s
    W_hh_s = (p["weight_hh"] * s[:, None]).T.copy()  # (H, 4H)
    # pre[t] = s * (W_ih x_t + b_ih + b_hh) for all steps, += s * W_hh h_{t-1} below
    pre = _project(
        x, p["weight_ih"] * s[:, None], (p["bias_ih"] + p["bias_hh"]) * s
    )
    act = np.empty_like(pre)  # (T, B, 4H): i | f | g | o after their activations
    c = np.empty((T, B, H), dtype=x.dtype)
    h = np.empty_like(c)
    hW = np.empty((B, 4 * H), dtype=x.dtype)  # s * W_hh h_{t-1}
    tmp = np.empty((B, H), dtype=x.dtype)
    i_, f_, g_, o_ = _blocks(act, 4)
    h_prev, c_prev = h0, c0
    steps = zip(pre, act, i_, f_, g_, o_, c, h)
    for t, (pre_t, a, i, f, g, o, c_t, h_t) in enumerate(steps):
        np.matmul(h_prev, W_hh_s, out=hW)
        pre_t += hW
        np.tanh(pre_t, out=a)  # i, f, o = sigma(pre), g = tanh(pre)
        a *= s
        a += one_minus_s
        ov = overrides.get(t)
        if ov:
            _force(ov, i=i, f=f, g=g, o=o)
        np.multiply(f, c_prev, out=c_t)  # c_t = f_t * c_{t-1} + i_t * g_t
        np.multiply(i, g, out=tmp)
        c_t += tmp
        if ov:
            _force(ov, c=c_t)
        np.tanh(c_t, out=tmp)
        np.multiply(o, tmp, out=h_t)  # h_t = o_t * tanh(c_t)
        if ov:
            _force(ov, h=h_t)
        h_prev, c_prev = h_t, c_t
    pre *= 1 / s
    return _gate_fields("ifgo", pre, act) | {"c": c, "h": h}


def peephole_layer(p: dict, x: np.ndarray, h0: np.ndarray, c0: np.ndarray,
                   overrides: Overrides) -> dict[str, np.ndarray]:
    """The peephole LSTM step (``steps.peephole_step``) over x (T, B, I)."""
    T, B, _ = x.shape
    H = h0.shape[1]
    s = _half_scale("ifgo", "ifo", H, x.dtype)  # (4H,): 1/2 on i, f, o
    W_hh_s = (p["weight_hh"] * s[:, None]).T.copy()  # (H, 4H)
    w_cif_s = 0.5 * np.stack([p["weight_ci"], p["weight_cf"]])  # (2, H)
    w_co_s = 0.5 * p["weight_co"]  # (H,)
    # pre[t] = s * (W_ih x_t + b_ih + b_hh) for all steps, += the rest below
    pre = _project(
        x, p["weight_ih"] * s[:, None], (p["bias_ih"] + p["bias_hh"]) * s
    )
    act = np.empty_like(pre)  # (T, B, 4H): i | f | g | o
    c = np.empty((T, B, H), dtype=x.dtype)
    h = np.empty_like(c)
    hW = np.empty((B, 4 * H), dtype=x.dtype)  # s * W_hh h_{t-1}
    peep = np.empty((B, 2, H), dtype=x.dtype)  # s * (w_ci, w_cf) * c_{t-1}
    tmp = np.empty((B, H), dtype=x.dtype)
    s_ifg = s[: 3 * H]
    one_minus_s_ifg = 1 - s_ifg
    i_, f_, g_, o_ = _blocks(act, 4)
    steps = zip(pre, act, i_, f_, g_, o_, c, h)
    h_prev, c_prev = h0, c0
    for t, (pre_t, a, i, f, g, o, c_t, h_t) in enumerate(steps):
        np.matmul(h_prev, W_hh_s, out=hW)
        pre_t += hW
        np.multiply(c_prev[:, None, :], w_cif_s, out=peep)  # w_ci, w_cf * c_{t-1}
        pre_t[:, : 2 * H] += peep.reshape(B, 2 * H)
        ifg = a[:, : 3 * H]
        np.tanh(pre_t[:, : 3 * H], out=ifg)  # i, f = sigma(pre), g = tanh(pre)
        ifg *= s_ifg
        ifg += one_minus_s_ifg
        ov = overrides.get(t)
        if ov:
            _force(ov, i=i, f=f, g=g)
        np.multiply(f, c_prev, out=c_t)  # c_t = f_t * c_{t-1} + i_t * g_t
        np.multiply(i, g, out=tmp)
        c_t += tmp
        if ov:
            _force(ov, c=c_t)
        pre_o = pre_t[:, 3 * H :]
        np.multiply(c_t, w_co_s, out=tmp)  # w_co * c_t
        pre_o += tmp
        np.tanh(pre_o, out=o)  # o_t = sigma(pre_o)
        o *= 0.5
        o += 0.5
        if ov:
            _force(ov, o=o)
        np.tanh(c_t, out=tmp)
        np.multiply(o, tmp, out=h_t)  # h_t = o_t * tanh(c_t)
        if ov:
            _force(ov, h=h_t)
        h_prev, c_prev = h_t, c_t
    pre *= 1 / s
    return _gate_fields("ifgo", pre, act) | {"c": c, "h": h}


def gru_layer(p: dict, x: np.ndarray, h0: np.ndarray, c0: None,
              overrides: Overrides) -> dict[str, np.ndarray]:
    """The GRU step (``steps.gru_step``) over x (T, B, I)."""
    T, B, _ = x.shape
    H = h0.shape[1]
    s = _half_scale("rzn", "rz", H, x.dtype)  # (3H,): 1/2 on r, z
    W_hh_s = (p["weight_hh"] * s[:, None]).T.copy()  # (H, 3H)
    b_hn = p["bias_hh"][2 * H :]
    b = p["bias_ih"].copy()  # b_ih + (b_hr | b_hz | 0)
    b[: 2 * H] += p["bias_hh"][: 2 * H]
    # pre[t] = s * (W_ih x_t + b) for all steps, += the recurrent terms below
    pre = _project(x, p["weight_ih"] * s[:, None], b * s)  # (T, B, 3H)
    act = np.empty_like(pre)  # (T, B, 3H): r | z | n
    h = np.empty((T, B, H), dtype=x.dtype)
    hW = np.empty((B, 3 * H), dtype=x.dtype)  # s * W_hh h_{t-1}
    hn = hW[:, 2 * H :]  # W_hn h_{t-1}
    r_, z_, n_ = _blocks(act, 3)
    h_prev = h0
    for t, (pre_t, a, r, z, n, h_t) in enumerate(zip(pre, act, r_, z_, n_, h)):
        np.matmul(h_prev, W_hh_s, out=hW)
        pre_t[:, : 2 * H] += hW[:, : 2 * H]
        rz = a[:, : 2 * H]
        np.tanh(pre_t[:, : 2 * H], out=rz)  # r, z = sigma(pre)
        rz *= 0.5
        rz += 0.5
        ov = overrides.get(t)
        if ov:
            _force(ov, r=r, z=z)
        hn += b_hn
        hn *= r  # r_t * (W_hn h_{t-1} + b_hn)
        pre_n = pre_t[:, 2 * H :]
        pre_n += hn
        np.tanh(pre_n, out=n)  # n_t = tanh(pre_n)
        if ov:
            _force(ov, n=n)
        np.subtract(h_prev, n, out=h_t)  # h_t = n_t + z_t * (h_{t-1} - n_t)
        h_t *= z
        h_t += n
        if ov:
            _force(ov, h=h_t)
        h_prev = h_t
    pre *= 1 / s
    return _gate_fields("rzn", pre, act) | {"h": h}
