"""The torch modules: peephole LSTM, make_rnn, CharModel and weight files."""

import json

import numpy as np
import pytest
import torch

from lstm_tutorial import cells, models
from lstm_tutorial.models import CharModel, PeepholeLSTM, load_weights, save_weights


def peephole_reference(m: PeepholeLSTM, x, h0, c0):
    """The peephole equations step by step, x (T, B, I) -> outputs (T, B, H)."""
    H = m.hidden_size
    sig = torch.sigmoid
    inp = x
    for k in range(m.num_layers):
        W_ih, W_hh, b_ih, b_hh, w_ci, w_cf, w_co = m.layer_params(k)
        h, c = h0[k], c0[k]
        outs = []
        for x_t in inp:
            a = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh
            i = sig(a[:, :H] + w_ci * c)
            f = sig(a[:, H : 2 * H] + w_cf * c)
            g = torch.tanh(a[:, 2 * H : 3 * H])
            c = f * c + i * g
            o = sig(a[:, 3 * H :] + w_co * c)
            h = o * torch.tanh(c)
            outs.append(h)
        inp = torch.stack(outs)
    return inp


def test_peephole_follows_the_equations_and_layouts():
    torch.manual_seed(0)
    m = PeepholeLSTM(3, 5, num_layers=2).double()
    x = torch.randn(30, 4, 3, dtype=torch.float64)  # (T, B, I): batch_first=False
    h0, c0 = (
        torch.randn(2, 4, 5, dtype=torch.float64),
        torch.randn(2, 4, 5, dtype=torch.float64),
    )
    with torch.no_grad():
        out, (h_n, c_n) = m(x, (h0, c0))
        want = peephole_reference(m, x, h0, c0)
    assert out.shape == (30, 4, 5) and h_n.shape == c_n.shape == (2, 4, 5)
    assert (out - want).abs().max() <= 1e-12
    assert (h_n[-1] - want[-1]).abs().max() <= 1e-12
    # batch_first and unbatched give the same numbers
    m.batch_first = True
    with torch.no_grad():
        out_bf, _ = m(x.transpose(0, 1), (h0, c0))
        out_1, (h1, c1) = m(x[:, 2], (h0[:, 2], c0[:, 2]))
    assert (out_bf.transpose(0, 1) - out).abs().max() <= 1e-12
    assert out_1.shape == (30, 5) and h1.shape == c1.shape == (2, 5)
    assert (out_1 - out[:, 2]).abs().max() <= 1e-12


def test_peephole_with_zero_peepholes_is_nn_lstm():
    torch.manual_seed(1)
    lstm = torch.nn.LSTM(4, 6, num_layers=2, batch_first=True).double()
    m = PeepholeLSTM(4, 6, num_layers=2, batch_first=True).double()
    state = lstm.state_dict() | {
        f"weight_c{n}_l{k}": torch.zeros(6, dtype=torch.float64)
        for n in "ifo"
        for k in (0, 1)
    }
    m.load_state_dict(state)
    x = torch.randn(3, 25, 4, dtype=torch.float64)
    with torch.no_grad():
        assert (m(x)[0] - lstm(x)[0]).abs().max() <= 1e-12


def test_peephole_parameters_and_gradients():
    torch.manual_seed(2)
    m = PeepholeLSTM(2, 3, num_layers=2).double()
    names = {n for n, _ in m.named_parameters()}
    assert names == {
        f"{w}_l{k}"
        for k in (0, 1)
        for w in (
            "weight_ih",
            "weight_hh",
            "bias_ih",
            "bias_hh",
            "weight_ci",
            "weight_cf",
            "weight_co",
        )
    }
    assert m.weight_ih_l0.shape == (12, 2) and m.weight_ih_l1.shape == (12, 3)
    assert m.weight_co_l1.shape == (3,)
    x = torch.randn(5, 2, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: m(x)[0], (x,))
    m(x)[0].sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in m.parameters())


def test_peephole_bad_input():
    m = PeepholeLSTM(3, 5, batch_first=True)
    with pytest.raises(
        ValueError, match=r"x must have shape \(T, 3\) or \(B, T, 3\).*got \(2, 4, 4\)"
    ):
        m(torch.zeros(2, 4, 4))
    with pytest.raises(
        ValueError, match=r"h0 must have shape \(1, 2, 5\), got \(1, 5\)"
    ):
        m(torch.zeros(2, 4, 3), (torch.zeros(1, 5), torch.zeros(1, 5)))
    with pytest.raises(ValueError, match=r"at least one step"):
        PeepholeLSTM(3, 5)(torch.zeros(0, 2, 3))
    with pytest.raises(ValueError, match="hidden_size must be a positive int, got 0"):
        PeepholeLSTM(3, 0)


