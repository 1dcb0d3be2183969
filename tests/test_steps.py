"""The reference steps (what the book shows) against the fast loops (what runs).

Every cell's ``trace`` must equal the reference step unrolled over the sequence,
layer by layer and sequence by sequence, to 1e-12 in float64: random weights,
three layers, a batch, initial states and what-if overrides on several gates.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_tutorial import cells, models, steps
from lstm_tutorial.cells import Override

TOL = 1e-12
KINDS = {  # kind -> (numpy cell class, extra params per layer, constructor kwargs)
    "rnn": (cells.RNN, (), {}),
    "rnn_relu": (cells.RNN, (), {"nonlinearity": "relu"}),
    "lstm": (cells.LSTM, (), {}),
    "peephole": (cells.PeepholeLSTM, ("weight_ci", "weight_cf", "weight_co"), {}),
    "gru": (cells.GRU, (), {}),
}


def random_cell(kind: str, I: int = 5, H: int = 7, L: int = 3, seed: int = 0):
    cls, extra, kwargs = KINDS[kind]
    G = {"rnn": 1, "rnn_relu": 1, "lstm": 4, "peephole": 4, "gru": 3}[kind]
    rng = np.random.default_rng(seed)
    params = {}
    for k in range(L):
        I_k = I if k == 0 else H
        params[f"weight_ih_l{k}"] = rng.normal(0, 0.6, (G * H, I_k))
        params[f"weight_hh_l{k}"] = rng.normal(0, 0.6, (G * H, H))
        params[f"bias_ih_l{k}"] = rng.normal(0, 0.3, G * H)
        params[f"bias_hh_l{k}"] = rng.normal(0, 0.3, G * H)
        for n in extra:
            params[f"{n}_l{k}"] = rng.normal(0, 0.5, H)
    return cls(params, **kwargs)


def reference_trace(kind, cell, x, h0, c0, overrides):
    """Unroll the reference step: layer by layer, one sequence at a time."""
    B, T, _ = x.shape
    out = []  # per layer: {field: (B, T, H)}
    inp = x
    for k in range(cell.num_layers):
        p = steps.layer_params(cell.params, k)
        rows = []
        for b in range(B):
            force: dict[int, dict] = {}
            for ov in overrides:
                if ov.layer % cell.num_layers == k:
                    force.setdefault(ov.t, {}).setdefault(ov.gate, {})[ov.unit] = (
                        ov.value)
            rows.append(steps.unroll(kind, inp[b], p, h0[k, b],
                                     None if c0 is None else c0[k, b], force))
        layer = {f: np.stack([r[f] for r in rows]) for f in rows[0]}
        out.append(layer)
        inp = layer["h"]
    return out


@pytest.mark.parametrize("kind", list(KINDS))
def test_fast_loop_equals_reference_step(kind):
    cell = random_cell(kind)
    rng = np.random.default_rng(1)
    B, T, L, H = 3, 11, cell.num_layers, cell.hidden_size
    x = rng.normal(size=(B, T, cell.input_size))
    h0 = rng.normal(0, 0.5, (L, B, H))
    c0 = rng.normal(0, 0.5, (L, B, H)) if cell.has_cell_state else None
    gates = {"rnn": "h", "rnn_relu": "h", "lstm": "f", "peephole": "i", "gru": "z"}
    overrides = [Override(2, gates[kind], 1, 0.25, layer=0),
                 Override(5, "h", 3, -0.5, layer=1),
                 Override(7, gates[kind], 0, 0.9, layer=-1)]
    if cell.has_cell_state:
        overrides.append(Override(4, "c", 2, 1.5, layer=2))
        overrides.append(Override(6, "o", 4, 0.0, layer=0))
    if kind == "gru":
        overrides.append(Override(3, "n", 2, -0.7, layer=1))
    fast = cell.trace(x, h0, c0, overrides)
    ref = reference_trace(kind, cell, x, h0, c0, overrides)
    for k in range(L):
        for field, want in ref[k].items():
            got = fast.layer(k)[field]
            assert got.shape == want.shape, (k, field)
            np.testing.assert_allclose(got, want, rtol=0, atol=TOL,
                                       err_msg=f"{kind} layer {k} {field}")
    # the what-ifs did change the run (the test is not vacuous)
    plain = cell.trace(x, h0, c0)
    assert np.abs(plain.h - fast.h).max() > 1e-3


TORCH = {
    "rnn": lambda: torch.nn.RNN(4, 6, batch_first=True),
    "rnn_relu": lambda: torch.nn.RNN(4, 6, nonlinearity="relu", batch_first=True),
    "lstm": lambda: torch.nn.LSTM(4, 6, batch_first=True),
    "peephole": lambda: models.PeepholeLSTM(4, 6, batch_first=True),
    "gru": lambda: torch.nn.GRU(4, 6, batch_first=True),
}


@pytest.mark.parametrize("kind", list(TORCH))
def test_reference_step_equals_torch(kind):
    torch.manual_seed(0)
    module = TORCH[kind]().double()
    x = torch.randn(1, 9, 4, dtype=torch.float64)
    want, _ = module(x)
    p = steps.layer_params({k: v.detach().numpy() for k, v in
                            module.state_dict().items()})
    got = steps.unroll(kind, x[0].numpy(), p)["h"]
    np.testing.assert_allclose(got, want[0].detach().numpy(), rtol=0, atol=1e-12)


def test_gru_step_keeps_old_state_when_z_is_one():
    cell = random_cell("gru", L=1)
    p = steps.layer_params(cell.params)
    h = np.linspace(-0.9, 0.9, cell.hidden_size)
    s = steps.gru_step(np.ones(cell.input_size), h, **p,
                       force={"z": {u: 1.0 for u in range(cell.hidden_size)}})
    np.testing.assert_allclose(s["h"], h, rtol=0, atol=0)


def test_forced_replaces_only_named_units():
    v = np.arange(4.0)
    out = steps.forced(v, {"f": {2: 9.0}}, "f")
    np.testing.assert_array_equal(out, [0, 1, 9, 3])
    np.testing.assert_array_equal(v, np.arange(4.0))  # the input is not changed
    assert steps.forced(v, {"i": {0: 1.0}}, "f") is v


def test_unroll_and_layer_params_reject_bad_input():
    with pytest.raises(ValueError, match="kind must be one of"):
        steps.unroll("lstn", np.zeros((3, 2)), {})
    cell = random_cell("lstm", L=1)
    with pytest.raises(ValueError, match=r"shape \(T, I\)"):
        steps.unroll("lstm", np.zeros(3), steps.layer_params(cell.params))
    with pytest.raises(ValueError, match="no layer 1"):
        steps.layer_params(cell.params, 1)
