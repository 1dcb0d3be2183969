"""Chapter 3's diagrams, what-ifs and experiments, checked against the equations,
torch and the hand-set sentence network's weight table."""

import math

import numpy as np
import pytest
import torch

from lstm_tutorial import cells, gates, handset, models
from lstm_tutorial.chapters import ch03_lstm as ch3
from lstm_tutorial.cells import Override, Trace
from lstm_tutorial.text import UnknownTokenError

TANH1 = math.tanh(1.0)  # h of a saturated memory cell holding 1: o = 1, c = 1


@pytest.fixture(scope="module")
def net():
    return handset.sentence_lstm()


@pytest.fixture(scope="module")
def sentence(net):
    return handset.tokenize(handset.FRANCE), net.trace(handset.FRANCE)


# ----------------------------------------------------------------- ActivationLSTM


def copy_weights(src: torch.nn.Module, dst: torch.nn.Module) -> None:
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(dst, name).copy_(getattr(src, name))


def test_standard_activations_equal_nn_lstm():
    torch.manual_seed(0)
    ref = torch.nn.LSTM(3, 5, batch_first=True).double()
    ours = models.ActivationLSTM(3, 5).double()
    copy_weights(ref, ours)
    x = torch.randn(2, 9, 3, dtype=torch.float64)
    h0 = torch.randn(1, 2, 5, dtype=torch.float64)
    c0 = torch.randn(1, 2, 5, dtype=torch.float64)
    with torch.no_grad():
        out_ref, (h_ref, c_ref) = ref(x, (h0, c0))
        out, (h, c) = ours(x, (h0, c0))
    for a, b in ((out, out_ref), (h, h_ref), (c, c_ref)):
        assert a.shape == b.shape
        assert (a - b).abs().max().item() < 1e-12


@pytest.mark.parametrize("gate, cell", [("tanh", "sigmoid"), ("sigmoid", "sigmoid"),
                                        ("tanh", "tanh")])
def test_swapped_activations_follow_the_equations(gate, cell):
    """A plain-Python loop over units of the docstring's equations."""
    torch.manual_seed(1)
    m = models.ActivationLSTM(2, 3, gate=gate, cell=cell).double()
    x = torch.randn(1, 6, 2, dtype=torch.float64)
    with torch.no_grad():
        out, _ = m(x)
    fn = {"sigmoid": lambda v: 1 / (1 + math.exp(-v)), "tanh": math.tanh}
    W, U = m.weight_ih_l0.detach().numpy(), m.weight_hh_l0.detach().numpy()
    b = (m.bias_ih_l0 + m.bias_hh_l0).detach().numpy()
    H = 3
    h, c = [0.0] * H, [0.0] * H
    for t in range(6):
        xt = x[0, t].numpy()
        pre = [float(W[r] @ xt + U[r] @ np.array(h) + b[r]) for r in range(4 * H)]
        new_h = []
        for k in range(H):
            i, f = fn[gate](pre[k]), fn[gate](pre[H + k])
            g, o = fn[cell](pre[2 * H + k]), fn[gate](pre[3 * H + k])
            c[k] = f * c[k] + i * g
            new_h.append(o * fn[cell](c[k]))
        h = new_h
        assert np.allclose(out[0, t].numpy(), h, atol=1e-12, rtol=0)


def test_activation_lstm_rejects_bad_input():
    with pytest.raises(ValueError, match="gate must be one of"):
        models.ActivationLSTM(2, 3, gate="relu")
    with pytest.raises(ValueError, match="hidden_size must be a positive int"):
        models.ActivationLSTM(2, 0)
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, 2\)"):
        models.ActivationLSTM(2, 3)(torch.zeros(4, 2))


# ----------------------------------------------------------------- diagrams


def test_four_networks_figure_names_the_four_networks():
    fig = ch3.four_networks_figure()
    texts = " ".join(a.text for a in fig.layout.annotations)
    for name in ("FORGET", "LEARN", "COMBINE", "USE"):
        assert f"<b>{name}</b>" in texts
    assert len(fig.layout.shapes) >= 4 and not fig.layout.sliders
    # the book's notation: f = sigma(W_f x_t + U_f h_{t-1} + b_f), one per layer
    for k in "ifgo":
        label = f"W<sub>{k}</sub>x<sub>t</sub> + U<sub>{k}</sub>h<sub>t−1</sub>"
        assert label in texts
    # every arrow head points along an axis (no skewed heads)
    for a in fig.layout.annotations:
        if a.showarrow:
            assert a.x == a.ax or a.y == a.ay, (a.x, a.y, a.ax, a.ay)


