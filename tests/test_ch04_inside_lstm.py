"""Measurements on trained models: per-character stats, eta^2, next-character
units, numpy generation with what-ifs, counting tables, counter steps, explorer."""

import numpy as np
import pytest
import torch

from lstm_tutorial import cells, handset, train
from lstm_tutorial.chapters import ch04_inside_lstm as ch4
from lstm_tutorial.cells import Override, SequenceModel
from lstm_tutorial.chapters.ch04_inside_lstm import ExplorerView
from lstm_tutorial.tasks import CopyTask, CountingTask, RememberTask


def random_model(V: int, H: int, seed: int, layers: int = 1) -> SequenceModel:
    """A numpy LSTM + readout with seeded random weights (torch layout)."""
    rng = np.random.default_rng(seed)
    params, I = {}, V
    for k in range(layers):
        params |= {f"weight_ih_l{k}": rng.normal(size=(4 * H, I)),
                   f"weight_hh_l{k}": rng.normal(size=(4 * H, H)) / np.sqrt(H),
                   f"bias_ih_l{k}": rng.normal(size=4 * H),
                   f"bias_hh_l{k}": np.zeros(4 * H)}
        I = H
    return SequenceModel(cells.LSTM(params), cells.Dense(rng.normal(size=(V, H))))


# ----------------------------------------------------------------- stats_by_char


def test_stats_by_char_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    texts = ["aXbb", "aaXb", "aX"]  # ragged: padding steps must be left out
    v = rng.normal(size=(3, 4, 5))
    v[2, 2:] = 1e6  # padding of the short text
    got = ch4.stats_by_char(v, texts)
    assert list(got) == ["a", "X", "b"]  # order of first appearance
    for ch, s in got.items():
        picked = [v[b, t] for b, text in enumerate(texts) for t, c in enumerate(text)
                  if c == ch]
        ref = np.array(picked)
        assert s.n == len(picked)
        np.testing.assert_allclose(s.mean, ref.mean(axis=0), atol=1e-12)
        np.testing.assert_allclose(s.std, ref.std(axis=0), atol=1e-12)
    one = ch4.stats_by_char(v[..., 3], texts, "b")  # (B, T): one unit
    assert isinstance(one["b"].mean, float)
    assert one["b"].mean == pytest.approx(got["b"].mean[3], abs=1e-12)
    single = ch4.stats_by_char(v[0], texts[0], "X")  # (T, H), one text
    np.testing.assert_allclose(single["X"].mean, v[0, 1], atol=1e-12)


def test_stats_by_char_bad_input():
    v = np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match="does not occur"):
        ch4.stats_by_char(v, ["ab", "ba"], "c")
    with pytest.raises(ValueError, match="one text per row"):
        ch4.stats_by_char(v, ["ab", "ba", "aa"])
    with pytest.raises(ValueError, match="only 3 steps"):
        ch4.stats_by_char(v, ["abcd", "ab"])
    with pytest.raises(ValueError, match="shape"):
        ch4.stats_by_char(np.zeros(3), "abc")


# ----------------------------------------------------------------- eta_squared


def test_eta_squared_by_hand_and_by_the_anova_identity():
    # 1, 3 | 5, 7: total SS = 9 + 1 + 1 + 9 = 20, within = 1 + 1 + 1 + 1 = 4
    assert ch4.eta_squared([1, 3, 5, 7], "aabb") == pytest.approx(0.8)
    assert ch4.eta_squared([2, 2, 5, 5], [0, 0, 1, 1]) == pytest.approx(1)
    assert ch4.eta_squared([1, 3, 3, 1], "aabb") == pytest.approx(0.0)
    # vectors: eta^2 = between-group SS / total SS (SS_total = SS_between + SS_within)
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 4, size=40)
    v = rng.normal(size=(40, 3)) + groups[:, None] * np.array([1.0, 0.0, -0.5])
    mean = v.mean(axis=0)
    between = sum((groups == g).sum()
                  * ((v[groups == g].mean(axis=0) - mean) ** 2).sum() for g in range(4))
    total = ((v - mean) ** 2).sum()
    assert ch4.eta_squared(v, groups) == pytest.approx(between / total,
                                                                  abs=1e-12)


