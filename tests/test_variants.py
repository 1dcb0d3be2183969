"""The LSTM's family: the reference step, the torch module and the numpy replay.

``variants.VariantLSTM`` (torch) and ``variants.replay`` (numpy, through
``steps.variant_step``) must agree to 1e-10 in float64 and 1e-5 in float32, for
every variant, two layers, batched and unbatched, from initial states; the
"lstm" and "peephole" members must be torch's nn.LSTM and the book's
PeepholeLSTM; each variant must change exactly what its name says.
"""

import numpy as np
import pytest
import torch

from lstm_tutorial import models, steps, variants
from lstm_tutorial.models import CharModel, PeepholeLSTM
from lstm_tutorial.steps import VARIANTS
from lstm_tutorial.tasks import CountingTask, RememberTask
from lstm_tutorial.train import TrainConfig, build_model
from lstm_tutorial.variants import VariantLSTM

NAMES = tuple(VARIANTS)


def _module(name, dtype, I=3, H=5, L=2, seed=0):
    torch.manual_seed(seed)
    m = VariantLSTM(name, I, H, num_layers=L, batch_first=True).to(dtype)
    with torch.no_grad():  # larger weights than the init: gates far from 1/2
        for p in m.parameters():
            p.mul_(3.0)
    return m


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype, tol", [(torch.float64, 1e-10),
                                        (torch.float32, 1e-5)])
def test_numpy_replay_matches_torch(name, dtype, tol):
    m = _module(name, dtype)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, 12, 3, generator=g, dtype=dtype)  # (B, T, I)
    h0 = torch.randn(2, 3, 5, generator=g, dtype=dtype)  # (L, B, H)
    c0 = torch.randn(2, 3, 5, generator=g, dtype=dtype)
    with torch.no_grad():
        out, (h_n, c_n) = m(x, (h0, c0))
        out1, (h_n1, c_n1) = m(x[1], (h0[:, 1], c0[:, 1]))  # unbatched (T, I)
    state = m.state_dict()
    for b in range(3):  # the replay runs one sequence at a time
        r = variants.replay(state, name, x[b].numpy(), h0[:, b].numpy(),
                            c0[:, b].numpy())
        assert r["h"].dtype == x.numpy().dtype and r["h"].shape == (12, 5)
        assert np.abs(r["h"] - out[b].numpy()).max() <= tol
        assert np.abs(r["h_n"] - h_n[:, b].numpy()).max() <= tol
        assert np.abs(r["c_n"] - c_n[:, b].numpy()).max() <= tol
    assert np.abs(out1.numpy() - out[1].numpy()).max() <= tol
    assert np.abs(h_n1.numpy() - h_n[:, 1].numpy()).max() <= tol
    assert np.abs(c_n1.numpy() - c_n[:, 1].numpy()).max() <= tol
    with torch.no_grad():  # zero initial states by default
        out0, _ = m(x[:1])
    assert np.abs(variants.replay(state, name, x[0].numpy())["h"]
                  - out0[0].numpy()).max() <= tol


def test_lstm_and_peephole_members_are_the_book_modules():
    x = torch.randn(9, 2, 3, dtype=torch.float64)  # (T, B, I)
    torch.manual_seed(0)
    v = VariantLSTM("lstm", 3, 4, num_layers=2).double()
    ref = torch.nn.LSTM(3, 4, num_layers=2).double()
    ref.load_state_dict(v.state_dict())
    with torch.no_grad():
        assert (v(x)[0] - ref(x)[0]).abs().max().item() <= 1e-12
    p = VariantLSTM("peephole", 3, 4, num_layers=2).double()
    pref = PeepholeLSTM(3, 4, num_layers=2).double()
    pref.load_state_dict(p.state_dict())
    with torch.no_grad():
        assert (p(x)[0] - pref(x)[0]).abs().max().item() <= 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_each_variant_changes_what_it_says(name):
    m = _module(name, torch.float64, L=1)
    x = np.random.default_rng(0).normal(size=(20, 3))
    tr = variants.replay(m.state_dict(), name, x)["layers"][0]
    v, ones = VARIANTS[name], np.ones((20, 5))
    assert sorted(k for k in tr if k.startswith("pre_")) == sorted(
        f"pre_{g}" for g in v.gates)
    assert np.array_equal(tr["i"], 1 - tr["f"]) == (name in ("cifg", "merged"))
    assert np.array_equal(tr["i"], ones) == (name == "nig")
    assert np.array_equal(tr["f"], ones) == (name == "nfg")
    assert np.array_equal(tr["o"], ones) == (name in ("nog", "merged"))
    assert (np.abs(tr["g"]).max() > 1) == (name == "niaf")  # g = a_g unbounded
    if name in ("noaf", "merged"):
        assert np.array_equal(tr["h"], tr["o"] * tr["c"])
    else:
        assert np.array_equal(tr["h"], tr["o"] * np.tanh(tr["c"]))
    n_params = sum(p.numel() for p in m.parameters())
    assert n_params == len(v.gates) * 5 * (3 + 5 + 2) + (3 * 5 if v.peepholes else 0)


