"""Chapter 2's experiment code: diagrams, the turnstile checks, the France LED,
gradient norms.

Expected values come from plain Python state machines, the RNN equations
written out in numpy, or algebra on the weight tables; never from the code
under test.
"""

import itertools
import math

import numpy as np
import pytest
import torch

from lstm_tutorial import cells, handset as hs, tasks
from lstm_tutorial.chapters import ch02_rnn as ch2
from lstm_tutorial.text import UnknownTokenError

torch.set_num_threads(1)


def machine(coins: int, state: int, ch: str) -> int:
    """A turnstile that needs `coins` coins: the next state (coins paid)."""
    if ch == "c":
        return min(state + 1, coins)
    return 0 if state == coins else state


# -------------------------------------------------------------------- equations


def test_rnn_forward_is_torchs_rnn_step_by_step():
    torch.manual_seed(0)
    for nonlinearity, phi in (("tanh", np.tanh), ("relu", lambda z: np.maximum(z, 0))):
        rnn = torch.nn.RNN(3, 4, nonlinearity=nonlinearity, batch_first=True).double()
        p = {k: v.detach().numpy() for k, v in rnn.state_dict().items()}
        x = np.random.default_rng(1).normal(size=(7, 3))
        with torch.no_grad():
            expected = rnn(torch.from_numpy(x))[0].numpy()
        h = ch2.rnn_forward(x, p["weight_ih_l0"], p["weight_hh_l0"],
                               p["bias_ih_l0"] + p["bias_hh_l0"], phi=phi)
        assert h.shape == (7, 4)
        assert np.abs(h - expected).max() < 1e-12
    # h_1 = tanh(W x_1 + b) from h_0 = 0, by hand
    h = ch2.rnn_forward([[1.0]], [[2.0]], [[5.0]], [0.5])
    assert h[0, 0] == pytest.approx(math.tanh(2.5), abs=1e-15)
    with pytest.raises(ValueError, match=r"need x \(T, I\)"):
        ch2.rnn_forward(np.zeros((3, 2)), np.zeros((4, 3)), np.zeros((4, 4)),
                           np.zeros(4))


# --------------------------------------------------------------------- diagrams


def test_unrolled_figure_draws_one_column_per_step():
    fig = ch2.unrolled_figure(steps=5)
    hover = list(fig.data[0].hovertext)
    # the loop's three boxes, h_0, and x_t, h_t, y_t for each of the 5 steps
    assert len(hover) == 3 + 1 + 3 * 5
    for t in range(1, 6):
        assert any(f"h<sub>{t}</sub> = φ(W x<sub>{t}</sub> + U h<sub>{t - 1}</sub>"
                   in s for s in hover)
    texts = [a.text for a in fig.layout.annotations]
    assert texts.count("<i>U</i>") == 1 + 5  # the loop's U and one per step
    assert texts.count("<i>W</i>") == 1 + 5 and texts.count("<i>V</i>") == 1 + 5
    # the self-loop ends in an arrow long enough for plotly to draw its head
    heads = [a for a in fig.layout.annotations if a.showarrow]
    assert min(math.hypot(a.x - a.ax, a.y - a.ay) for a in heads) >= 0.3
    with pytest.raises(ValueError, match="steps must be"):
        ch2.unrolled_figure(steps=1)


@pytest.mark.parametrize("coins", [1, 2])
def test_state_machine_figure_draws_exactly_the_machines_transitions(coins):
    spec = ch2.loop._MACHINES[coins]
    names = list(spec["states"])  # state k = k coins paid
    drawn = {(names.index(t.src), "c" if t.colour == ch2.loop._COIN else "p",
              names.index(t.dst)) for t in spec["transitions"]}
    expected = {(s, ch, machine(coins, s, ch)) for s in range(coins + 1) for ch in "cp"}
    assert drawn == expected
    fig = ch2.state_machine_figure(coins)
    circles = [s for s in fig.layout.shapes if s.type == "circle"]
    curves = [s for s in fig.layout.shapes if s.type == "path"]
    assert len(circles) == coins + 1 and len(curves) == 2 * (coins + 1)
    arrowheads = [a for a in fig.layout.annotations if a.showarrow]
    assert len(arrowheads) == 2 * (coins + 1) + 1  # every transition + "start"
    with pytest.raises(ValueError, match="coins must be 1 or 2"):
        ch2.state_machine_figure(3)