def test_cell_figure_without_a_trace_marks_the_layers():
    fig = ch3.lstm_cell_figure()
    assert len(fig.data) == 1 and not fig.layout.sliders
    assert list(fig.data[0].text[:4]) == ["σ", "σ", "tanh", "σ"]  # f, i, g, o


def test_cell_figure_slider_shows_each_units_values(net, sentence):
    words, tr = sentence
    T, H = tr.h.shape
    fig = ch3.lstm_cell_figure(tr, words, unit_names=net.unit_names, unit=4)
    steps = fig.layout.sliders[0].steps
    assert len(steps) == T
    assert [s.label for s in steps] == words
    for t in (0, words.index("ate"), words.index("but"), T - 1):
        update, idx = steps[t].args
        assert list(idx) == list(range(2 * H + 1))
        for u in range(H):
            c_prev = tr.c[t - 1, u] if t else 0.0
            h_prev = tr.h[t - 1, u] if t else 0.0
            expected = [tr.f[t, u], tr.i[t, u], tr.g[t, u], tr.o[t, u], c_prev, h_prev,
                        tr.c[t, u], tr.h[t, u]]
            assert np.allclose(update["marker.color"][2 * u], expected, atol=0.006)
            assert update["text"][2 * u] == [f"{v:.2f}" for v in
                                             np.round(expected, 2) + 0.0]
            fc, ig, th = update["text"][2 * u + 1]
            assert fc == f"= {tr.f[t, u] * c_prev:.2f}"
            assert ig == f"= {tr.i[t, u] * tr.g[t, u]:.2f}"
            assert th == f"= {math.tanh(tr.c[t, u]):.2f}"
        assert words[t] in update["text"][-1][0]
    # the unit buttons show exactly one unit's two traces (and the word)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == list(net.unit_names)
    for u, b in enumerate(buttons):
        visible = b.args[0]["visible"]
        assert [k for k, v in enumerate(visible) if v] == [2 * u, 2 * u + 1, 2 * H]
    assert [d.visible for d in fig.data[:2 * H]].count(True) == 2
    assert fig.data[8].visible and fig.data[9].visible  # unit 4 first


def test_cell_figure_opens_at_the_chosen_step(net, sentence):
    words, tr = sentence
    t = words.index("frank")
    fig = ch3.lstm_cell_figure(tr, words, unit_names=net.unit_names, unit=3,
                                     step=t)
    assert fig.layout.sliders[0].active == t
    update, _ = fig.layout.sliders[0].steps[t].args
    for k in range(2 * tr.h.shape[1]):  # what is drawn = that step's restyle
        assert list(fig.data[k].text) == list(update["text"][k])
    assert "frank" in fig.data[-1].text[0]
    with pytest.raises(ValueError, match=r"step must be in \[0, 15\)"):
        ch3.lstm_cell_figure(tr, words, step=15)


def test_cell_figure_rejects_bad_input(net, sentence):
    words, tr = sentence
    with pytest.raises(ValueError, match="tokens must hold 15 tokens"):
        ch3.lstm_cell_figure(tr, words[:-1])
    with pytest.raises(ValueError, match=r"unit must be in \[0, 6\)"):
        ch3.lstm_cell_figure(tr, words, unit=6)
    gru = cells.GRU({"weight_ih_l0": np.zeros((6, 2)), "weight_hh_l0": np.zeros((6, 2)),
                     "bias_ih_l0": np.zeros(6), "bias_hh_l0": np.zeros(6)})
    with pytest.raises(ValueError, match="LSTM trace"):
        ch3.lstm_cell_figure(gru.trace(np.zeros((3, 2))), "abc")
    batched = net.model.trace(np.stack([net.encode(handset.FRANCE)] * 2))
    with pytest.raises(ValueError, match="one sequence"):
        ch3.lstm_cell_figure(batched, words)