def test_force_sets_units_of_a_gate():
    m = _module("cifg", torch.float64, L=1)
    p = steps.layer_params({k: t.numpy() for k, t in m.state_dict().items()})
    x, h, c = np.ones(3), np.full(5, 0.3), np.full(5, 2.0)
    free = steps.variant_step(x, h, c, **p, variant="cifg")
    st = steps.variant_step(x, h, c, **p, variant="cifg",
                            force={"f": {0: 1.0, 2: 0.0}, "h": {4: 0.5}})
    assert st["f"][0] == 1.0 and st["f"][2] == 0.0
    assert st["i"][0] == 0.0 and st["i"][2] == 1.0  # coupled: i = 1 - f, forced f
    assert st["c"][0] == c[0]  # f = 1, i = 0: the cell keeps its value exactly
    assert st["h"][4] == 0.5
    assert np.array_equal(st["c"][[1, 3]], free["c"][[1, 3]])


def test_unroll_runs_every_variant_as_a_kind():
    for name in NAMES:
        assert name in steps.STEPS or name in ("lstm", "peephole")
    m = _module("nog", torch.float64, L=1)
    p = steps.layer_params({k: t.numpy() for k, t in m.state_dict().items()})
    x = np.random.default_rng(3).normal(size=(7, 3))
    tr = steps.unroll("nog", x, p)
    with torch.no_grad():
        out, _ = m(torch.from_numpy(x)[None])
    assert np.abs(tr["h"] - out[0].numpy()).max() <= 1e-12


def test_bad_names_and_weights_raise():
    with pytest.raises(ValueError, match=r"variant must be one of .* got 'nxg'"):
        VariantLSTM("nxg", 3, 4)
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        VariantLSTM("nig", 3, 0)
    with pytest.raises(ValueError, match=r"'nig' has no rows for gate 'i'"):
        VariantLSTM("nig", 3, 4).rows("i")
    assert VariantLSTM("nig", 3, 4).rows("f") == slice(0, 4)
    assert VariantLSTM("nog", 3, 4).rows("f") == slice(4, 8)
    lstm = _module("lstm", torch.float64, L=1).state_dict()
    with pytest.raises(ValueError, match=r"'cifg' \(gates fgo\) with H = 6: layer 0 "
                       r"must have W_ih \(18, 3\)"):
        variants.replay(lstm, "cifg", np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"'peephole': layer 0 has no peephole"):
        variants.replay(lstm, "peephole", np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"x must have shape \(T, 3\)"):
        variants.replay(lstm, "lstm", np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"h0 must have shape \(1, 5\)"):
        variants.replay(lstm, "lstm", np.zeros((3, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="no layer weights"):
        variants.replay({}, "lstm", np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"x must have shape .* got \(2, 7\)"):
        VariantLSTM("cifg", 3, 4)(torch.zeros(2, 7))
    with pytest.raises(ValueError, match=r"h0 must have shape \(1, 2, 4\)"):
        VariantLSTM("cifg", 3, 4)(torch.zeros(5, 2, 3), (torch.zeros(1, 4),) * 2)
    with pytest.raises(ValueError, match=r"kind must be one of"):
        models.make_rnn("nogate", 3, 4)
    with pytest.raises(ValueError, match=r"kind must be one of"):
        TrainConfig(kind="vanilla")


@pytest.mark.parametrize("name", ["nig", "nfg", "nog", "niaf", "noaf", "cifg",
                                  "merged"])
def test_char_models_and_forget_bias_rows(name):
    task = RememberTask()
    m = build_model(task, TrainConfig(kind=name, hidden_size=6, num_layers=2,
                                      forget_bias=7.0))
    assert isinstance(m.rnn, VariantLSTM) and m.rnn.variant == name
    logits, (h, c) = m(torch.from_numpy(task.batch(["AxxYa."]).inputs))
    assert logits.shape == (1, 5, 7) and h.shape == c.shape == (2, 1, 6)
    for k in range(2):
        b_ih = getattr(m.rnn, f"bias_ih_l{k}").detach()
        b_hh = getattr(m.rnn, f"bias_hh_l{k}").detach()
        if name == "nfg":  # no forget gate: no bias of 7 anywhere
            assert not (b_ih == 7.0).any()
        else:
            f = m.rnn.rows("f")
            assert (b_ih[f] == 7.0).all() and (b_hh[f] == 0.0).all()
            assert ((b_ih == 7.0).sum() == 6).item()


def test_identity_hh_init_for_rnns_only():
    task = CountingTask()
    m = build_model(task, TrainConfig(kind="rnn_relu", hh_init="identity",
                                      hidden_size=4))
    assert torch.equal(m.rnn.weight_hh_l0.detach(), torch.eye(4))
    with pytest.raises(ValueError, match="hh_init 'identity' is for the RNNs"):
        TrainConfig(kind="lstm", hh_init="identity")
    with pytest.raises(ValueError, match="hh_init must be 'default' or 'identity'"):
        TrainConfig(hh_init="eye")
    assert "hh_init" not in TrainConfig().to_dict()  # configs written before it
    assert TrainConfig.from_dict(TrainConfig(kind="rnn", hh_init="identity")
                                 .to_dict()).hh_init == "identity"


def test_char_model_accepts_every_kind():
    for kind in models.KINDS:
        m = CharModel(kind, 4, 3)
        logits, _ = m(torch.zeros(2, 5, dtype=torch.long))
        assert logits.shape == (2, 5, 4)


def test_config_repr_shows_hh_init_only_when_set():
    assert "hh_init" not in repr(TrainConfig())  # as printed before it existed
    assert repr(TrainConfig(kind="rnn", hh_init="identity")).endswith(
        "hh_init='identity')")
