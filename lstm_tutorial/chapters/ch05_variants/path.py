"""From the LSTM to the GRU in three steps, each replayed in numpy.

Step 1 couples the input gate to the forget gate ("cifg": i = 1 - f); step 2
merges the cell state into the hidden state ("merged": no output gate, h = c);
step 3 adds the reset gate, which gives torch's GRU. ``replay_gap`` builds a
torch module of each kind with random float64 weights and measures how far the
package's numpy replay is from it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lstm_tutorial import cells, models, variants

__all__ = ["PATH", "param_count", "replay_gap"]

PATH = ("lstm", "cifg", "merged", "gru")  # the LSTM, then the three steps


def param_count(kind: str, input_size: int, hidden_size: int,
                num_layers: int = 1) -> int:
    """Parameters of the recurrent layers of ``kind`` as torch stores them
    (``models.make_rnn``; the LSTMs and the GRU keep two bias vectors)."""
    rnn = models.make_rnn(kind, input_size, hidden_size, num_layers)
    return sum(p.numel() for p in rnn.parameters())


def replay_gap(kind: str, input_size: int = 4, hidden_size: int = 6,
               num_layers: int = 2, steps: int = 30, seed: int = 0
               ) -> dict[str, float]:
    """The largest |torch - numpy| over every output and final state, for a
    float64 torch module of ``kind`` ("lstm", "peephole", "gru" or a member of
    ``steps.VARIANTS``) with seeded random weights, from seeded random initial
    states, on one random sequence (T, I). numpy: ``cells`` for the kinds torch
    has, ``variants.replay`` (the reference step) for the LSTM's family."""
    torch.manual_seed(seed)
    rnn = models.make_rnn(kind, input_size, hidden_size, num_layers).double()
    for p in rnn.parameters():  # wider than torch's init, so gates vary
        torch.nn.init.uniform_(p, -1.0, 1.0)
    x = torch.randn(1, steps, input_size, dtype=torch.float64)
    h0 = torch.randn(num_layers, 1, hidden_size, dtype=torch.float64) * 0.5
    c0 = torch.randn(num_layers, 1, hidden_size, dtype=torch.float64) * 0.5
    has_c = kind != "gru"
    with torch.no_grad():
        out, state = rnn(x, (h0, c0) if has_c else h0)
    h_n, c_n = state if has_c else (state, None)
    if kind in ("lstm", "peephole", "gru"):
        tr = cells.cell_from_torch(rnn).trace(
            x[0].numpy(), h0[:, 0].numpy(), c0[:, 0].numpy() if has_c else None)
        mine = {"output": tr.h, "h_n": tr.h_n, "c_n": tr.c_n}
    else:
        r = variants.replay(rnn.state_dict(), kind, x[0].numpy(), h0[:, 0].numpy(),
                            c0[:, 0].numpy())
        mine = {"output": r["h"], "h_n": r["h_n"], "c_n": r["c_n"]}
    theirs: dict[str, Any] = {"output": out[0], "h_n": h_n[:, 0],
                              "c_n": None if c_n is None else c_n[:, 0]}
    return {k: float(np.abs(mine[k] - theirs[k].numpy()).max())
            for k in theirs if theirs[k] is not None}
