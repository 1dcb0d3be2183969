"""Figure builders: rows, slider steps, values at known positions, colour ranges."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from lstm_tutorial import cells, style, viz


def random_params(kind: str, I: int, H: int, seed: int, layers: int = 1) -> dict:
    """torch-layout weights drawn from N(0, 1): G*H rows per matrix."""
    G = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    rng = np.random.default_rng(seed)
    p = {}
    for k in range(layers):
        p[f"weight_ih_l{k}"] = rng.normal(size=(G * H, I if k == 0 else H))
        p[f"weight_hh_l{k}"] = rng.normal(size=(G * H, H))
        p[f"bias_ih_l{k}"] = rng.normal(size=G * H)
        p[f"bias_hh_l{k}"] = rng.normal(size=G * H)
    return p


@pytest.fixture(scope="module")
def lstm_trace():
    """An LSTM run on 3 sequences of 7 steps, 4 units; inputs large enough that
    some cell states leave [-1, 1]."""
    cell = cells.LSTM(random_params("lstm", 3, 4, seed=0))
    x = np.random.default_rng(1).normal(size=(3, 7, 3)) * 3
    return cell.trace(x)


@pytest.fixture(scope="module")
def gru_trace():
    cell = cells.GRU(random_params("gru", 3, 5, seed=2))
    return cell.trace(np.random.default_rng(3).normal(size=(2, 6, 3)))


@pytest.fixture(scope="module")
def rnn_trace():
    cell = cells.RNN(random_params("rnn", 2, 3, seed=4))
    return cell.trace(np.random.default_rng(5).normal(size=(5, 2)))


TEXTS = ["abcdefg", "aaXbb.", "ab cd"]  # rows 1 and 2 are shorter than T = 7


def close(a, b, tol=1e-3):
    """Figure values (rounded to 3 decimals, None for gaps) against trace values."""
    a = np.array([[np.nan if v is None else v for v in row] for row in a], float) if (
        np.ndim(a) == 2) else np.array([np.nan if v is None else v for v in a], float)
    return np.allclose(a, b, atol=tol, rtol=0, equal_nan=True)


# ----------------------------------------------------------------- names, colours


def test_labels_use_the_books_names():
    assert viz.quantity_label("f") == "forget gate f"
    assert viz.quantity_label("remember") == "forget gate f"
    assert viz.quantity_label("g") == "candidate g"
    assert viz.quantity_label("c", "peephole") == "cell state c"
    assert viz.quantity_label("z", "gru") == "update gate z"
    assert viz.quantity_label("candidate", "gru") == "candidate n"
    assert viz.is_gate("i") and viz.is_gate("o") and not viz.is_gate("g")
    assert viz.is_gate("r", "gru") and not viz.is_gate("n", "gru")
    with pytest.raises(ValueError, match="kind must be"):
        viz.quantity_label("h", "transformer")


def test_colour_scales_red_white_blue_and_white_blue_for_gates():
    d = viz.colour_range("h")
    assert (d["zmin"], d["zmax"]) == (-1.0, 1.0)
    scale = d["colorscale"]
    assert scale[0] == [0.0, "rgb(178,24,43)"]  # red at -1
    assert scale[len(scale) // 2] == [0.5, "rgb(255,255,255)"]  # white at 0
    assert scale[-1] == [1.0, "rgb(33,102,172)"]  # blue at +1
    g = viz.colour_range("f")
    assert (g["zmin"], g["zmax"]) == (0.0, 1.0)
    assert g["colorscale"][0][1] == "rgb(255,255,255)"
    assert g["colorbar"]["title"]["text"] == "gate, 0 to 1"
    assert viz.colour_range("n", "gru")["zmin"] == -1.0  # a candidate, not a gate
    pre = viz.colour_range("pre_f", values=[-3.5, 2.0])
    assert (pre["zmin"], pre["zmax"]) == (-3.5, 3.5)


def test_unit_labels_names_where_given():
    assert viz.unit_labels(3) == ["unit 0", "unit 1", "unit 2"]
    assert viz.unit_labels(3, {1: "seen France"}) == ["unit 0", "seen France", "unit 2"]
    assert viz.unit_labels(2, ["a", "a"]) == ["a (0)", "a (1)"]
    with pytest.raises(ValueError, match="3 names"):
        viz.unit_labels(3, ["a", "b"])


# ----------------------------------------------------------------- char heatmap


def test_char_heatmap_rows_values_text_and_range(lstm_trace):
    fig = viz.char_heatmap(lstm_trace, TEXTS, "c", 2)
    (hm,) = fig.data
    assert hm.type == "heatmap"
    assert len(hm.z) == 3 and len(hm.z[0]) == 7  # a row per sequence, a cell per step
    c = lstm_trace.c[..., 2]
    for b, text in enumerate(TEXTS):
        n = len(text)
        assert close(hm.z[b][:n], c[b, :n])
        assert all(v is None for v in hm.z[b][n:])  # padding is blank
        assert list(hm.text[b][:n]) == [style.shown(ch) for ch in text]
    assert hm.text[2][2] == "\u2423"  # a space is drawn visibly
    assert (hm.zmin, hm.zmax) == (-1, 1) and hm.colorscale[0][1] == "rgb(178,24,43)"
    # colour is clipped, the value is not: some |c| > 1 is kept in z for the hover
    assert np.abs(c).max() > 1
    assert max(abs(v) for row in hm.z for v in row if v is not None) > 1
    assert "cell state c" in hm.hovertemplate and "%{z:.3f}" in hm.hovertemplate
    assert "%{x}" in hm.hovertemplate and "%{text}" in hm.hovertemplate
    assert fig.layout.title.text == "cell state c, unit 2"


def test_char_heatmap_gate_scale_and_plain_values():
    vals = np.array([[0.1, 0.9, 0.5], [0.0, 1.0, 0.25]])
    fig = viz.char_heatmap(vals, ["abc", "xyz"], "f", unit=1, unit_name="ignore x")
    hm = fig.data[0]
    assert (hm.zmin, hm.zmax) == (0, 1)
    assert hm.colorbar.title.text == "gate, 0 to 1"
    assert list(hm.z[1]) == [0.0, 1.0, 0.25]
    assert "forget gate f, ignore x" in hm.hovertemplate
    one = viz.char_heatmap(np.array([0.5, -0.5]), "ab")  # (T,) and a bare str
    assert [list(r) for r in one.data[0].z] == [[0.5, -0.5]]


def test_char_heatmap_words_and_wrap(lstm_trace):
    words = [["In", "France", ",", "Mary", "ate", "her", "bread"]] * 3
    fig = viz.char_heatmap(lstm_trace, words, "h", 0)
    assert fig.data[0].text[0][1] == "France"
    wrapped = viz.char_heatmap(lstm_trace, TEXTS, "h", 1, wrap=3)
    hm = wrapped.data[0]
    # 7 -> 3 rows, 6 -> 2 rows, 5 -> 2 rows of at most 3 steps
    assert len(hm.z) == 7 and len(hm.z[0]) == 3
    assert [list(c) for c in hm.customdata[1]] == [[0, 3], [0, 4], [0, 5]]  # true step
    assert [list(c) for c in hm.customdata[3]] == [[1, 0], [1, 1], [1, 2]]
    assert "%{customdata[1]}" in hm.hovertemplate
    assert close(hm.z[1], lstm_trace.h[0, 3:6, 1])
    assert close(hm.z[3], lstm_trace.h[1, 0:3, 1])


def test_char_heatmap_bad_input(lstm_trace):
    with pytest.raises(ValueError, match="8 tokens but only 7"):
        viz.char_heatmap(lstm_trace, ["abcdefgh", "a", "b"])
    with pytest.raises(ValueError, match="3 row"):
        viz.char_heatmap(lstm_trace, ["abc"])
    with pytest.raises(ValueError, match=r"unit must be in \[0, 4\)"):
        viz.char_heatmap(lstm_trace, TEXTS, "h", 4)
    with pytest.raises(KeyError, match="no quantity 'q'"):
        viz.char_heatmap(lstm_trace, TEXTS, "q", 0)


# ----------------------------------------------------------------- overviews


def test_units_heatmap_is_units_by_time(lstm_trace):
    fig = viz.units_heatmap(lstm_trace, "h", seq=1, tokens="aaXbb.z",
                            unit_names={0: "counter"})
    hm = fig.data[0]
    assert len(hm.z) == 4 and len(hm.z[0]) == 7  # (H, T)
    assert close(hm.z, lstm_trace.h[1].T)
    assert hm.y[0] == "counter"
    assert list(fig.layout.xaxis.ticktext) == list("aaXbb.z")


def test_unit_internals_lstm_gru_rnn(lstm_trace, gru_trace, rnn_trace):
    fig = viz.unit_internals(lstm_trace, 3, seq=2, tokens="abcdefg")
    names = [d.name for d in fig.data]
    assert names == ["input gate i", "forget gate f", "output gate o",
                     "candidate g", "cell state c", "hidden state h"]
    for d, q in zip(fig.data, "ifogch"):
        assert close(d.y, lstm_trace[q][2, :, 3])
    assert {d.yaxis for d in fig.data[:3]} == {"y"} and fig.data[3].yaxis == "y2"
    g = viz.unit_internals(gru_trace, 1, seq=1)
    assert [d.name for d in g.data] == ["reset gate r", "update gate z",
                                        "candidate n", "hidden state h"]
    assert close(g.data[1].y, gru_trace.z[1, :, 1])
    r = viz.unit_internals(rnn_trace, 2)
    assert [d.name for d in r.data] == ["hidden state h"]
    assert close(r.data[0].y, rnn_trace.h[:, 2])


def test_states_at_step_rows_sorted_by_label(lstm_trace):
    fig = viz.states_at_step(lstm_trace, 3, ["cab", "abc", "bca"])
    hm = fig.data[0]
    assert list(hm.y) == ["abc", "bca", "cab"]
    assert close(hm.z, lstm_trace.h[[1, 2, 0], 3])
    per_seq = viz.states_at_step(lstm_trace, [0, 6, 2], ["x", "y", "z"], quantity="c",
                                 sort=False)
    expect = np.stack([lstm_trace.c[0, 0], lstm_trace.c[1, 6], lstm_trace.c[2, 2]])
    assert close(per_seq.data[0].z, expect)
    with pytest.raises(ValueError, match="step must be"):
        viz.states_at_step(lstm_trace, 7, ["x", "y", "z"])


def test_states_pca_keeps_distances_of_2d_states():
    # with 2 units PCA is a rotation: pairwise distances of the points stay
    rng = np.random.default_rng(6)
    S = rng.normal(size=(6, 1, 2))
    trace = {"kind": "rnn", "h": S}
    fig = viz.states_pca(trace, 0, list("abcdef"), groups=list("xxxyyy"))
    assert [d.name for d in fig.data] == ["x", "y"]
    P = np.array([[x, y] for d in fig.data for x, y in zip(d.x, d.y)])
    D = np.linalg.norm(P[:, None] - P[None], axis=-1)
    D0 = np.linalg.norm(S[:, 0, None] - S[None, :, 0], axis=-1)
    assert np.allclose(D, D0, atol=5e-3)
    assert "PC1" in fig.layout.xaxis.title.text


# ----------------------------------------------------------------- curves, tables


def test_training_curves_panels_and_runs():
    fig = viz.training_curves({"step": [0, 10, 20], "loss": [2.0, 1.0, 0.5],
                               "accuracy": [0.2, 0.6, 0.9]}, log_y=["loss"])
    assert [d.yaxis for d in fig.data] == ["y", "y2"]
    assert fig.data[0].x == (0, 10, 20) and fig.data[1].y == (0.2, 0.6, 0.9)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "linear"
    runs = viz.training_curves({"lstm": [{"loss": 1.0}, {"loss": 0.5}],
                                "rnn": [{"loss": 1.0}, {"loss": 0.9}]})
    assert [d.name for d in runs.data] == ["lstm", "rnn"]
    assert runs.data[1].y == (1.0, 0.9)


def test_line_chart_bars_and_table():
    lines = viz.line_chart({"rnn": [1.0, 0.5], "lstm": [1.0, 1.0]}, [5, 10],
                           xlabel="gap k", ylabel="accuracy")
    assert [d.name for d in lines.data] == ["rnn", "lstm"]
    with pytest.raises(ValueError, match="2 values for 3"):
        viz.line_chart({"a": [1, 2]}, [1, 2, 3])
    bars = viz.compare_bars({"rnn": {"count": 0.5, "copy": 0.25},
                             "lstm": {"count": 1.0}})
    assert bars.data[0].x == ("count", "copy") and bars.data[1].y[1] is None
    assert bars.data[0].text == ("0.50", "0.25")
    table = viz.table_figure([{"model": "rnn", "accuracy": 0.51234},
                              {"model": "lstm", "accuracy": 1.0}])
    assert [list(c) for c in table.data[0].cells.values] == [["rnn", "lstm"],
                                                        ["0.512", "1"]]


# ----------------------------------------------------------------- step-through


def moved_to(fig: go.Figure, k: int) -> go.Figure:
    """The figure after the page's slider moves to step k: apply that step's
    restyle to a copy (plotly.py follows plotly.js's restyle rules)."""
    step = fig.layout.sliders[0].steps[k]
    assert step.method == "restyle"
    moved = go.Figure(fig)
    moved.plotly_restyle(step.args[0], step.args[1])
    return moved


def test_step_through_slider_shows_trace_values_at_step(lstm_trace):
    names = ["seen France", "", "eating", None]
    fig = viz.step_through(lstm_trace, "aaXbb.z", seq=1, unit_names=names)
    assert len(fig.data) == 3 and not fig.frames
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 7
    assert list(fig.data[1].y) == ["seen France", "unit 1", "eating", "unit 3"]
    assert list(fig.data[1].x) == ["input gate i", "forget gate f", "output gate o"]
    assert list(fig.data[2].x) == ["candidate g", "cell state c", "hidden state h"]
    for k in (0, 4, 6):
        moved = moved_to(fig, k)
        gates = np.stack([lstm_trace[q][1, k] for q in "ifo"], -1)  # (H, 3)
        states = np.stack([lstm_trace[q][1, k] for q in "gch"], -1)
        assert close(moved.data[1].z, gates) and close(moved.data[2].z, states)
        assert moved.data[0].z[0][k] == 2 and list(moved.data[0].z[0]).count(2) == 1
    assert (fig.data[1].zmin, fig.data[1].zmax) == (0, 1)
    assert (fig.data[2].zmin, fig.data[2].zmax) == (-1, 1)


def test_step_through_steps_change_only_z(lstm_trace):
    fig = viz.step_through(lstm_trace, "abcdefg")
    for step in fig.layout.sliders[0].steps:
        assert set(step.args[0]) == {"z"} and list(step.args[1]) == [0, 1, 2]
        assert len(step.args) == 2  # no layout part
    assert fig.layout.sliders[0].steps[3].label == "3: d"


def test_step_through_gru_rnn_and_words(gru_trace, rnn_trace):
    words = ["In", "France", "Mary", "ate", "a", "croissant"]
    fig = viz.step_through(gru_trace, words, seq=1)
    assert list(fig.data[1].x) == ["reset gate r", "update gate z"]
    assert list(fig.data[2].x) == ["candidate n", "hidden state h"]
    moved = moved_to(fig, 2)
    assert close(moved.data[1].z, np.stack([gru_trace.r[1, 2], gru_trace.z[1, 2]], -1))
    assert moved.data[0].text[0][1] == "France"
    r = viz.step_through(rnn_trace, "abcde")
    assert len(r.data) == 2  # the strip and the state panel: no gates
    assert close(moved_to(r, 4).data[1].z, rnn_trace.h[4][:, None])
    with pytest.raises(ValueError, match="one token per step"):
        viz.step_through(rnn_trace, "abc")


def test_step_through_is_compact():
    """100 steps x 10 units: a restyle per step with values to 3 decimals."""
    cell = cells.LSTM(random_params("lstm", 4, 10, seed=7))
    trace = cell.trace(np.random.default_rng(8).normal(size=(100, 4)))
    spec = viz.step_through(trace, "ab" * 50).to_json()
    assert len(spec) < 150_000
    assert '"frames"' not in spec
    steps = json.loads(spec)["layout"]["sliders"][0]["steps"]
    values = np.array([v for s in steps for z in s["args"][0]["z"][1:]
                       for row in z for v in row])
    assert values.size == 100 * 10 * 6
    assert np.array_equal(values, np.round(values, 3))  # 3 decimals


def test_step_figure_marks_the_step_and_the_what_if(lstm_trace):
    other = {"kind": "lstm", **{q: lstm_trace[q] * 0.5 for q in "ifgoch"}}
    fig = viz.step_figure(lstm_trace, "abcdefg", 4, seq=2, quantity="f", unit=1,
                          baseline=other, override=(2, "f", 1, 0.0))
    line = [d for d in fig.data if d.name == "forget gate f"][0]
    assert close(line.y, lstm_trace.f[2, :, 1])
    base = [d for d in fig.data if d.name == "without the what-if"][0]
    assert close(base.y, lstm_trace.f[2, :, 1] * 0.5)
    marker = [d for d in fig.data if d.name == "step t"][0]
    assert marker.x == (4,)
    assert close(fig.data[1].z, np.stack([lstm_trace[q][2, 4] for q in "ifo"], -1))
    assert "what-if" in fig.layout.annotations[0].text
    assert fig.layout.shapes[0].x0 == 2


# ----------------------------------------------------------------- explorer


def test_explorer_dropdown_over_models_quantities_units(lstm_trace, gru_trace):
    fig = viz.explorer_figure(lstm_trace, TEXTS, "h", unit_names={0: "counter"})
    buttons = fig.layout.updatemenus[0].buttons
    assert len(buttons) == 4
    assert buttons[0].label == "hidden state h, counter"
    for u in range(4):
        args = buttons[u].args
        assert buttons[u].method == "update"
        z = args[0]["z"][0]
        for b, text in enumerate(TEXTS):
            assert close(z[b][: len(text)], lstm_trace.h[b, : len(text), u])
        assert args[1]["title.text"] == buttons[u].label
    mixed = viz.explorer_figure({"lstm": lstm_trace, "lstm again": lstm_trace},
                                TEXTS, quantities=["h", "f"])
    buttons = mixed.layout.updatemenus[0].buttons
    assert len(buttons) == 2 * 2 * 4
    gate = buttons[4]  # lstm, forget gate f, unit 0
    assert gate.label == "lstm \u00b7 forget gate f, unit 0"
    assert (gate.args[0]["zmin"], gate.args[0]["zmax"]) == ([0.0], [1.0])
    moved = go.Figure(mixed)
    moved.plotly_restyle(gate.args[0], [0])
    assert moved.data[0].zmin == 0 and close(moved.data[0].z[0], lstm_trace.f[0, :, 0])


def test_figures_serialise_to_plain_json(lstm_trace):
    """No numpy typed-array blobs: values are readable, rounded lists."""
    spec = json.loads(viz.char_heatmap(lstm_trace, TEXTS, "c", 0).to_json())
    z = spec["data"][0]["z"]
    assert isinstance(z, list) and isinstance(z[0], list)
    assert z[0][0] == round(float(lstm_trace.c[0, 0, 0]), 3)


def test_lower_layer_of_a_stacked_lstm():
    cell = cells.LSTM(random_params("lstm", 3, 4, seed=9, layers=2))
    trace = cell.trace(np.random.default_rng(10).normal(size=(5, 3)))
    low = moved_to(viz.step_through(trace, "abcde", layer=0), 2)
    assert close(low.data[2].z, np.stack([trace.layer(0)[q][2] for q in "gch"], -1))
    top = viz.char_heatmap(trace, "abcde", "h", 1)  # default: the top layer
    assert close(top.data[0].z[0], trace.layer(1).h[:, 1])
    with pytest.raises(ValueError, match="layer= needs a cells.Trace"):
        viz.char_heatmap({"kind": "lstm", "h": trace.h}, "abcde", layer=0)