# --------------------------------------------------------------------- stepping


def test_rnn_steps_of_the_coin_counter_count_coins_and_pushes():
    text = "ccpcpp"
    st = ch2.rnn_steps(hs.coin_counter(), text)
    counts = np.array([[text[: t + 1].count("c"), text[: t + 1].count("p")]
                       for t in range(len(text))], float)
    assert np.array_equal(st.h, counts)
    assert np.array_equal(st.h_prev[0], [0, 0]) and np.array_equal(st.h_prev[1:],
                                                                   counts[:-1])
    assert np.allclose(st.pre, st.Wx + st.Uh + st.b, atol=1e-12)
    assert np.array_equal(st.x, [[1, 0] if ch == "c" else [0, 1] for ch in text])


def test_rnn_steps_terms_add_up_for_the_turnstile():
    text = "cpccpcccpp"
    st = ch2.rnn_steps(hs.turnstile(), text)
    assert np.allclose(st.pre, st.Wx + st.Uh + st.b, atol=1e-12)
    assert np.allclose(st.h, np.maximum(st.pre, 0), atol=1e-12)
    assert list(st.y.argmax(axis=1)) == list(tasks.turnstile_outputs(text))
    with pytest.raises(ValueError, match="unknown"):
        ch2.rnn_steps(hs.turnstile(), "cx")
    with pytest.raises(ValueError, match="one-layer RNN"):
        ch2.rnn_steps(hs.counter_lstm(), "aXb")


def test_rnn_step_through_slider_shows_each_step():
    text = "ccpc"
    st = ch2.rnn_steps(hs.turnstile(), text)
    fig = ch2.rnn_step_through(st)
    steps = fig.layout.sliders[0].steps
    assert len(steps) == len(text)
    # numbered from 1, as in the equations: step 1 reads x_1
    assert [s.label for s in steps] == [f"{t + 1}: {ch}" for t, ch in enumerate(text)]
    assert steps[0].args[1]["title.text"].startswith("step 1: read 'c'")
    assert list(fig.data[0].x) == [1, 2, 3, 4]
    for t, step in enumerate(steps):
        data, layout, idx = step.args
        panel = np.array(data["z"][1])  # (H, 6): h_{t-1}, Wx, Uh, b, sum, h_t
        assert np.allclose(panel[:, -1], st.h[t], atol=1e-3)
        assert np.allclose(panel[:, 0], st.h_prev[t], atol=1e-3)
        said = "WALK" if tasks.turnstile_outputs(text)[t] else "LOCKED"
        assert layout["title.text"].endswith(f"<b>{said}</b>")
        assert list(idx) == [0, 1, 2]
    # the figure as drawn is step 0
    assert np.allclose(np.array(fig.data[1].z)[:, -1], st.h[0], atol=1e-3)


# -------------------------------------------------------------------- turnstile


def test_all_strings_are_every_string_in_alphabetical_order():
    ids = ch2.all_strings(3)
    texts = ["".join("cp"[k] for k in row) for row in ids]
    assert texts == ["".join(p) for p in itertools.product("cp", repeat=3)]
    with pytest.raises(ValueError, match="length must be"):
        ch2.all_strings(0)


def test_hand_set_turnstile_agrees_on_every_string():
    a = ch2.turnstile_agreement(hs.turnstile(), max_len=12)
    assert a.strings == 2**13 - 2 and a.agree == a.strings and a.all_agree
    assert a.steps == sum(L * 2**L for L in range(1, 13)) == a.steps_agree
    assert a.first_wrong is None
    assert str(a).startswith("8190 of 8190 input strings")
    assert "(90114 of 90114 steps)" in str(a)  # 2 + 2*4 + ... + 12*2^12 steps
    assert sum(L * 2**L for L in range(1, 13)) == 90114
    assert max(len(line) for line in str(a).splitlines()) <= 77


def test_a_turnstile_that_always_says_walk_is_caught():
    net = ch2.with_weights(hs.turnstile(), {"b_y[WALK]": 1.0})  # WALK >= 1 > 0
    a = ch2.turnstile_agreement(net, max_len=6)
    # After one input at most one coin is paid: every string starts LOCKED, so
    # none agrees; the steps that agree are the machine's WALK steps.
    walk_steps = 0
    for L in range(1, 7):
        for text in itertools.product("cp", repeat=L):
            s = 0
            for ch in text:
                s = machine(2, s, ch)
                walk_steps += s == 2
    assert (a.agree, a.steps_agree, a.first_wrong) == (0, walk_steps, "c")
    assert ch2.turnstile_agreement(hs.turnstile().model, max_len=4).all_agree


