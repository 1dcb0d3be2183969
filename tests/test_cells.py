"""The numpy glass-box cells against torch, a textbook reference and the equations."""

import numpy as np
import pytest
import torch

from lstm_tutorial import cells, models
from lstm_tutorial.cells import GRU, LSTM, RNN, Dense, Override, PeepholeLSTM

KINDS = ["rnn", "rnn_relu", "lstm", "gru", "peephole"]
HAS_C = {"lstm", "peephole"}
TOL = {torch.float64: 1e-10, torch.float32: 1e-5}
L, B, T, I, H = 3, 4, 60, 5, 7  # layers, batch, steps, inputs, hidden


def torch_module(kind: str, dtype=torch.float64, num_layers: int = L, seed: int = 0):
    """A torch module of `kind` with random weights (biases too) in `dtype`."""
    torch.manual_seed(seed)
    m = models.make_rnn(kind, I, H, num_layers).to(dtype)
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-0.6, 0.6)
    return m


def inputs(kind: str, dtype=torch.float64, seed: int = 1, num_layers: int = L):
    """x (B, T, I), h0 (L, B, H) and c0 (or None) as torch tensors."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, T, I, generator=g, dtype=dtype)
    h0 = 0.5 * torch.randn(num_layers, B, H, generator=g, dtype=dtype)
    c0 = (
        torch.randn(num_layers, B, H, generator=g, dtype=dtype)
        if kind in HAS_C
        else None
    )
    return x, h0, c0


def run_torch(m, kind, x, h0, c0):
    with torch.no_grad():
        out, state = m(x, (h0, c0) if kind in HAS_C else h0)
    h_n, c_n = state if kind in HAS_C else (state, None)
    return out.numpy(), h_n.numpy(), None if c_n is None else c_n.numpy()


def np_or_none(t):
    return None if t is None else t.numpy()


# ------------------------------------------------------------- agreement with torch


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("kind", KINDS)
def test_trace_agrees_with_torch(kind, dtype):
    m = torch_module(kind, dtype)
    x, h0, c0 = inputs(kind, dtype)
    out, h_n, c_n = run_torch(m, kind, x, h0, c0)
    cell = cells.cell_from_torch(m)
    assert cell.dtype == np.dtype(str(dtype).removeprefix("torch."))
    tr = cell.trace(x.numpy(), h0.numpy(), np_or_none(c0))
    tol = TOL[dtype]
    assert tr.h.shape == (B, T, H) and tr.h.dtype == cell.dtype
    assert np.abs(tr.h - out).max() <= tol
    assert np.abs(tr.h_n - h_n).max() <= tol
    if kind in HAS_C:
        assert np.abs(tr.c_n - c_n).max() <= tol
    else:
        assert tr.c_n is None
    # every lower layer: its h is torch's output of that layer alone on its input x
    for k in range(L):
        one = models.make_rnn(kind, I if k == 0 else H, H, 1).to(dtype)
        one.load_state_dict(
            {
                n.replace(f"_l{k}", "_l0"): v
                for n, v in m.state_dict().items()
                if n.endswith(f"_l{k}")
            }
        )
        lt = tr.layer(k)
        xk = torch.from_numpy(np.ascontiguousarray(lt.x))
        sk = (h0[k : k + 1], None if c0 is None else c0[k : k + 1])
        out_k, _, _ = run_torch(one, kind, xk, *sk)
        assert np.abs(lt.h - out_k).max() <= tol


def test_quantities_and_aliases():
    tr = cells.cell_from_torch(torch_module("lstm")).trace(np.ones((3, I)))
    assert tr.kind == "lstm"
    assert tr.quantities == (
        "x",
        "pre_i",
        "pre_f",
        "pre_g",
        "pre_o",
        "i",
        "f",
        "g",
        "o",
        "c",
        "h",
    )
    pairs = dict(
        save="i", remember="f", candidate="g", focus="o", long_term="c", working="h"
    )
    for alias, name in pairs.items():
        assert getattr(tr, alias) is getattr(tr, name)
        assert tr[alias] is tr[name]
        assert tr.layer(0)[alias] is tr.layer(0)[name]
    assert tr.h is tr.layers[-1].h and tr.layer(-1) is tr.layers[2]
    gru = cells.cell_from_torch(torch_module("gru")).trace(np.ones((3, I)))
    assert gru.quantities == ("x", "pre_r", "pre_z", "pre_n", "r", "z", "n", "h")
    for alias, name in dict(reset="r", update="z", candidate="n", working="h").items():
        assert gru[alias] is gru[name]
    rnn = cells.cell_from_torch(torch_module("rnn_relu")).trace(np.ones((3, I)))
    assert rnn.kind == "rnn" and rnn.quantities == ("x", "pre_h", "h")
    assert rnn.working is rnn.h
    with pytest.raises(AttributeError, match="no quantity 'f'"):
        _ = rnn.f
    with pytest.raises(KeyError, match="expected one of"):
        _ = gru["c"]
    with pytest.raises(IndexError, match=r"layer must be in \[-3, 3\), got 3"):
        gru.layer(3)


# ------------------------------------------------------------------ shapes and states


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_matches_batched_and_torch(kind):
    m = torch_module(kind)
    cell = cells.cell_from_torch(m)
    x, h0, c0 = inputs(kind)
    c0_1 = None if c0 is None else c0[:, 1]
    tr1 = cell.trace(x[1].numpy(), h0[:, 1].numpy(), np_or_none(c0_1))
    trb = cell.trace(x.numpy(), h0.numpy(), np_or_none(c0))
    assert tr1.h.shape == (T, H) and tr1.h_n.shape == (L, H)
    for name in tr1.quantities:
        assert np.abs(tr1[name] - trb[name][1]).max() <= 1e-12
    with torch.no_grad():
        out, _ = m(x[1], (h0[:, 1], c0_1) if kind in HAS_C else h0[:, 1])
    assert np.abs(tr1.h - out.numpy()).max() <= 1e-10


@pytest.mark.parametrize("kind", KINDS)
def test_missing_initial_state_is_zeros(kind):
    cell = cells.cell_from_torch(torch_module(kind))
    x, _, _ = inputs(kind)
    zeros = np.zeros((L, B, H))
    c0 = zeros if kind in HAS_C else None
    assert np.array_equal(cell.trace(x.numpy()).h, cell.trace(x.numpy(), zeros, c0).h)
    assert not np.allclose(
        cell.trace(x.numpy()).h, cell.trace(x.numpy(), zeros + 0.3, c0).h
    )


@pytest.mark.parametrize("kind", KINDS)
def test_numpy_torch_numpy_round_trip(kind):
    rng = np.random.default_rng(2)
    cls = {
        "rnn": RNN,
        "rnn_relu": RNN,
        "lstm": LSTM,
        "gru": GRU,
        "peephole": PeepholeLSTM,
    }[kind]
    G = {"lstm": 4, "peephole": 4, "gru": 3}.get(kind, 1)
    params = {}
    for k in range(2):
        params |= {
            f"weight_ih_l{k}": rng.normal(size=(G * H, I if k == 0 else H)),
            f"weight_hh_l{k}": 0.3 * rng.normal(size=(G * H, H)),
            f"bias_ih_l{k}": rng.normal(size=G * H),
            f"bias_hh_l{k}": rng.normal(size=G * H),
        }
        if kind == "peephole":
            params |= {f"weight_c{n}_l{k}": rng.normal(size=H) for n in "ifo"}
    extra = {"nonlinearity": "relu"} if kind == "rnn_relu" else {}
    cell = cls(params, **extra)
    m = cell.to_torch()
    assert m.batch_first and next(m.parameters()).dtype == torch.float64
    back = type(cell).from_torch(m)
    assert type(back) is cls and back.dtype == np.float64
    assert set(back.params) == set(params)
    assert all(np.array_equal(back.params[n], params[n]) for n in params)
    if extra:
        assert back.nonlinearity == "relu"
    x = rng.normal(size=(3, 50, I))
    with torch.no_grad():
        out, _ = m(torch.from_numpy(x))
    assert np.abs(cell.trace(x).h - out.numpy()).max() <= 1e-10
    # float32 weights stay float32 both ways
    cell32 = cls({n: v.astype(np.float32) for n, v in params.items()}, **extra)
    m32 = cell32.to_torch()
    assert next(m32.parameters()).dtype == torch.float32
    assert cells.cell_from_torch(m32).dtype == np.float32


def test_from_torch_batch_first_false_and_no_bias():
    torch.manual_seed(3)
    m = torch.nn.LSTM(I, H, 2, batch_first=False, bias=False).double()
    x = torch.randn(T, B, I, dtype=torch.float64)  # time-major for torch here
    with torch.no_grad():
        out, _ = m(x)
    tr = LSTM.from_torch(m).trace(x.numpy().transpose(1, 0, 2))
    assert np.abs(tr.h - out.numpy().transpose(1, 0, 2)).max() <= 1e-10


def test_params_is_a_copy_and_properties():
    cell = cells.cell_from_torch(torch_module("gru"))
    assert (cell.input_size, cell.hidden_size, cell.num_layers) == (I, H, L)
    p = cell.params
    p["weight_hh_l0"][:] = 0
    assert np.abs(cell.params["weight_hh_l0"]).max() > 0


# ------------------------------------------------------------------ overrides


def test_override_forget_gate_to_one_keeps_memory_plus_saved():
    cell = cells.cell_from_torch(torch_module("lstm", num_layers=2))
    x = inputs("lstm")[0].numpy()
    t, u = 20, 3
    base = cell.trace(x)
    tr = cell.trace(x, overrides=[Override(t, "f", u, 1.0)])
    top, top0 = tr.layer(-1), base.layer(-1)
    # steps before t and the lower layer are untouched
    assert np.array_equal(top.c[:, :t], top0.c[:, :t])
    assert np.array_equal(tr.layer(0).h, base.layer(0).h)
    # c_t = f_t * c_{t-1} + i_t * g_t with f_t = 1: i_t, g_t depend on h_{t-1} only
    want = top0.c[:, t - 1, u] + top0.i[:, t, u] * top0.g[:, t, u]
    assert np.abs(top.c[:, t, u] - want).max() <= 1e-12
    assert np.all(top.f[:, t, u] == 1.0)
    assert np.array_equal(top.pre_f[:, : t + 1], top0.pre_f[:, : t + 1])  # as computed
    others = np.arange(H) != u
    assert np.array_equal(top.c[:, t, others], top0.c[:, t, others])
    # the run continues from the changed state: same as restarting there
    state = lambda field: np.stack([tr.layer(k)[field][:, t] for k in range(2)])
    rest = cell.trace(x[:, t + 1 :], state("h"), state("c"))
    assert np.abs(rest.h - tr.h[:, t + 1 :]).max() <= 1e-12
    assert np.abs(tr.h[:, t + 1 :] - base.h[:, t + 1 :]).max() > 1e-6


def test_override_aliases_layers_and_cell_state():
    cell = cells.cell_from_torch(torch_module("lstm", num_layers=2))
    x = inputs("lstm")[0].numpy()[0]  # unbatched
    tr = cell.trace(
        x, overrides=[Override(5, "save", 0, 0.0, layer=0), Override(7, "c", 2, 0.5)]
    )
    lower, top = tr.layer(0), tr.layer(1)
    assert lower.i[5, 0] == 0.0
    assert np.abs(lower.c[5, 0] - lower.f[5, 0] * lower.c[4, 0]).max() <= 1e-12
    assert top.c[7, 2] == 0.5
    assert np.abs(top.h[7, 2] - top.o[7, 2] * np.tanh(0.5)) <= 1e-12


def test_override_peephole_output_gate_sees_forced_cell():
    cell = cells.cell_from_torch(torch_module("peephole", num_layers=1))
    x = inputs("peephole")[0].numpy()
    t, u = 10, 1
    base = cell.trace(x)
    tr = cell.trace(x, overrides=[Override(t, "f", u, 1.0)])
    c = base.c[:, t - 1, u] + base.i[:, t, u] * base.g[:, t, u]
    assert np.abs(tr.c[:, t, u] - c).max() <= 1e-12
    w_co = cell.params["weight_co_l0"][u]
    pre_o = base.pre_o[:, t, u] - w_co * base.c[:, t, u] + w_co * c
    assert np.abs(tr.pre_o[:, t, u] - pre_o).max() <= 1e-12
    assert np.abs(tr.o[:, t, u] - 1 / (1 + np.exp(-pre_o))).max() <= 1e-12


def test_override_gru_update_gate_one_copies_state_and_rnn_h():
    gru = cells.cell_from_torch(torch_module("gru", num_layers=1))
    x = inputs("gru")[0].numpy()
    tr = gru.trace(x, overrides=[Override(9, "update", 4, 1.0)])
    assert np.abs(tr.h[:, 9, 4] - tr.h[:, 8, 4]).max() <= 1e-15  # h_t = h_{t-1}
    rnn = cells.cell_from_torch(torch_module("rnn", num_layers=1))
    tr = rnn.trace(x, overrides=[(3, "h", 0, 0.25)])  # a plain tuple works too
    assert np.all(tr.h[:, 3, 0] == 0.25)
    W_hh = rnn.params["weight_hh_l0"]
    pre = rnn.trace(x).pre_h[:, 4] - rnn.trace(x).h[:, 3] @ W_hh.T + tr.h[:, 3] @ W_hh.T
    assert np.abs(tr.pre_h[:, 4] - pre).max() <= 1e-12


# ------------------------------------------------------------------ dense and model


def test_dense_matches_torch_linear():
    torch.manual_seed(4)
    lin = torch.nn.Linear(6, 3).double()
    x = torch.randn(2, 5, 6, dtype=torch.float64)
    with torch.no_grad():
        want = lin(x).numpy()
    d = Dense.from_torch(lin)
    assert np.abs(d(x.numpy()) - want).max() <= 1e-12
    for name, fn in [
        ("tanh", np.tanh),
        ("relu", lambda a: np.maximum(a, 0)),
        ("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
    ]:
        dn = Dense(d.W, d.b, activation=name)
        assert np.abs(dn(x.numpy()) - fn(want)).max() <= 1e-12
    assert np.array_equal(Dense(d.W)(np.zeros(6)), np.zeros(3))


def test_sigmoid_is_stable_and_exact():
    a = np.linspace(-30, 30, 601)
    assert np.abs(cells.sigmoid(a) - 1 / (1 + np.exp(-a))).max() <= 1e-15
    with np.errstate(all="raise"):
        assert cells.sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("kind", ["lstm", "peephole", "gru", "rnn_relu"])
def test_sequence_model_matches_char_model(kind, dtype):
    torch.manual_seed(5)
    cm = models.CharModel(
        kind, vocab_size=6, hidden_size=8, num_layers=2, output_size=4
    ).to(dtype)
    ids = torch.randint(0, 6, (3, 50))
    with torch.no_grad():
        logits, _ = cm(ids)
    sm = cells.SequenceModel.from_torch(cm)
    tr = sm.trace(ids.numpy())
    assert tr.logits.shape == (3, 50, 4) and "logits" in tr.quantities
    assert np.abs(tr.logits - logits.numpy()).max() <= TOL[dtype]
    one = sm.trace(ids[0].numpy())
    assert one.logits.shape == (50, 4)
    assert np.abs(one.logits - tr.logits[0]).max() <= TOL[dtype]


# ------------------------------------------------------------------ bad input


@pytest.fixture
def lstm():
    return cells.cell_from_torch(torch_module("lstm", num_layers=2))


def test_bad_x_shapes_features_nan_and_empty(lstm):
    with pytest.raises(
        ValueError, match=r"x must have shape \(T, 5\) or \(B, T, 5\).*got \(4, 3\)"
    ):
        lstm.trace(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"x must have shape \(T, 5\).*got \(5,\)"):
        lstm.trace(np.zeros(5))
    with pytest.raises(ValueError, match=r"x must have shape .*got \(1, 2, 3, 5\)"):
        lstm.trace(np.zeros((1, 2, 3, 5)))
    with pytest.raises(
        ValueError, match=r"at least one step \(T >= 1\), got shape \(0, 5\)"
    ):
        lstm.trace(np.zeros((0, 5)))
    with pytest.raises(ValueError, match=r"at least one step.*\(2, 0, 5\)"):
        lstm.trace(np.zeros((2, 0, 5)))
    x = np.zeros((4, 5))
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match="x must be finite, got NaN"):
        lstm.trace(x)
    with pytest.raises(ValueError, match="x must be a real numeric array"):
        lstm.trace(np.array([["a"] * 5]))


def test_bad_initial_states(lstm):
    x = np.zeros((3, 4, 5))
    with pytest.raises(
        ValueError, match=r"h0 must have shape \(2, 3, 7\).*got \(2, 7\)"
    ):
        lstm.trace(x, h0=np.zeros((2, 7)))
    with pytest.raises(ValueError, match=r"c0 must have shape \(2, 7\).*got \(1, 7\)"):
        lstm.trace(x[0], c0=np.zeros((1, 7)))
    with pytest.raises(ValueError, match="h0 must be finite"):
        lstm.trace(x, h0=np.full((2, 3, 7), np.inf))
    gru = cells.cell_from_torch(torch_module("gru"))
    with pytest.raises(ValueError, match="GRU has no cell state; c0 must be None"):
        gru.trace(x, c0=np.zeros((3, 3, 7)))


def test_bad_overrides(lstm):
    x = np.zeros((4, 5))
    with pytest.raises(
        ValueError, match=r"gate must be one of \('i', 'f', 'g', 'o', 'c', "
    ):
        lstm.trace(x, overrides=[Override(0, "r", 0, 1.0)])
    with pytest.raises(ValueError, match=r"step t must be in \[0, 4\), got 4"):
        lstm.trace(x, overrides=[Override(4, "f", 0, 1.0)])
    with pytest.raises(ValueError, match=r"unit must be in \[0, 7\), got 7"):
        lstm.trace(x, overrides=[Override(0, "f", 7, 1.0)])
    with pytest.raises(ValueError, match=r"layer must be in \[-2, 2\), got 2"):
        lstm.trace(x, overrides=[Override(0, "f", 0, 1.0, layer=2)])
    with pytest.raises(ValueError, match="value must be finite"):
        lstm.trace(x, overrides=[Override(0, "f", 0, np.nan)])
    with pytest.raises(ValueError, match=r"Override\(t, gate, unit, value, layer=-1\)"):
        lstm.trace(x, overrides=[(0, "f")])


def test_bad_params():
    p = cells.cell_from_torch(torch_module("lstm", num_layers=2)).params
    with pytest.raises(
        ValueError, match=r"weight_hh_l1 must have shape \(28, 7\).*got \(28, 6\)"
    ):
        LSTM(p | {"weight_hh_l1": np.zeros((28, 6))})
    with pytest.raises(ValueError, match=r"weight_ih_l1 must have shape \(28, 7\)"):
        LSTM(p | {"weight_ih_l1": np.zeros((28, 5))})
    with pytest.raises(ValueError, match=r"bias_ih_l0 must have shape \(28,\)"):
        LSTM(p | {"bias_ih_l0": np.zeros(21)})
    with pytest.raises(
        ValueError, match=r"weight_ih_l0 must have shape \(3\*H, I\) with rows r"
    ):
        GRU(
            {
                "weight_ih_l0": np.zeros((28, 5)),
                "weight_hh_l0": np.zeros((28, 7)),
                "bias_ih_l0": np.zeros(28),
                "bias_hh_l0": np.zeros(28),
            }
        )
    with pytest.raises(ValueError, match=r"missing \['bias_hh_l1'\], unexpected \[\]"):
        LSTM({k: v for k, v in p.items() if k != "bias_hh_l1"})
    with pytest.raises(ValueError, match=r"missing \[\], unexpected \['weight_x'\]"):
        LSTM(p | {"weight_x": np.zeros(3)})
    with pytest.raises(ValueError, match=r"missing \[.*'weight_ci_l0'"):
        PeepholeLSTM(p)
    with pytest.raises(ValueError, match="must contain 'weight_ih_l0'"):
        LSTM({})
    with pytest.raises(ValueError, match="bias_hh_l0 must be finite, got NaN"):
        LSTM(p | {"bias_hh_l0": np.full(28, np.nan)})
    with pytest.raises(
        ValueError,
        match="share one dtype; weight_ih_l0 is float64, bias_hh_l0 is float32",
    ):
        LSTM(p | {"bias_hh_l0": p["bias_hh_l0"].astype(np.float32)})
    with pytest.raises(ValueError, match="params must be a mapping"):
        LSTM([1, 2])
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        RNN({}, nonlinearity="sigmoid")


def test_bad_torch_modules():
    with pytest.raises(
        ValueError, match="LSTM.from_torch expected a torch nn.LSTM module, got GRU"
    ):
        LSTM.from_torch(torch.nn.GRU(2, 3))
    with pytest.raises(
        ValueError, match="PeepholeLSTM.from_torch expected a torch models.PeepholeLSTM"
    ):
        PeepholeLSTM.from_torch(torch.nn.LSTM(2, 3))
    with pytest.raises(
        ValueError,
        match="expected a torch nn.RNN, nn.LSTM, nn.GRU or "
        "models.PeepholeLSTM, got Linear",
    ):
        cells.cell_from_torch(torch.nn.Linear(2, 3))
    with pytest.raises(ValueError, match="bidirectional"):
        cells.cell_from_torch(torch.nn.GRU(2, 3, bidirectional=True))
    with pytest.raises(ValueError, match="proj_size must be 0, got 2"):
        cells.cell_from_torch(torch.nn.LSTM(2, 3, proj_size=2))


def test_bad_dense_and_sequence_model_input():
    d = Dense(np.ones((3, 4)), np.zeros(3))
    with pytest.raises(
        ValueError, match=r"x must have shape \(\.\.\., 4\), got \(2, 3\)"
    ):
        d(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\).*got \(4,\)"):
        Dense(np.ones((3, 4)), np.zeros(4))
    with pytest.raises(
        ValueError, match=r"weight must have shape \(out, in\), got \(3,\)"
    ):
        Dense(np.ones(3))
    with pytest.raises(
        ValueError, match="activation must be None, a callable or one of"
    ):
        Dense(np.ones((3, 4)), activation="softmax")
    cm = models.CharModel("gru", vocab_size=6, hidden_size=8)
    sm = cells.SequenceModel.from_torch(cm)
    with pytest.raises(
        ValueError,
        match=r"ids must be in \[0, 6\) \(vocabulary size\), "
        r"got values in \[0, 6\]",
    ):
        sm.trace(np.array([0, 6]))
    with pytest.raises(
        ValueError, match="ids must be integer token ids, got dtype float64"
    ):
        sm.trace(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"ids must have shape \(T,\) or \(B, T\)"):
        sm.trace(np.zeros((1, 2, 3), dtype=int))
    with pytest.raises(ValueError, match="at least one step"):
        sm.trace(np.zeros((2, 0), dtype=int))
    with pytest.raises(ValueError, match="readout must take 8 features"):
        cells.SequenceModel(sm.cell, Dense(np.ones((6, 5))))
    with pytest.raises(ValueError, match="expected a models.CharModel"):
        cells.SequenceModel.from_torch(torch.nn.LSTM(2, 3))