def test_cell_vs_hidden_panels_hold_c_o_and_h(net, sentence):
    words, tr = sentence
    fig = ch3.cell_vs_hidden_figure(tr, words, unit_names=net.unit_names)
    c, o, h = (np.array(d.z, dtype=float) for d in fig.data)  # (H, T) each
    assert c.shape == (6, 15)
    assert np.allclose(c, tr.c.T, atol=5e-4) and np.allclose(h, tr.h.T, atol=5e-4)
    assert np.allclose(h, o * np.tanh(c), atol=2e-3)  # h = o tanh(c), from the panels
    assert list(fig.data[0].y) == list(net.unit_names)
    with pytest.raises(ValueError, match="one token per step"):
        ch3.cell_vs_hidden_figure(tr, words[:3])


# ----------------------------------------------------------------- what-ifs


def test_forget_gate_open_at_but_keeps_eating(net, sentence):
    words, built = sentence
    t_but, t_the = words.index("but"), words.index("the")
    eating = net.unit("eating")
    run = ch3.what_if(net, handset.FRANCE, [Override(t_but, "f", "eating", 1.0)])
    assert built.c[t_the, eating] == pytest.approx(0.0, abs=1e-12)
    kept = run.c[t_but:, eating]
    assert kept == pytest.approx(np.ones(len(words) - t_but), abs=1e-12)
    # after "the": croissant = 4 h[France] + 4 h[eating] - 4, wine = 2 h[France]
    s = dict(zip(net.outputs, run.logits[t_the]))
    assert s["croissant"] == pytest.approx(8 * TANH1 - 4, abs=1e-9)
    assert s["wine"] == pytest.approx(2 * TANH1, abs=1e-9)
    assert max(s, key=s.get) == "croissant"
    # earlier steps are untouched
    assert np.array_equal(run.c[:t_but], built.c[:t_but])


def test_what_if_takes_unit_names_and_checks_steps(net):
    by_name = ch3.what_if(net, handset.FRANCE, [Override(3, "i", "eating", 1.0)])
    by_index = ch3.what_if(net, handset.FRANCE, [Override(3, "i", 4, 1.0)])
    assert np.array_equal(by_name.c, by_index.c)
    with pytest.raises(ValueError, match=r"t must be in \[0, 15\)"):
        ch3.what_if(net, handset.FRANCE, [Override(15, "f", "eating", 1.0)])
    with pytest.raises(UnknownTokenError, match="unknown unit 'hungry'"):
        ch3.what_if(net, handset.FRANCE, [Override(1, "f", "hungry", 1.0)])
    with pytest.raises(ValueError, match="cells.Override"):
        ch3.what_if(net, handset.FRANCE, [(1, "f", 4, 1.0)])


def test_what_if_figure_buttons_switch_the_scenario(net, sentence):
    words, built = sentence
    t_but, t_the = words.index("but"), words.index("the")
    scenarios = {"as built": [], "open": [Override(t_but, "f", "eating", 1.0)]}
    fig = ch3.what_if_figure(net, handset.FRANCE, scenarios, step=t_the)
    assert np.allclose(np.array(fig.data[0].z, dtype=float), built.c.T, atol=5e-4)
    bars = dict(zip(fig.data[1].x, fig.data[1].y))
    assert set(bars) == {"croissant", "pizza", "wine"}  # the words with any score
    assert bars["wine"] == pytest.approx(2 * TANH1, abs=1e-3)
    b_built, b_open = fig.layout.updatemenus[0].buttons
    z_open = np.array(b_open.args[0]["z"][0], dtype=float)
    assert z_open[net.unit("eating"), t_the] == pytest.approx(1.0)
    assert "title.text" not in b_open.args[1]  # the buttons name the scenario
    (frame,) = b_open.args[1]["shapes"]
    assert (frame["x0"], frame["y0"]) == (t_but - 0.5, net.unit("eating") - 0.5)
    assert frame["line"]["color"] == gates.colour("f")  # the forced gate's colour
    named = [a["text"] for a in b_open.args[1]["annotations"]]
    assert "<b>f = 1</b> forced" in named
    assert "the other 15 words: 0 in every scenario" in named
    assert b_built.args[1]["shapes"] == []
    # a unique top word is dark; a tie (no country known) highlights nothing
    tie = {"as built": [], "no country": [Override(1, "i", "seen France", 0.0)]}
    fig = ch3.what_if_figure(net, handset.FRANCE, tie, step=t_the)
    built_colours, tie_colours = (b.args[0]["marker.color"][1]
                                  for b in fig.layout.updatemenus[0].buttons)
    assert built_colours.count("#1f77b4") == 1
    assert "#1f77b4" not in tie_colours
    with pytest.raises(ValueError, match="at least one"):
        ch3.what_if_figure(net, handset.FRANCE, {})