def test_turnstile_agreement_of_a_torch_model_and_bad_models():
    torch.manual_seed(0)
    model = hs.turnstile().to_torch()  # the hand-set weights in torch
    seq = cells.SequenceModel.from_torch(model)
    assert ch2.turnstile_agreement(seq, max_len=10).all_agree
    with pytest.raises(ValueError, match="2 inputs"):
        ch2.turnstile_agreement(hs.counter_lstm(), max_len=3)
    with pytest.raises(ValueError, match="max_len"):
        ch2.turnstile_agreement(hs.turnstile(), max_len=0)


def test_with_weights_changes_one_row_and_leaves_the_original():
    net = hs.turnstile()
    moved = ch2.with_weights(net, {"b[two coins (WALK)]": -0.5})
    k = net.unit("two coins (WALK)")
    assert moved.params["bias_ih_l0"][k] == -0.5
    assert net.params["bias_ih_l0"][k] == -1.0
    star = ch2.with_weights(net, {"U[one coin (paid), *]": -2.0})
    assert np.all(star.params["weight_hh_l0"][net.unit("one coin (paid)")] == -2.0)
    with pytest.raises(UnknownTokenError, match="unknown weight 'b.nonsense.'"):
        ch2.with_weights(net, {"b[nonsense]": 1.0})


def test_weight_margins_match_the_readout_algebra():
    # WALK scores V h + b_y against LOCKED's 0, with h in {0, 1} (two coins paid
    # or not); a tie goes to LOCKED. Exact iff V + b_y > 0 and b_y <= 0.
    grid = np.round(np.arange(-3, 3.01, 0.25), 2)
    margins = {m.weight: m for m in ch2.weight_margins(hs.turnstile(), grid)}
    v = margins["V[WALK, two coins (WALK)]"]  # b_y = -1: V > 1
    assert (v.low, v.high, v.open_high) == (1.25, 3.0, True)
    assert v.interval() == ">= 1.25"
    b = margins["b_y[WALK]"]  # V = 2: -2 < b_y <= 0
    assert (b.low, b.high, b.open_low, b.open_high) == (-1.75, 0.0, False, False)
    assert b.interval() == "-1.75 to 0"
    with pytest.raises(ValueError, match="grid must contain"):
        ch2.weight_margins(hs.turnstile(), [0.5])


def test_break_figure_slider_shows_each_value():
    net, text = hs.turnstile(), "cpccpcccpp"
    values = [-1.5, -1.0, -0.5]
    fig = ch2.break_figure(net, "b[two coins (WALK)]", values, text, max_len=8)
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["-1.5", "-1", "-0.5"]
    assert fig.layout.sliders[0].active == 1  # the hand-set value
    truth = tasks.turnstile_outputs(text)
    for v, step in zip(values, steps):
        moved = ch2.with_weights(net, {"b[two coins (WALK)]": v})
        said = moved.trace(text).logits.argmax(axis=1)
        z_net, z_machine = step.args[0]["z"][1]
        assert z_machine == list(truth)
        assert z_net == [2 if s != m else int(s) for s, m in zip(said, truth)]
        shown = step.args[0]["text"][1][0]  # what the "network says" row prints
        assert shown == [("\u2717 " if s != m else "") + ("WALK" if s else "LOCKED")
                         for s, m in zip(said, truth)]
        n_ok = ch2.turnstile_agreement(moved, 8).agree
        assert f"{n_ok} of {2**9 - 2} strings right" in step.args[1]["title.text"]
    assert list(fig.data[0].x) == list(range(1, len(text) + 1))
    assert any("\u2717" in a.text for a in fig.layout.annotations)  # the key
    with pytest.raises(UnknownTokenError, match="weights:"):
        ch2.break_figure(net, "b[x]", values, text)


def test_turnstile_breaker_rechecks_when_a_slider_moves():
    b = ch2.TurnstileBreaker(max_len=6)
    assert b.agreement.all_agree
    b.sliders["b[two coins (WALK)]"].value = -0.5
    assert not b.agreement.all_agree and b.changes() == {"b[two coins (WALK)]": -0.5}
    b.show_wrong.click()
    assert b.text.value == b.agreement.first_wrong
    assert "wrong steps below: 1" in b.figure.layout.title.text
    b.reset.click()
    assert b.agreement.all_agree and b.changes() == {}
    b.text.value = "cpx"
    assert "unknown character &#x27;x&#x27; at position 2" in b.status.value


