"""seq2seq: the numpy replay equals torch, greedy decoding agrees, files
round-trip, and bad input fails with a clear error."""

import numpy as np
import pytest
import torch

import lstm_tutorial  # noqa: F401
from lstm_tutorial import seq2seq
from lstm_tutorial.seq2seq import Seq2Seq, greedy, replay


def _model(attention: bool, dtype=torch.float64, seed: int = 0) -> Seq2Seq:
    torch.manual_seed(seed)
    model = Seq2Seq("abcd", 6, attention).to(dtype)
    with torch.no_grad():  # larger weights than torch's init: decisive argmaxes
        for p in model.parameters():
            p.mul_(3.0)
    return model.eval()


def _torch_run(model: Seq2Seq, text: str, written: str):
    """Teacher-forced torch run on what the replay wrote: logits, weights."""
    src = torch.from_numpy(model.encode(text))[None]
    y_in = [len(model.alphabet)] + [model.symbols.index(c) for c in written[:-1]]
    with torch.no_grad():
        logits, a = model(src, torch.tensor([len(text)]), torch.tensor([y_in]))
    return logits[0].numpy(), a[0].numpy()


@pytest.mark.parametrize("attention", [True, False])
@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
def test_replay_equals_torch(attention, dtype, tol):
    model = _model(attention, dtype)
    for text in ("a", "abcd", "ddcbaab"):
        tr = replay(model, text, dtype=np.float64 if dtype == torch.float64
                    else np.float32)
        logits, a = _torch_run(model, text, tr.out)
        assert np.abs(tr.logits - logits).max() < tol
        assert np.abs(tr.a - a).max() < tol
        assert tr.a.shape == (len(tr.out), len(text))
        if attention:
            assert np.allclose(tr.a.sum(axis=1), 1.0, atol=tol)
        else:
            assert not tr.a.any()


@pytest.mark.parametrize("attention", [True, False])
def test_greedy_matches_the_replay(attention):
    model = _model(attention, seed=3)
    texts = ["abc", "d", "bbadc", "cab"]
    got = greedy(model, texts, max_len=7)
    for text, answer in zip(texts, got):
        tr = replay(model, text, max_len=7)
        want = tr.answer if tr.out.endswith(seq2seq.END) else tr.out + "…"
        assert answer == want


def test_padding_does_not_change_a_short_source():
    model = _model(True, seed=1)
    alone = greedy(model, ["ab"], max_len=5)
    with_long = greedy(model, ["ab", "abcdabcd"], max_len=5)
    assert with_long[0] == alone[0]


def test_files_round_trip(tmp_path):
    model = _model(True, torch.float32)
    seq2seq.save(model, tmp_path / "m.npz", seed=7)
    again, meta = seq2seq.load(tmp_path / "m.npz")
    assert meta == {"seed": 7} and again.attention and again.alphabet == "abcd"
    for k, v in model.state_dict().items():
        assert torch.equal(v, again.state_dict()[k])
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a Seq2Seq weight file"):
        seq2seq.load(tmp_path / "bad.npz")


def test_bad_input_fails_clearly():
    model = _model(True)
    with pytest.raises(ValueError, match="unknown character 'z'"):
        replay(model, "abz")
    with pytest.raises(ValueError, match="non-empty str"):
        replay(model, "")
    with pytest.raises(ValueError, match="max_len"):
        replay(model, "ab", max_len=0)
    with pytest.raises(ValueError, match="alphabet"):
        Seq2Seq("ab$", 4, True)
    with pytest.raises(ValueError, match="hidden_size"):
        Seq2Seq("ab", 0, True)
    with pytest.raises(ValueError, match="src must be an int64 tensor"):
        model(torch.zeros(2, 3), torch.tensor([3, 3]), torch.zeros(2, 2).long())
    with pytest.raises(ValueError, match="src_len must be in"):
        model(torch.zeros(2, 3).long(), torch.tensor([4, 3]), torch.zeros(2, 2).long())
    with pytest.raises(ValueError, match="src ids must be in"):
        model(torch.full((1, 2), 9).long(), torch.tensor([2]), torch.zeros(1, 2).long())
    with pytest.raises(ValueError, match="non-empty list"):
        greedy(model, [])