def test_word_step_through_opens_at_the_chosen_word(net, sentence):
    words, tr = sentence
    t = words.index("frank")
    fig = ch3.word_step_through(tr, words, unit_names=net.unit_names, step=t)
    assert fig.layout.sliders[0].active == t
    strip, gates, states = fig.data
    assert strip.z[0][t] == 2 and strip.z[0][t - 1] == 1  # frank is current
    # gates panel rows i, f, o of each unit at 'frank', states g, c, h
    assert np.allclose(np.array(gates.z, dtype=float),
                       np.stack([tr.i[t], tr.f[t], tr.o[t]], -1), atol=1e-3)
    assert np.allclose(np.array(states.z, dtype=float),
                       np.stack([tr.g[t], tr.c[t], tr.h[t]], -1), atol=1e-3)
    assert gates.colorbar.title.side == "right" == states.colorbar.title.side
    with pytest.raises(ValueError, match=r"step must be in \[0, 15\)"):
        ch3.word_step_through(tr, words, step=-1)
    with pytest.raises(ValueError, match="no slider"):
        ch3.start_at(ch3.four_networks_figure(), 0)


def test_sentence_what_if_control(net):
    control = ch3.SentenceWhatIf(net, [handset.FRANCE, handset.ITALY],
                                       unit="eating")
    st = control.stepper
    t_but, t_the = 7, 12
    st.step.value = t_the
    assert control.predictions.value.split(": ")[1].startswith("wine 1.52")
    st.step.value = t_but
    st.gate.value = "f"
    st.value.value = 1.0
    st.apply.click()
    st.step.value = t_the
    assert control.predictions.value.split(": ")[1].startswith("croissant 2.09")
    st.step.value = 4  # 'ate': her, his, croissant and pizza score (top 3)
    assert control.predictions.value.endswith("1 more below; every other word 0.00")
    control.text.value = "In France, Mary ate her pizza"  # a new sentence
    assert control.stepper is not st and control.stepper.tokens[-1] == "pizza"
    assert control.message.value == ""
    kept = control.stepper
    control.text.value = "In Spain, Mary ate"  # not in the vocabulary
    assert "spain" in control.message.value and control.stepper is kept
    with pytest.raises(ValueError, match="word-level"):
        ch3.SentenceWhatIf(handset.counter_lstm(), ["aaXbb"])


# ----------------------------------------------------------------- experiments


def test_trace_matches_forward_and_the_cell_update():
    torch.manual_seed(2)
    m = models.ActivationLSTM(3, 4, gate="tanh", cell="sigmoid")
    x = torch.randn(2, 5, 3)
    with torch.no_grad():
        out, (h_n, c_n) = m(x)
    tr = m.trace(x)
    assert isinstance(tr, Trace) and tr.kind == "lstm" and tr["h"].shape == (2, 5, 4)
    assert np.allclose(tr["h"], out.numpy(), atol=1e-6)
    assert np.allclose(tr["c"][:, -1], c_n[0].numpy(), atol=1e-6)
    c_prev = np.concatenate([np.zeros((2, 1, 4)), tr["c"][:, :-1]], axis=1)
    assert np.allclose(tr["c"], tr["f"] * c_prev + tr["i"] * tr["g"], atol=1e-6)
    assert np.allclose(tr["h"], tr["o"] / (1 + np.exp(-tr["c"])), atol=1e-6)


def test_swap_model_keeps_the_built_initial_weights():
    from lstm_tutorial.tasks import CountingTask
    from lstm_tutorial.train import TrainConfig, build_model

    task, cfg = CountingTask(), TrainConfig(seed=3, hidden_size=6)
    built = build_model(task, cfg)
    swapped = ch3.swap_model(task, cfg, "tanh", "sigmoid")
    assert isinstance(swapped.rnn, models.ActivationLSTM)
    for k, v in built.state_dict().items():
        assert torch.equal(v, swapped.state_dict()[k]), k
    standard = ch3.swap_model(task, cfg, "sigmoid", "tanh")
    ids = torch.as_tensor(task.encode("aaaXbbb"))[None]
    with torch.no_grad():
        assert torch.allclose(standard(ids)[0], built(ids)[0], atol=1e-6)
    with pytest.raises(ValueError, match="one layer"):
        ch3.swap_model(task, TrainConfig(num_layers=2), "tanh", "tanh")