def test_eta_squared_bad_input():
    with pytest.raises(ValueError, match="no spread"):
        ch4.eta_squared([1.0, 1.0, 1.0], "abc")
    with pytest.raises(ValueError, match="one label per value"):
        ch4.eta_squared([1.0, 2.0], "abc")
    with pytest.raises(ValueError, match="shape"):
        ch4.eta_squared(np.zeros((2, 2, 2)), "ab")


# ----------------------------------------------------------------- next_char_units


def test_next_char_units_tell_predicting_from_echoing():
    task = CopyTask(length=3)
    texts = task.all_texts()
    T = len(texts[0]) - 1
    rng = np.random.default_rng(2)
    v = rng.normal(size=(len(texts), T, 4)) * 0.1
    for b, t in enumerate(texts):
        v[b, :, 2] += [float(c == "b") for c in t[1:]]  # "b comes next"
        v[b, :, 0] += [2.0 * (c == "b") for c in t[:-1]]  # "b was just read"
    found = ch4.next_char_units(v, texts, "b.")
    b_unit, end_unit = found
    assert (b_unit.char, b_unit.unit) == ("b", 2)
    nxt = np.array([[float(c == "b") for c in t[1:]] for t in texts]).ravel()
    cur = np.array([[float(c == "b") for c in t[:-1]] for t in texts]).ravel()
    assert b_unit.r_next == pytest.approx(np.corrcoef(v[..., 2].ravel(), nxt)[0, 1],
                                          abs=1e-12)
    assert b_unit.r_current == pytest.approx(
        np.corrcoef(v[..., 2].ravel(), cur)[0, 1], abs=1e-12)
    assert np.isnan(end_unit.r_current)  # the end marker is never read
    assert "never read" in str(end_unit)
    masked = ch4.next_char_units(v, texts, "b",
                                            mask=[task.mask(t) for t in texts])
    assert masked[0].unit == 2


# ----------------------------------------------------------------- complete


def test_complete_agrees_with_the_hand_set_counter_and_its_what_ifs():
    counter = handset.counter_lstm()
    task = CountingTask()
    k = counter.unit("count")
    for n in (1, 7, 40):
        prompt = "a" * n + "X"
        got = ch4.complete(counter.model, task, prompt)
        assert got == "b" * n + "." == counter.complete(prompt)
        # an a kept out of the exact count (input gate 0) is one b fewer
        shut = [Override(t, "i", k, 0.0) for t in range(min(3, n - 1))]
        assert ch4.complete(counter.model, task, prompt, shut) == \
            "b" * (n - len(shut)) + "."
    assert ch4.complete(counter.model, task, "a" * 30 + "X", max_new=5) \
        == "bbbbb"


def test_complete_replays_torch_generation_of_the_shipped_counter():
    torch.set_num_threads(1)
    model, task, _ = train.load_shipped("counting")
    sm = SequenceModel.from_torch(model)
    prompts = ["a" * n + "X" for n in range(1, 31)]
    torch_answers = train.generate(model, task, prompts, max_new=40)
    assert [ch4.complete(sm, task, p, max_new=40) for p in prompts] == \
        torch_answers


def test_complete_bad_input():
    counter = handset.counter_lstm()
    task = CountingTask()
    with pytest.raises(ValueError, match="prompt steps"):
        ch4.complete(counter.model, task, "aaX",
                                [Override(5, "i", 0, 0.0)])
    with pytest.raises(ValueError, match="non-empty"):
        ch4.complete(counter.model, task, "")
    with pytest.raises(ValueError, match="SequenceModel"):
        ch4.complete(counter, task, "aX")
    with pytest.raises(ValueError, match="max_new"):
        ch4.complete(counter.model, task, "aX", max_new=0)


# ----------------------------------------------------------------- counting_rows


