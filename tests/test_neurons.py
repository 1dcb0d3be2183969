"""Ranking units by correlation with task variables, and the task variables."""

import warnings

import numpy as np
import pytest

from lstm_tutorial import cells, neurons
from lstm_tutorial.neurons import UnitScore, rank_units


def synthetic(seed: int = 0):
    """(B, T, H=4) values and a (B, T) target: unit 2 = 3 y + 1 (r = 1), unit 0 =
    -y + noise, unit 1 constant, unit 3 noise."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(5, 8))
    v = np.stack([-y + 0.3 * rng.normal(size=y.shape), np.full(y.shape, 0.7),
                  3 * y + 1, rng.normal(size=y.shape)], axis=-1)
    return v, y


def test_rank_units_by_absolute_pearson_r():
    v, y = synthetic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a constant unit must not warn
        ranking = rank_units(v, y)
    assert [s.unit for s in ranking[:2]] == [2, 0]
    assert ranking[0].r == pytest.approx(1.0, abs=1e-12)
    # the reference: numpy's own correlation coefficient on the flattened values
    for unit in (0, 3):
        ref = np.corrcoef(v[..., unit].ravel(), y.ravel())[0, 1]
        got = dict(ranking)[unit]
        assert got == pytest.approx(ref, abs=1e-12)
    assert dict(ranking)[1] == 0.0  # constant unit: r = 0
    assert ranking[-1].unit == 1
    assert ranking[1].r < -0.9


def test_constant_float32_unit_is_zero_not_noise():
    y = np.linspace(0, 1, 50)
    v = np.stack([np.full(50, 0.1, np.float32), y.astype(np.float32)], -1)[None]
    r = neurons.correlations(v, y[None])
    assert r[0] == 0.0 and r[1] == pytest.approx(1.0, abs=1e-6)


def test_mask_and_nan_positions_are_left_out():
    v, y = synthetic(1)
    mask = np.zeros(y.shape, bool)
    mask[:, 4:] = True
    v = v.copy()
    v[:, :4, 3] = 100 * y[:, :4]  # unit 3 follows y only where unscored
    ranking = rank_units(v, y, mask=mask)
    ref = np.corrcoef(v[:, 4:, 3].ravel(), y[:, 4:].ravel())[0, 1]
    assert dict(ranking)[3] == pytest.approx(ref, abs=1e-12)
    y_nan = np.where(mask, y, np.nan)  # NaN target = unscored
    assert rank_units(v, y_nan) == ranking


def test_ragged_and_padded_inputs():
    v, y = synthetic(2)
    lengths = [8, 5, 3, 6, 2]
    rows_v = [v[b, :n] for b, n in enumerate(lengths)]
    rows_y = [y[b, :n] for b, n in enumerate(lengths)]
    flat_v = np.concatenate(rows_v)
    flat_y = np.concatenate(rows_y)
    ref = [np.corrcoef(flat_v[:, k], flat_y)[0, 1] for k in (0, 2, 3)]
    for got in (neurons.correlations(rows_v, rows_y),  # lists of rows
                neurons.correlations(v, rows_y)):  # padded values, ragged target
        assert np.allclose(got[[0, 2, 3]], ref, atol=1e-12)
    assert np.allclose(neurons.correlations(flat_v, flat_y)[[0, 2, 3]], ref, atol=1e-12)


def test_bad_input_messages():
    v, y = synthetic()
    with pytest.raises(ValueError, match=r"target must have shape \(5, 8\)"):
        rank_units(v, y[:, :7])
    with pytest.raises(ValueError, match="target is constant"):
        rank_units(v, np.ones_like(y))
    with pytest.raises(ValueError, match="at least 2 scored positions"):
        rank_units(v, y, mask=np.zeros(y.shape, bool))
    with pytest.raises(ValueError, match=r"values must have shape"):
        rank_units(np.zeros(5), y)


def test_scores_print_as_the_book_writes_them():
    assert str(UnitScore(3, 0.9812)) == "unit 3, r = 0.98"
    assert str(UnitScore(1, -0.5)) == "unit 1, r = -0.50"
    unit, r = UnitScore(2, 0.1)  # still a (unit, r) pair
    assert (unit, r) == (2, 0.1)
    text = neurons.format_ranking([UnitScore(3, 0.98), UnitScore(0, -0.7)], top=2,
                                  unit_names={3: "counter"})
    assert text == "1. unit 3, r = 0.98 (counter)\n2. unit 0, r = -0.70"
    v, y = synthetic()
    assert len(rank_units(v, y, top=2)) == 2


def test_task_variables_by_hand():
    assert neurons.running_count("aaXbb.")[0].tolist() == [1, 2, 2, 1, 0, 0]
    assert neurons.running_count(["(a[b])"], up="([", down=")]")[0].tolist() == [
        1, 1, 2, 2, 1, 0]
    assert neurons.char_is("aXbX", "X")[0].tolist() == [0, 1, 0, 1]
    assert neurons.next_char_is("aabb.", "b")[0].tolist() == [0, 1, 1, 0]
    ab = neurons.last_seen(["AxxYa.", "xBxY"], {"A": 1.0, "B": -1.0})
    assert ab[0].tolist() == [1] * 6
    assert np.isnan(ab[1][0]) and ab[1][1:].tolist() == [-1, -1, -1]
    assert neurons.column("ab\ncd")[0].tolist() == [0, 1, 2, 0, 1]
    assert neurons.indentation("if x:\n    y\nz")[0].tolist() == [0] * 6 + [4] * 6 + [0]
    padded = neurons.pad(neurons.running_count(["aab", "a"]))
    assert padded.shape == (2, 3) and np.isnan(padded[1, 1:]).all()


def test_finds_the_counter_of_a_hand_set_rnn():
    """A ReLU RNN whose unit 1 adds 1 on 'a' and subtracts 1 on 'b' (W_hh = I):
    h_1 is the running count, so it ranks first with r = 1."""
    H = 3
    W_ih = np.array([[0.0, 0.0], [1.0, -1.0], [0.5, 0.5]])  # inputs: one-hot a, b
    W_hh = np.diag([0.0, 1.0, 0.0])
    params = {"weight_ih_l0": W_ih, "weight_hh_l0": W_hh,
              "bias_ih_l0": np.array([0.2, 0.0, 0.0]), "bias_hh_l0": np.zeros(H)}
    rnn = cells.RNN(params, nonlinearity="relu")
    texts = ["aaabbb", "aabb", "aaaaabbbbb"]
    onehot = {"a": [1.0, 0.0], "b": [0.0, 1.0]}
    values = [rnn.trace(np.array([onehot[ch] for ch in t])).h for t in texts]
    ranking = rank_units(values, neurons.running_count(texts))
    assert ranking[0].unit == 1 and ranking[0].r == pytest.approx(1.0, abs=1e-12)
    assert dict(ranking)[0] == 0.0  # unit 0 is constant (relu(0.2))