def test_swap_experiment_rows_and_the_all_sigmoid_sign():
    torch.manual_seed(0)
    config = ch3.SwapConfig(n_max=3, hidden_size=4, steps=40, seeds=(0,),
                                  n_cap=10)
    variants = {"standard": ("sigmoid", "tanh"), "all sigmoid": ("sigmoid", "sigmoid")}
    rows = ch3.swap_experiment(config, variants)
    assert [(r["variant"], r["seed"]) for r in rows] == [("standard", 0),
                                                         ("all sigmoid", 0)]
    for r in rows:
        assert 1 <= r["steps"] <= 40 and 0 <= r["limit"] <= 10
        assert 0.0 <= r["sequence"] <= 1.0
    # f, i, g in (0, 1) and c_0 = 0: every cell state is positive
    assert rows[1]["min_c"] > 0
    assert 0 < rows[0]["min_f"] < 1  # a sigmoid forget gate stays a fraction
    with pytest.raises(ValueError, match="pair activations"):
        ch3.swap_experiment(config, {"bad": ("relu", "tanh")})


def test_forget_bias_experiment_starts_the_gate_at_sigma_of_the_bias():
    config = ch3.ForgetBiasConfig(k_min=1, k_max=3, steps=10, eval_every=5,
                                        seeds=(0,), biases=(0.0, 1.0))
    rows = ch3.forget_bias_experiment(config)
    assert [r["bias"] for r in rows] == [0.0, 1.0]
    # weights ~ U(-1/sqrt(10), 1/sqrt(10)) move f only a little from sigma(b_f)
    assert rows[0]["f0"] == pytest.approx(0.5, abs=0.06)
    assert rows[1]["f0"] == pytest.approx(1 / (1 + math.exp(-1)), abs=0.06)
    for r in rows:
        assert 0 < r["f_end"] < 1
        assert [s for s, _ in r["curve"]] == [5, 10][: len(r["curve"])]
        assert all(0 <= a <= 1 for _, a in r["curve"])
    fig = ch3.forget_bias_figure(rows)
    assert len(fig.data) == 2 and [d.showlegend for d in fig.data] == [True, True]


def test_summary_table_lists_seeds_medians_and_lowest():
    rows = [{"v": "a", "n": 3, "x": 0.5, "s": None}, {"v": "a", "n": 1, "x": -0.25,
                                                      "s": 7},
            {"v": "a", "n": 2, "x": 1.0, "s": 9}, {"v": "b", "n": 4, "x": 2.0, "s": 1},
            {"v": "b", "n": 4, "x": 2.0, "s": 3}]
    text = ch3.summary_table(rows, "v", {"n": "N", "x": "x", "s": "solved"},
                                   lowest=("x",))
    assert text.splitlines() == [
        "v  N           x      solved",
        "-  ----------  -----  ----------",
        "a  3 1 2  (2)  -0.25  - 7 9  (9)",
        "b  4           2      1 3  (2)",
    ]
    with pytest.raises(ValueError, match="rows have no"):
        ch3.summary_table(rows, "v", {"y": "y"})


def test_sign_sources_finds_the_flip_and_the_negative_write():
    """A hand-made ActivationLSTM with tanh gates: unit 0 counts the a's
    (+1 each), its forget gate is -1 at X; unit 1 writes i * g = -1 on each b
    through a negative input gate and a positive candidate."""
    from lstm_tutorial.models import CharModel
    from lstm_tutorial.tasks import CountingTask

    task = CountingTask(1, 10)
    a, X, b = (task.encode(ch)[0] for ch in "aXb")
    model = CharModel("lstm", task.vocab_size, 2)
    rnn = models.ActivationLSTM(task.vocab_size, 2, gate="tanh", cell="tanh")
    sat = 40.0
    with torch.no_grad():
        for p in rnn.parameters():
            p.zero_()
        W, bias = rnn.weight_ih_l0, rnn.bias_ih_l0  # rows i | f | g | o, H = 2
        bias[:] = sat  # every gate open (tanh(40) = 1), every candidate +1
        W[0, X] = -sat  # unit 0 writes nothing at X ...
        W[2, X] = -2 * sat  # ... and its forget gate is tanh(-40) = -1 there
        W[0, b] = -sat  # ... and nothing on b
        W[1, a] = W[1, X] = -sat  # unit 1 writes nothing before the b's
        W[1, b] = -2 * sat  # i = tanh(-40) = -1 on b, g = +1: writes -1
    model.rnn = rnn
    got = ch3.sign_sources(model, task, n=4)
    flip, write = got["flip"], got["write"]
    assert flip["unit"] == 0 and flip["f"] == pytest.approx(-1.0, abs=1e-6)
    assert flip["c_before"] == pytest.approx(4 * math.tanh(sat), abs=1e-5)
    assert flip["c_at_x"] == pytest.approx(-4.0, abs=1e-5)
    assert write["unit"] == 1 and write["ig"] == pytest.approx(-1.0, abs=1e-6)
    assert write["i"] == pytest.approx(-1.0, abs=1e-6) and write["g"] > 0.99
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        ch3.sign_sources(model, task, n=0)