def test_counting_rows_summarise_answers():
    task = CountingTask()

    def write(prompts):  # right up to 3, then one b short, then no end marker
        out = []
        for p in prompts:
            n = p.count("a")
            out.append("b" * n + "." if n <= 3 else "b" * (n - 1) + "." if n < 6
                       else "b" * 10)
        return out

    rows = ch4.counting_rows(task, [1, 3, 4, 6], write)
    assert [(r.n, r.written, r.then, r.right) for r in rows] == [
        (1, 1, ".", True), (3, 3, ".", True), (4, 3, ".", False), (6, 10, "", False)]
    assert "WRONG" in str(rows[2]) and "no end marker" in str(rows[3])
    with pytest.raises(ValueError, match="counting task"):
        ch4.counting_rows(RememberTask(), [1], write)
    with pytest.raises(ValueError, match="answers"):
        ch4.counting_rows(task, [1, 2], lambda ps: ["b."])
    with pytest.raises(ValueError, match="counts >= 1"):
        ch4.counting_rows(task, [0], write)


# ----------------------------------------------------------------- counter_steps


def test_counter_steps_of_the_hand_set_counter_are_exact():
    counter = handset.counter_lstm()
    st = ch4.counter_steps(counter.model, CountingTask(),
                                      counter.unit("count"), n=100)
    assert (st.up, st.down, st.f) == (1.0, -1.0, 1.0)
    assert st.mismatch == 0.0