# ------------------------------------------------------------------- France LED


def bisect_root(f, lo: float, hi: float) -> float:
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(lo) * f(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def test_france_led_lights_at_france_and_holds_the_fixed_point():
    led = ch2.france_led(self_weight=2.0, input_weight=3.0)
    words, states = led.run([hs.FRANCE, hs.ITALY])
    h = states[0][:, 0]
    k = words[0].index("france")
    assert np.all(h[:k] == 0)
    assert h[k] == pytest.approx(math.tanh(3.0), abs=1e-12)
    star = bisect_root(lambda v: math.tanh(2 * v) - v, 0.5, 1.0)  # h = tanh(2h)
    assert h[-1] == pytest.approx(star, abs=1e-6) and np.all(h[k:] > 0.95)
    assert ch2.fixed_point(2.0) == pytest.approx(star, abs=1e-12)
    assert np.allclose(states[1][:, 0], -np.concatenate([[0], h[1:]]), atol=1e-12)
    faded = ch2.france_led(self_weight=0.5).run(hs.FRANCE)[1][0][:, 0]
    assert faded[-1] < 1e-3  # u < 1: the light fades geometrically
    with pytest.raises(UnknownTokenError, match="unknown word 'spain' at position 1"):
        led.encode("In Spain")


# -------------------------------------------------------------------- gradients


def test_gradient_norms_of_a_tanh_rnn_are_products_of_jacobians():
    torch.manual_seed(3)
    rnn = torch.nn.RNN(4, 3, batch_first=True).double()
    ids = np.random.default_rng(0).integers(0, 4, size=(5, 7))
    g = ch2.gradient_norms(rnn, ids)
    # numpy: h_t = tanh(W x_t + U h_{t-1} + b); dh_T/dh_t = J_T ... J_{t+1} with
    # J_s = diag(1 - h_s^2) U
    W, U = rnn.weight_ih_l0.detach().numpy(), rnn.weight_hh_l0.detach().numpy()
    b = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy()
    expected = np.zeros(7)
    for row in ids:
        h, hs_ = np.zeros(3), []
        for k in row:
            h = np.tanh(W[:, k] + U @ h + b)
            hs_.append(h)
        M = np.eye(3)
        for d in range(7):  # d = T - t; M = dh_T / dh_{T-d}
            expected[d] += np.linalg.norm(M, 2) / len(ids)
            M = M @ (np.diag(1 - hs_[-1 - d] ** 2) @ U)
    assert np.allclose(g, expected, atol=1e-10)
    assert g[0] == pytest.approx(1.0, abs=1e-12)


def test_gradient_norms_of_an_lstm_match_torch_jacobians():
    torch.manual_seed(4)
    lstm = torch.nn.LSTM(3, 2, batch_first=True).double()
    ids = torch.tensor([[0, 1, 2, 1, 0, 2]])
    g = ch2.gradient_norms(lstm, ids)
    x = torch.nn.functional.one_hot(ids, 3).double()
    with torch.no_grad():  # the states of the run
        hs_, cs = [], []
        state = None
        for t in range(6):
            _, state = lstm(x[:, t : t + 1], state)
            hs_.append(state[0])
            cs.append(state[1])
    for t in range(6):
        def h_T(h_t, t=t):  # h_T as a function of h_t, c_t held
            state = (h_t, cs[t])
            for s in range(t + 1, 6):
                _, state = lstm(x[:, s : s + 1], state)
            return state[0]
        J = torch.autograd.functional.jacobian(h_T, hs_[t]).reshape(2, 2)
        assert g[5 - t] == pytest.approx(float(torch.linalg.matrix_norm(J, 2)),
                                         abs=1e-10)


def test_gradient_norms_reject_bad_input():
    rnn = torch.nn.RNN(4, 3, batch_first=True)
    with pytest.raises(ValueError, match="shape"):
        ch2.gradient_norms(rnn, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"in \[0, 4\)"):
        ch2.gradient_norms(rnn, np.full((2, 3), 7))
    with pytest.raises(ValueError, match="one-layer"):
        ch2.gradient_norms(torch.nn.RNN(4, 3, num_layers=2, batch_first=True),
                              np.zeros((1, 2), dtype=int))


# ---------------------------------------------------------- learned vs hand-set


def test_turnstile_random_agreement_counts_fully_right_strings():
    assert ch2.turnstile_random_agreement(hs.turnstile(), length=300, n=20) == 1.0
    always_walk = ch2.with_weights(hs.turnstile(), {"b_y[WALK]": 1.0})
    assert ch2.turnstile_random_agreement(always_walk, length=5, n=50) == 0.0
    with pytest.raises(ValueError, match="length and n"):
        ch2.turnstile_random_agreement(hs.turnstile(), length=0)


def test_rnn_weights_and_their_figure():
    w = ch2.rnn_weights(hs.turnstile())
    assert w["W"].shape == (3, 2) and w["U"].shape == (3, 3) and w["V"].shape == (2, 3)
    k = hs.turnstile().unit("two coins (WALK)")
    assert w["b"][k] == -1 and w["V"][1, k] == 2 and w["b_y"][1] == -1
    fig = ch2.weights_figure({"hand": hs.turnstile(), "again": hs.turnstile().model})
    grid = np.array([[np.nan if v is None else v for v in row]
                     for row in fig.data[0].z])
    # row k: W (2 columns), U (3), b, V^T (2); last row: b_y under the V columns
    assert np.array_equal(grid[k, :2], w["W"][k]) and np.array_equal(grid[k, 2:5],
                                                                     w["U"][k])
    assert grid[k, 5] == w["b"][k] and np.array_equal(grid[k, 6:], w["V"][:, k])
    assert np.isnan(grid[-1, :6]).all() and np.array_equal(grid[-1, 6:], w["b_y"])
    assert list(fig.data[1].y)[:3] == ["unit 0", "unit 1", "unit 2"]
    with pytest.raises(ValueError, match="one-layer RNN"):
        ch2.rnn_weights(hs.counter_lstm())


def test_machine_states_and_state_vectors_of_the_hand_set_turnstile():
    ids = ch2.all_strings(6)
    states = ch2.machine_states(ids)
    for row, s_row in zip(ids, states):
        s = 0
        for k, got in zip(row, s_row):
            s = machine(2, s, "cp"[k])
            assert got == s
    vec = ch2.state_vectors(hs.turnstile(), length=6)
    net = hs.turnstile()
    one_hot = {"1 coin, after a coin": "one coin (paid)",
               "1 coin, after a refused push": "one coin (push refused)",
               "2 coins, after a coin": "two coins (WALK)"}
    for case, v in vec.items():
        expected = np.zeros(3)
        if case in one_hot:
            expected[net.unit(one_hot[case])] = 1
        assert np.array_equal(v["min"], expected) and np.array_equal(v["max"], expected)
    table = ch2.state_table(net, length=6).splitlines()
    assert [line.split("signs ")[1] for line in table] == [
        "000", "000", "+00", "0+0", "00+"]  # units: paid, push refused, two coins
    assert max(len(line) for line in table) <= 77
    with pytest.raises(ValueError, match="0 \\(coin\\) and 1"):
        ch2.machine_states(np.array([[0, 2]]))


def test_led_heatmap_shows_the_led_of_every_word():
    led = ch2.france_led()
    fig = ch2.led_heatmap(led, [hs.FRANCE], wrap=8)
    words, states = led.run([hs.FRANCE])
    z = [v for row in fig.data[0].z for v in row if v is not None]
    assert np.allclose(z, states[0][:, 0], atol=1e-3)
    texts = [t for row in fig.data[0].text for t in row if t]
    assert texts == words[0]
    n_lines = -(-len(words[0]) // 8)  # ceil
    assert list(fig.layout.yaxis.ticktext) == ["sentence 1"] + [
        "sentence 1 (cont.)"] * (n_lines - 1)
    assert fig.data[0].colorbar.title.text == "h"
    assert fig.layout.xaxis.showticklabels is False
    with pytest.raises(ValueError, match="wrap must be"):
        ch2.led_heatmap(led, [hs.FRANCE], wrap=0)


# ----------------------------------------------------------------------- recall


def test_recall_run_trains_and_tests_at_the_gap():
    config = ch2.RecallConfig(gaps=(2,), seeds=(0,), hidden_size=8, steps=30,
                                 eval_every=10, test_size=32)
    run = ch2.recall_run("lstm", 2, 0, config)
    assert run.steps <= 30 and 0.0 <= run.accuracy <= 1.0
    texts = ch2.recall_test_texts(2, config)
    assert len(texts) == 32 and all(len(t) == 2 + 3 for t in texts)
    C = ch2.recall_confusion(run.model, 2, config)
    assert C.sum() == 32
    firsts = [t[0] for t in texts]
    assert [int(n) for n in C.sum(axis=1)] == [firsts.count(s) for s in "ABCD"]
    assert np.trace(C[:, :4]) / 32 == pytest.approx(run.accuracy, abs=1e-9)
    with pytest.raises(ValueError, match="gaps"):
        ch2.RecallConfig(gaps=(0,))


def test_recall_table_and_figure_average_the_seeds():
    runs = [ch2.RecallRun(kind, gap, seed, acc, 10 * seed + gap, 0.1)
            for kind, gap, seed, acc in [
                ("rnn", 5, 0, 1.0), ("rnn", 5, 1, 0.5), ("lstm", 5, 0, 1.0),
                ("lstm", 5, 1, 1.0), ("rnn", 9, 0, 0.25), ("rnn", 9, 1, 0.75),
                ("lstm", 9, 0, 0.5), ("lstm", 9, 1, 1.0)]]
    table = ch2.recall_table(runs)
    assert "     5  0.750 (1.00 0.50)" in table
    assert "     9  0.500 (0.25 0.75)" in table and "0.750 (0.50 1.00)" in table
    fig = ch2.recall_figure(runs)
    means = {t.name: list(t.y) for t in fig.data if t.name.endswith("mean")}
    assert means == {"tanh RNN, mean": [0.75, 0.5], "LSTM, mean": [1.0, 0.75]}
    for t in fig.data:
        if t.name.endswith("each seed"):  # beside the gap, not on the line
            gaps = [c[1] for c in t.customdata]
            assert all(x != g and abs(math.log10(x / g)) < 0.1
                       for x, g in zip(t.x, gaps))
    assert "log" in fig.layout.xaxis.title.text
    g = ch2.gradient_figure({"a": np.array([1.0, 1e-3, 1e-40])})
    assert list(g.data[0].y) == [1.0, 0.001, None] and g.layout.yaxis.type == "log"


def test_recall_model_sizes_count_the_weights():
    config = ch2.RecallConfig(gaps=(3,), hidden_size=5)
    sizes = ch2.recall_model_sizes(config)
    V, H = len(tasks.LongGapTask.alphabet), 5  # one-hot inputs over the alphabet
    for kind, G in (("rnn", 1), ("lstm", 4)):
        recurrent = G * H * (V + H + 2)  # W (GH, V), U (GH, H), two biases
        assert sizes[kind] == (recurrent, recurrent + V * (H + 1))


def small_recall_model(seed: int = 0, hidden: int = 4):
    from lstm_tutorial import train
    return train.build_model(tasks.LongGapTask(1, 3),
                             train.TrainConfig(kind="rnn", hidden_size=hidden,
                                               seed=seed))


def test_recall_gradients_reach_the_first_symbol_only_through_memory():
    config = ch2.RecallConfig(gaps=(3,), test_size=16)
    model = small_recall_model()
    g = ch2.recall_gradients(model, 1, config)
    assert g["first"] > 1e-4 and g["readout"] > 1e-4 and g["loss"] > 0
    # finite differences on one weight that reads the first symbol ('A')
    col = int(tasks.LongGapTask(1, 1).encode("A")[0])
    batch = tasks.LongGapTask(1, 1).batch(ch2.recall_test_texts(1, config))

    def loss(m):
        with torch.no_grad():
            logits, _ = m(torch.as_tensor(batch.inputs))
        mask = torch.as_tensor(batch.mask)
        return float(torch.nn.functional.cross_entropy(
            logits[mask], torch.as_tensor(batch.targets)[mask]))

    import copy
    m = copy.deepcopy(model).double()
    eps, grad_fd = 1e-6, np.zeros(4)
    for j in range(4):
        for sign in (1, -1):
            with torch.no_grad():
                m.rnn.weight_ih_l0[j, col] += sign * eps
            grad_fd[j] += sign * loss(m) / (2 * eps)
            with torch.no_grad():
                m.rnn.weight_ih_l0[j, col] -= sign * eps
    assert np.linalg.norm(grad_fd) > 0
    assert np.linalg.norm(grad_fd) <= g["first"] + 1e-7  # one column of four
    # no memory (U = 0): the first symbol cannot reach the answer at all
    with torch.no_grad():
        model.rnn.weight_hh_l0.zero_()
    g0 = ch2.recall_gradients(model, 2, config)
    assert g0["first"] == 0.0 and g0["readout"] > 1e-4


def test_continue_recall_trains_a_copy():
    config = ch2.RecallConfig(gaps=(3,), hidden_size=4, steps=10, eval_every=5,
                              test_size=16)
    model = small_recall_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    res = ch2.continue_recall(model, 3, config, steps=4)
    assert res.steps == 4 and res.model is not model
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    assert not torch.equal(res.model.rnn.weight_hh_l0, before["rnn.weight_hh_l0"])


# ----------------------------------------------------- backpropagation through time


def test_bptt_figure_draws_one_backward_arc_per_step():
    fig = ch2.bptt_figure(steps=5)
    texts = [a.text for a in fig.layout.annotations]
    assert sum("× <i>J</i><sub>" in (t or "") for t in texts) == 5
    assert any("∂<i>L</i>/∂<i>h</i><sub>5</sub>" == t for t in texts)
    for t in range(1, 6):
        assert f"× <i>J</i><sub>{t}</sub>" in texts
    hover = list(fig.data[0].hovertext)
    assert any("backward: ∂L/∂h<sub>2</sub> = ∂L/∂h<sub>3</sub> J<sub>3</sub>" in h
               for h in hover)
    assert texts.count("<i>U</i>") == 5
    with pytest.raises(ValueError, match="steps must be"):
        ch2.bptt_figure(steps=9)


def test_with_spectral_radius_scales_u_and_gradients_become_powers_of_u():
    torch.manual_seed(5)
    rnn = torch.nn.RNN(3, 4, batch_first=True).double()
    with torch.no_grad():  # no input, no bias: h stays 0, every slope is 1
        rnn.weight_ih_l0.zero_(), rnn.bias_ih_l0.zero_(), rnn.bias_hh_l0.zero_()
    U0 = rnn.weight_hh_l0.detach().clone()
    for rho in (0.5, 2.0):
        scaled = ch2.with_spectral_radius(rnn, rho)
        U = scaled.weight_hh_l0.detach().numpy()
        assert ch2.spectral_radius(U) == pytest.approx(rho, rel=1e-12)
        g = ch2.gradient_norms(scaled, np.zeros((2, 12), dtype=int))
        for d in (1, 5, 11):  # dh_T/dh_{T-d} = U^d exactly
            assert g[d] == pytest.approx(
                np.linalg.norm(np.linalg.matrix_power(U, d), 2), rel=1e-10)
        assert (g[11] > 1.0) == (rho > 1)
    assert torch.equal(rnn.weight_hh_l0, U0)  # the original is untouched
    with pytest.raises(ValueError, match="rho"):
        ch2.with_spectral_radius(rnn, -1.0)
    with pytest.raises(ValueError, match="torch.nn.RNN"):
        ch2.with_spectral_radius(torch.nn.LSTM(3, 4), 1.0)


def latch_torch(b: float, latch) -> tuple[float, float]:
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    L = 0
    for s in (1, -1):
        h = torch.tanh(latch.w * s + bt)
        for _ in range(latch.steps - 1):
            h = torch.tanh(latch.u * h + bt)
        L = L + (h - s * latch.target) ** 2
    L.backward()
    return float(L.detach()), float(bt.grad)


@pytest.mark.parametrize("b", [-1.0, -0.6, -0.5484, -0.5, 0.0, 0.25, 0.7])
def test_latch_bptt_matches_torch_autograd(b):
    latch = ch2.Latch()
    L, g = ch2.latch_loss_grad(b, latch)
    L_t, g_t = latch_torch(b, latch)
    assert L == pytest.approx(L_t, rel=1e-12, abs=1e-15)
    assert g == pytest.approx(g_t, rel=1e-9, abs=1e-15)
    short = ch2.Latch(steps=5, u=0.7)
    assert ch2.latch_loss_grad(b, short)[1] == pytest.approx(
        latch_torch(b, short)[1], rel=1e-9, abs=1e-15)


def test_latch_forward_and_sensitivity():
    latch = ch2.Latch(steps=6)
    h = ch2.latch_forward(0.1, -1, latch)
    assert h[0] == pytest.approx(math.tanh(-3.0 + 0.1), abs=1e-15)
    assert h[3] == pytest.approx(math.tanh(2 * h[2] + 0.1), abs=1e-15)
    s = ch2.latch_sensitivity(0.1, -1, latch)
    assert s.shape == (6,) and s[-1] == 1.0
    # dh_T/dh_t by finite differences: restart the loop from a nudged h_t
    for t in range(5):
        def h_T(v, t=t):
            for _ in range(t + 1, 6):
                v = math.tanh(latch.u * v + 0.1)
            return v
        fd = (h_T(h[t] + 1e-7) - h_T(h[t] - 1e-7)) / 2e-7
        assert s[t] == pytest.approx(fd, rel=1e-5)
    with pytest.raises(ValueError, match="s must be"):
        ch2.latch_forward(0.0, 0)


def test_clip_by_norm_is_torchs_clip_grad_norm():
    g = np.array([3.0, -4.0])
    assert np.allclose(ch2.clip_by_norm(g, 1.0), [0.6, -0.8], atol=1e-15)
    assert np.array_equal(ch2.clip_by_norm(g, 10.0), g)  # short enough: unchanged
    assert ch2.clip_by_norm(-958.0, 1.0) == pytest.approx(-1.0)
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_([p], 2.5)
    assert np.allclose(ch2.clip_by_norm(g, 2.5), p.grad.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="max_norm"):
        ch2.clip_by_norm(g, 0.0)


def test_descend_with_and_without_clipping_on_the_cliff():
    raw = ch2.descend(-1.0, lr=0.75, steps=50)
    clipped = ch2.descend(-1.0, lr=0.75, steps=50, clip=1.0)
    assert len(raw) == 51 and raw[0].b == -1.0 and raw[-1].move == 0.0
    for path in (raw, clipped):
        for a, b in zip(path, path[1:]):
            assert b.b == pytest.approx(a.b + a.move, abs=1e-12)
            assert (a.loss, a.grad) == ch2.latch_loss_grad(a.b)
    assert all(abs(p.move) <= 0.75 + 1e-12 for p in clipped)
    assert all(p.move == pytest.approx(-0.75 * p.grad) for p in raw)
    # the raw run meets a giant gradient and is thrown into saturation
    big = max(raw, key=lambda p: abs(p.grad))
    assert abs(big.grad) > 100 and raw[-1].grad == 0.0 and raw[-1].loss > 3.5
    assert clipped[-1].loss < 0.01
    fig = ch2.cliff_figure({"raw": raw, "clipped": clipped}, points=201)
    assert [t.name for t in fig.data] == ["loss L(b)", "|dL/db|", "raw", "clipped"]
    assert max(fig.data[2].x) == 1.2  # b = 718 drawn at the edge, and noted
    assert any("raw: b = 718" in a.text for a in fig.layout.annotations)


# -------------------------------------------------------------- the shipped sweep


def test_shipped_recall_sweep_loads_and_one_run_reproduces():
    runs, config = ch2.load_recall_runs()
    want = {(k, g, s) for g in config.gaps for k in config.kinds for s in config.seeds}
    assert {(r.kind, r.gap, r.seed) for r in runs} == want
    shipped = next(r for r in runs if (r.kind, r.gap, r.seed) == ("lstm", 5, 1))
    again = ch2.recall_run("lstm", 5, 1, config)
    assert (again.steps, again.accuracy) == (shipped.steps, shipped.accuracy)
    for a, b in zip(again.model.state_dict().values(),
                    shipped.model.state_dict().values()):
        assert torch.equal(a, b)


def test_recall_runs_round_trip_and_a_corrupt_file_is_named(tmp_path):
    config = ch2.RecallConfig(gaps=(2,), seeds=(0,), steps=10, eval_every=5)
    runs = [ch2.recall_run("rnn", 2, 0, config)]
    path = tmp_path / "sweep.npz"
    ch2.save_recall_runs(runs, config, path)
    back, back_config = ch2.load_recall_runs(path)
    assert back_config == config and len(back) == 1
    assert (back[0].kind, back[0].gap, back[0].accuracy) == ("rnn", 2,
                                                             runs[0].accuracy)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="expected a .npz written by save_recall"):
        ch2.load_recall_runs(bad)