# ----------------------------------------------------------------- build-up helpers


def run_by_hand(values, marks, input_gate, forget_gate):
    """The cell state of gated_memory by its rule: a plain Python loop."""
    c, out = 0.0, []
    for v, m in zip(values, marks):
        write = (m == 1) if input_gate else True
        keep = (m == 0) if forget_gate else True
        c = (c if keep else 0.0) + (math.tanh(v) if write else 0.0)
        out.append(c)
    return out


@pytest.mark.parametrize("input_gate, forget_gate",
                         [(False, False), (True, False), (True, True)])
def test_gated_memory_follows_its_rule(input_gate, forget_gate):
    rng = np.random.default_rng(0)
    values = rng.uniform(-1, 1, 12)
    marks = np.zeros(12)
    marks[[0, 5, 9]] = 1
    cell = ch3.gated_memory(input_gate, forget_gate)
    assert (cell.input_size, cell.hidden_size) == (2, 1)
    tr = cell.trace(np.stack([values, marks], -1))
    expected = run_by_hand(values, marks, input_gate, forget_gate)
    assert np.allclose(tr.c[:, 0], expected, atol=1e-12, rtol=0)
    assert np.allclose(tr.h[:, 0], np.tanh(expected), atol=1e-12, rtol=0)


def test_weight_lines_wrap_within_the_width(net):
    rows = [r for r in net.table if r.unit == "eating"]
    text = ch3.weight_lines(rows, width=60)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 60
    assert lines[0].startswith("W_i[eating, *]") and "-40" in lines[0]
    assert " ".join(" ".join(lines).split()).count("someone eats") == 1
    with pytest.raises(ValueError, match="at least one"):
        ch3.weight_lines([])


# ----------------------------------------------------------------- the carousel


def lstm_model(H: int, I: int, seed: int, recurrent: bool = True) -> torch.nn.LSTM:
    torch.manual_seed(seed)
    m = torch.nn.LSTM(I, H, batch_first=True).double()
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-1.5, 1.5)  # larger than torch's init: gates off 0.5
        if not recurrent:
            m.weight_hh_l0.zero_()
    return m


def test_carousel_h_is_chapter_2s_gradient_norm():
    from lstm_tutorial.chapters import ch02_rnn as ch2

    m = lstm_model(4, 3, seed=0)
    ids = np.random.default_rng(0).integers(0, 3, size=(5, 9))
    got = ch3.carousel_gradients(m, ids)
    assert set(got) == {"c", "h", "line"} and all(v.shape == (9,) for v in got.values())
    assert np.max(np.abs(got["h"] - ch2.gradient_norms(m, ids))) <= 1e-12
    assert got["c"][0] == pytest.approx(1.0, abs=1e-12)  # d = 0: the identity
    assert got["line"][0] == 1.0


def test_carousel_without_recurrence_is_the_cell_line_alone():
    """U = 0: c_T depends on c_t only along the line, dc_T/dc_t = diag(prod f),
    and h_T not at all on h_t."""
    m = lstm_model(3, 2, seed=1, recurrent=False)
    ids = np.random.default_rng(1).integers(0, 2, size=(4, 12))
    got = ch3.carousel_gradients(m, ids)
    assert np.allclose(got["c"], got["line"], atol=1e-12, rtol=0)
    assert np.all(got["h"][1:] == 0)
    # a constant forget gate: f = sigma(b_f) at every step, so line[d] = f^d
    with torch.no_grad():
        m.weight_ih_l0.zero_()
        m.bias_ih_l0.zero_()
        m.bias_hh_l0.zero_()
        m.bias_ih_l0[3:6] = 0.5  # rows i | f | g | o, H = 3: b_f = 0.5
    got = ch3.carousel_gradients(m, ids)
    f = 1 / (1 + math.exp(-0.5))
    assert np.allclose(got["line"], f ** np.arange(12), atol=1e-12, rtol=0)
    assert np.allclose(got["c"], f ** np.arange(12), atol=1e-12, rtol=0)