def test_counter_steps_are_the_mean_writes_with_the_forget_gate_in_them():
    task = CountingTask()
    model = random_model(V=4, H=3, seed=3)  # random gates: f well below 1
    n = 40
    st = ch4.counter_steps(model, task, unit=1, n=n)
    tr = model.trace(task.encode("a" * n + "X" + "b" * n))
    c, f, i, g = tr.c[:, 1], tr.f[:, 1], tr.i[:, 1], tr.g[:, 1]
    a_mid = range(n // 4, 3 * n // 4)
    b_mid = range(n + 1 + n // 4, n + 1 + 3 * n // 4)
    up = np.mean([c[t] - f[t] * c[t - 1] for t in a_mid])
    down = np.mean([c[t] - f[t] * c[t - 1] for t in b_mid])
    assert st.up == pytest.approx(up, abs=1e-12)
    assert st.down == pytest.approx(down, abs=1e-12)
    # the write is i g, not the change of c (which holds the leak too)
    assert st.up == pytest.approx(np.mean([i[t] * g[t] for t in a_mid]), abs=1e-6)
    leak_free = np.mean([c[t] - c[t - 1] for t in a_mid])
    assert abs(st.up - leak_free) > 1e-3
    assert st.f == pytest.approx(np.mean([f[t] for t in (*a_mid, *b_mid)]),
                                 abs=1e-12)
    assert st.f < 0.99
    assert st.mismatch == pytest.approx(abs(down) / abs(up) - 1, abs=1e-12)
    assert st.memory == pytest.approx(1 / (1 - st.f), rel=1e-12)
    assert ch4.CounterSteps(1.0, -1.0, 1.0).memory == float("inf")
    with pytest.raises(ValueError, match="unit"):
        ch4.counter_steps(model, task, unit=3)
    with pytest.raises(ValueError, match="n must"):
        ch4.counter_steps(model, task, unit=0, n=4)
    with pytest.raises(ValueError, match="counting task"):
        ch4.counter_steps(model, CopyTask(), unit=0)


def test_leak_cost_is_the_count_the_forget_gate_takes_in_steps():
    task = CountingTask()
    counter = handset.counter_lstm()
    assert ch4.leak_cost(counter.model, task, counter.unit("count"), 50) == 0.0
    model = random_model(V=4, H=3, seed=3)
    n = 12
    tr = model.trace(task.encode("a" * n + "X" + "b" * n))
    c, f = tr.c[:, 1], tr.f[:, 1]
    lost = (1 - f[0]) * 0.0 + sum((1 - f[t]) * c[t - 1] for t in range(1, 2 * n + 1))
    up = ch4.counter_steps(model, task, 1).up
    assert ch4.leak_cost(model, task, 1, n) == pytest.approx(lost / up, rel=1e-9)
    with pytest.raises(ValueError, match="n must"):
        ch4.leak_cost(model, task, 1, 0)


# ----------------------------------------------------------------- gate_share


def test_gate_share_splits_the_fall_of_the_write():
    # gate alone: i falls 0.9 -> 0.09, g stays 0.8
    assert ch4.gate_share(0.9, 0.8, 0.09, 0.8) == pytest.approx(1.0, abs=1e-12)
    # candidate alone: g falls -0.8 -> -0.08 (sign does not matter)
    assert ch4.gate_share(0.9, -0.8, 0.9, 0.08) == pytest.approx(0.0, abs=1e-12)
    # both by a factor 10: half each; gate 10x and candidate 100x: a third
    assert ch4.gate_share(1.0, 1.0, 0.1, 0.1) == pytest.approx(0.5, abs=1e-12)
    assert ch4.gate_share(1.0, 1.0, 0.1, 0.01) == pytest.approx(1 / 3, abs=1e-12)
    with pytest.raises(ValueError, match="does not fall"):
        ch4.gate_share(0.5, 0.5, 0.9, 0.9)
    with pytest.raises(ValueError, match="need i > 0"):
        ch4.gate_share(0.5, 0.0, 0.9, 0.9)


# ----------------------------------------------------------------- explorer


@pytest.fixture(scope="module")
def views():
    count, copy = CountingTask(), CopyTask()
    c_texts = [t[:-1] for t in (count.example(2), count.example(4))]
    k_texts = [t[:-1] for t in copy.all_texts()[:3]]
    c_model, k_model = random_model(4, 3, seed=4), random_model(5, 3, seed=5, layers=2)
    c_tr = c_model.trace(count.batch(count.all_texts()[1:4:2]).inputs)
    k_tr = k_model.trace(copy.batch(copy.all_texts()[:3]).inputs)
    return [ExplorerView("count", c_tr, c_texts, row_labels=["N = 2", "N = 4"]),
            ExplorerView("copy, layer 1", k_tr, k_texts, layer=0),
            ExplorerView("copy, layer 2", k_tr, k_texts, layer=1)]


def test_models_explorer_buttons_pick_models_dropdown_picks_units(views):
    fig = ch4.models_explorer(views, quantities=("h", "f"), start=("f", 2))
    assert len(fig.data) == 3
    assert [t.visible for t in fig.data] == [True, False, False]
    buttons, menu = fig.layout.updatemenus
    assert buttons.type == "buttons" and menu.type == "dropdown"
    assert [b.label for b in buttons.buttons] == ["count", "copy, layer 1",
                                                  "copy, layer 2"]
    assert buttons.buttons[1].args[0]["visible"] == [False, True, False]
    assert list(buttons.buttons[0].args[1]["yaxis.ticktext"]) == ["N = 2", "N = 4"]
    assert len(menu.buttons) == 2 * 3  # quantities x units
    assert menu.active == 5  # ("f", unit 2)
    # the first trace starts at ("f", unit 2); a text's padding is blank (None)
    f = views[0].trace["f"][..., 2]
    z0 = fig.data[0].z
    assert z0[0][: len(views[0].texts[0])] == pytest.approx(
        np.round(f[0, : len(views[0].texts[0])], 3).tolist(), abs=1e-12)
    assert z0[0][-1] is None
    # a dropdown entry restyles every model: h of unit 1, layer 1 of the copier
    entry = menu.buttons[1]
    assert entry.label == "hidden state h, unit 1"
    h1 = views[1].trace.layer(0).h[..., 1]
    assert entry.args[0]["z"][1][2] == pytest.approx(np.round(h1[2], 3).tolist())
    assert entry.args[0]["zmin"] == [-1.0] * 3
    assert menu.buttons[3].args[0]["zmin"] == [0.0] * 3  # a gate: 0 to 1


def test_models_explorer_bad_input(views):
    with pytest.raises(ValueError, match="no quantity"):
        ch4.models_explorer(views, quantities=("h", "r"))
    with pytest.raises(ValueError, match="start"):
        ch4.models_explorer(views, start=("h", 3))
    bad = ExplorerView("x", views[0].trace, views[0].texts[:1])
    with pytest.raises(ValueError, match="texts"):
        ch4.models_explorer([bad])
    other = random_model(4, 2, seed=6).trace(CountingTask().batch(["aXb."]).inputs)
    with pytest.raises(ValueError, match="same number of units"):
        ch4.models_explorer([views[0], ExplorerView("y", other, ["aXb"])])
    with pytest.raises(ValueError, match="non-empty"):
        ch4.models_explorer([])