@pytest.mark.parametrize("kind", ["rnn", "rnn_relu", "lstm", "gru", "peephole"])
def test_make_rnn_kinds_replay_in_numpy(kind):  # the family: tests/test_variants.py
    torch.manual_seed(3)
    m = models.make_rnn(kind, 4, 6, num_layers=2)
    assert m.batch_first and m.num_layers == 2
    cell = cells.cell_from_torch(m)
    assert cell.kind == {"rnn_relu": "rnn"}.get(kind, kind)
    x = torch.randn(2, 20, 4)
    with torch.no_grad():
        out, _ = m(x)
    assert np.abs(cell.trace(x.numpy()).h - out.numpy()).max() <= 1e-5
    with pytest.raises(
        ValueError, match=r"kind must be one of \('rnn', 'rnn_relu', 'lstm'"
    ):
        models.make_rnn("transformer", 4, 6)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn", "peephole"])
def test_char_model_forward_and_state(kind):
    torch.manual_seed(4)
    cm = CharModel(kind, vocab_size=5, hidden_size=8, num_layers=2)
    assert cm.config == {
        "kind": kind,
        "vocab_size": 5,
        "hidden_size": 8,
        "num_layers": 2,
        "output_size": None,
    }
    ids = torch.randint(0, 5, (3, 12))
    logits, _ = cm(ids)
    assert logits.shape == (3, 12, 5)
    # feeding the sequence in two halves with the state gives the same logits
    first, s = cm(ids[:, :7])
    second, _ = cm(ids[:, 7:], s)
    assert (torch.cat([first, second], 1) - logits).abs().max() <= 1e-5
    assert CharModel(kind, 5, 8, output_size=2)(ids)[0].shape == (3, 12, 2)


def test_char_model_bad_input():
    cm = CharModel("lstm", vocab_size=5, hidden_size=8)
    with pytest.raises(
        ValueError,
        match=r"ids must be in \[0, 5\) \(vocabulary size\), got "
        r"values in \[0, 5\]",
    ):
        cm(torch.tensor([[0, 5]]))
    with pytest.raises(
        ValueError, match=r"ids must have shape \(B, T\) with T >= 1, got \(4,\)"
    ):
        cm(torch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="ids must be an integer torch tensor"):
        cm(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="kind must be one of"):
        CharModel("cnn", 5, 8)
    with pytest.raises(ValueError, match="vocab_size must be a positive int, got 0"):
        CharModel("lstm", 0, 8)


@pytest.mark.parametrize("kind", ["peephole", "gru"])
def test_save_load_round_trip(kind, tmp_path):
    torch.manual_seed(5)
    cm = CharModel(kind, vocab_size=6, hidden_size=7, num_layers=2, output_size=3)
    path = tmp_path / "model.npz"
    save_weights(cm, path, task="counting", accuracy=0.75, steps=[1, 2], path="p")
    loaded, meta = load_weights(path)
    assert meta == {"task": "counting", "accuracy": 0.75, "steps": [1, 2], "path": "p"}
    assert loaded.config == cm.config
    for name, v in cm.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], v)
    with np.load(path, allow_pickle=False) as data:
        assert all(data[k].dtype == np.float32 for k in data.files if k != "__config__")
    ids = torch.randint(0, 6, (2, 9))
    with torch.no_grad():
        assert torch.equal(loaded(ids)[0], cm(ids)[0])
    logits = cells.SequenceModel.from_torch(loaded).trace(ids.numpy()).logits
    assert np.abs(logits - cm(ids)[0].detach().numpy()).max() <= 1e-5


def test_float64_model_is_saved_as_float32(tmp_path):
    cm = CharModel("lstm", 4, 3).double()
    save_weights(cm, tmp_path / "m.npz")
    loaded, meta = load_weights(tmp_path / "m.npz")
    assert meta == {} and loaded.readout.weight.dtype == torch.float32
    want = cm.readout.weight.detach().float()
    assert torch.equal(loaded.readout.weight.detach(), want)


def test_corrupt_and_foreign_files(tmp_path):
    cm = CharModel("lstm", 4, 3)
    good = tmp_path / "good.npz"
    save_weights(cm, good)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file at all")
    with pytest.raises(
        ValueError, match=r"garbage.npz: expected a .npz written by save_weights"
    ):
        load_weights(garbage)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(ValueError, match="expected a .npz written by save_weights"):
        load_weights(truncated)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.zeros(3))
    with pytest.raises(ValueError, match="no config entry found"):
        load_weights(foreign)
    # config says hidden 3, arrays say hidden 5
    other = tmp_path / "other.npz"
    arrays = {k: v.numpy() for k, v in CharModel("lstm", 4, 5).state_dict().items()}
    np.savez(
        other,
        __config__=np.array(json.dumps({"config": cm.config, "meta": {}})),
        **arrays,
    )
    with pytest.raises(
        ValueError,
        match=r"rnn.weight_ih_l0 must be a float array of shape "
        r"\(12, 4\), got float32 \(20, 4\)",
    ):
        load_weights(other)
    bad_config = tmp_path / "bad_config.npz"
    np.savez(bad_config, __config__=np.array("{not json"))
    with pytest.raises(ValueError, match="expected a .npz written by save_weights"):
        load_weights(bad_config)
    with pytest.raises(ValueError, match="meta must be JSON-serialisable"):
        save_weights(cm, tmp_path / "x.npz", model=cm)  # meta may use any key
    with pytest.raises(ValueError, match="model must be a CharModel, got LSTM"):
        save_weights(torch.nn.LSTM(2, 3), tmp_path / "x.npz")