def test_carousel_c_matches_a_finite_difference():
    """One unit, one sequence: dc_T/dc_t is a number; nudge c_t in the numpy
    cell (h_t held), run on, and compare."""
    m = lstm_model(1, 2, seed=2)
    ids = np.random.default_rng(2).integers(0, 2, size=(1, 10))
    got = ch3.carousel_gradients(m, ids)
    cell = cells.LSTM.from_torch(m)
    x = np.eye(2)[ids[0]]  # (T, I)
    tr = cell.trace(x)
    eps = 1e-6
    for t in (0, 4, 8):
        ends = []
        for s in (eps, -eps):
            rest = cell.trace(x[t + 1:], h0=tr.h[t][None], c0=tr.c[t][None] + s)
            ends.append(rest.c[-1, 0])
        fd = (ends[0] - ends[1]) / (2 * eps)
        assert abs(got["c"][9 - t]) == pytest.approx(abs(fd), abs=1e-7)


def test_carousel_of_the_hand_set_counter_is_exact():
    net = handset.counter_lstm()
    ids = net.encode("a" * 5 + "X" + "b" * 5)[None]  # (1, 11)
    got = ch3.carousel_gradients(net.to_torch(), ids)
    assert np.all(got["c"] == 1.0) and np.all(got["line"] == 1.0)
    assert got["h"][0] == 1.0 and np.all(got["h"][1:] == 0.0)


def test_carousel_rejects_bad_input():
    m = lstm_model(2, 3, seed=0)
    with pytest.raises(ValueError, match="one-layer torch LSTM"):
        ch3.carousel_gradients(torch.nn.GRU(3, 2, batch_first=True), [[0, 1]])
    with pytest.raises(ValueError, match="shape"):
        ch3.carousel_gradients(m, [0, 1, 2])
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        ch3.carousel_gradients(m, [[0, 3]])


def test_forget_bias_rows_keep_the_models_before_and_after():
    config = ch3.ForgetBiasConfig(k_min=1, k_max=3, steps=10, eval_every=5,
                                  seeds=(0,), biases=(1.0,))
    (r,) = ch3.forget_bias_experiment(config)
    H = config.hidden_size
    b_f = (r["initial"].rnn.bias_ih_l0 + r["initial"].rnn.bias_hh_l0)[H:2 * H]
    assert torch.allclose(b_f, torch.ones(H))  # as built: b_f = 1
    assert r["model"] is not r["initial"]
    assert not torch.equal(r["model"].rnn.weight_hh_l0, r["initial"].rnn.weight_hh_l0)


# ----------------------------------------------------------------- the lamp


def test_lamp_machine_toggles_on_presses():
    assert ch3.lamp_machine("pwppw") == [1, 1, 0, 1, 1]
    assert ch3.lamp_machine("") == []
    with pytest.raises(ValueError, match="press"):
        ch3.lamp_machine("px")


def test_toggle_agreement_counts_and_finds_the_first_wrong():
    lamp = handset.toggle_lstm()
    ok = ch3.toggle_agreement(lamp, max_len=8)
    assert (ok.strings, ok.agree, ok.steps) == (510, 510, sum(L * 2**L for L in
                                                              range(1, 9)))
    assert ok.all_agree and ok.first_wrong is None
    assert str(ok).startswith("510 of 510 input strings of length 1 to 8")
    stuck = ch3.toggle_agreement(ch3.without_recurrence(lamp), max_len=8)
    # U = 0: on for good after the first press, right only with <= 1 press
    assert stuck.agree == sum(L + 1 for L in range(1, 9)) and stuck.first_wrong == "pp"
    assert "the shortest that does not: 'pp'" in str(stuck)
    with pytest.raises(ValueError, match="lamp network"):
        ch3.toggle_agreement(handset.counter_lstm())
    with pytest.raises(ValueError, match="max_len"):
        ch3.toggle_agreement(lamp, max_len=0)
