"""Chapter 3: the constant error carousel, measured.

``carousel_gradients`` measures, by autograd through the recurrence, how much the
last cell state c_T and the last hidden state h_T of an LSTM depend on the ones
d = T - t steps earlier, and the product of the forget gates along the cell
line in between (the path Hochreiter and Schmidhuber called the constant error
carousel).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["carousel_gradients"]


def _lstm_weights(model: Any) -> tuple[torch.Tensor, ...]:
    """W_ih (4H, I), W_hh (4H, H), b (4H,) in float64 from a one-layer LSTM."""
    rnn = getattr(model, "rnn", model)
    if not isinstance(rnn, torch.nn.LSTM) or rnn.num_layers != 1 or \
            rnn.proj_size or rnn.bidirectional:
        raise ValueError(f"model must be a CharModel with a one-layer torch LSTM, or "
                         f"that nn.LSTM, got {type(rnn).__name__}")
    with torch.no_grad():
        W_ih = rnn.weight_ih_l0.detach().double().clone()
        W_hh = rnn.weight_hh_l0.detach().double().clone()
        b = rnn.bias_ih_l0.detach().double() + rnn.bias_hh_l0.detach().double()
    return W_ih, W_hh, b


def carousel_gradients(model: Any, ids: Any) -> dict[str, np.ndarray]:
    """How much the end of a sequence depends on its memory d = T - t steps back.

        c[d]    = mean over sequences of || dc_T / dc_t ||_2   (h_t held fixed)
        h[d]    = mean over sequences of || dh_T / dh_t ||_2   (c_t held fixed)
        line[d] = mean over sequences of max_u prod_{s=t+1..T} f_s[u]

    ||.||_2 is the spectral norm (largest singular value) of the H x H
    Jacobian. dc_T/dc_t nudges the cell state c_t alone and follows every path
    forward, along the cell line (c_s = f_s c_{s-1} + ...) and through the
    hidden states and the gates; dh_T/dh_t nudges h_t alone (as chapter 2's
    ``gradient_norms``). ``line`` is the cell line's path alone: dc_T/dc_t
    without the paths through h is diag(prod f_s), whose norm is its largest
    entry. Index d = 0 is the identity (1 for all three).

    model: a models.CharModel with a one-layer nn.LSTM, or that nn.LSTM; ids:
    token ids (B, T) (a torch tensor or an int array). Computed in float64 on
    copies of the weights, from h_0 = c_0 = 0. Returns {"c", "h", "line"}, each
    (T,) indexed by d = 0 .. T-1.
    """
    W_ih, W_hh, b = _lstm_weights(model)
    H, n_x = W_hh.shape[1], W_ih.shape[1]
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    if ids.dim() != 2 or ids.shape[1] < 1:
        raise ValueError(f"ids must have shape (B, T) with T >= 1, got "
                         f"{tuple(ids.shape)}")
    if ids.min() < 0 or ids.max() >= n_x:
        raise ValueError(f"ids must be in [0, {n_x}), got values in "
                         f"[{int(ids.min())}, {int(ids.max())}]")
    B, T = ids.shape
    x = torch.nn.functional.one_hot(ids, n_x).double()  # (B, T, I)
    h = torch.zeros(B, H, dtype=torch.float64, requires_grad=True)  # h_0 = 0
    c = torch.zeros(B, H, dtype=torch.float64, requires_grad=True)  # c_0 = 0
    hs, cs, fs = [], [], []  # the nodes h_t, c_t (B, H) and the forget gates f_t
    with torch.enable_grad():
        for t in range(T):
            z = x[:, t] @ W_ih.T + h @ W_hh.T + b  # (B, 4H): rows i | f | g | o
            i, f, g, o = z.split(H, dim=1)
            i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
            c_new = f * c + i * torch.tanh(g)
            h_new = o * torch.tanh(c_new)
            # the next step reads copies, so that c_t and h_t are separate nodes:
            # a nudge to one leaves the other as it is
            c, h = c_new.clone(), h_new.clone()
            cs.append(c)
            hs.append(h)
            fs.append(f.detach())
        out = {}
        for name, nodes in (("c", cs), ("h", hs)):
            # J[b, t, j, :] = dq_T[j] / dq_t for q = c or h
            J = torch.zeros(B, T, H, H, dtype=torch.float64)
            for j in range(H):
                grads = torch.autograd.grad(nodes[-1][:, j].sum(), nodes,
                                            retain_graph=True, allow_unused=True)
                for t, g in enumerate(grads):
                    if g is not None:
                        J[:, t, j] = g
            norms = torch.linalg.matrix_norm(J, ord=2)  # (B, T)
            out[name] = norms.mean(dim=0).flip(0).numpy()  # index d = T - t
    f = torch.stack(fs, dim=1).numpy()  # (B, T, H)
    line = np.ones((B, T, H))  # line[:, t] = prod of f_s for s = t+1 .. T-1
    for t in range(T - 2, -1, -1):
        line[:, t] = line[:, t + 1] * f[:, t + 1]
    out["line"] = line.max(axis=-1).mean(axis=0)[::-1].copy()
    return out
