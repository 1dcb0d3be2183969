"""Live controls: setting a widget's value (or calling its handler) changes the
figure it owns and the one its LiveFigure shows, in place."""

import json

import numpy as np
import pytest

from lstm_tutorial import cells, viz, widgets
from lstm_tutorial.display import LiveFigure


def random_params(G: int, I: int, H: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"weight_ih_l0": rng.normal(size=(G * H, I)),
            "weight_hh_l0": rng.normal(size=(G * H, H)),
            "bias_ih_l0": rng.normal(size=G * H), "bias_hh_l0": rng.normal(size=G * H)}


def shown(output: LiveFigure) -> dict:
    """The plotly JSON the control's LiveFigure currently shows."""
    assert isinstance(output, LiveFigure)
    return output.spec_dict()


def trace_by_name(spec: dict, name: str) -> dict:
    return next(d for d in spec["data"] if d.get("name") == name)


@pytest.fixture
def step_through():
    cell = cells.LSTM(random_params(4, 3, 4, seed=0))
    x = np.random.default_rng(1).normal(size=(10, 3))
    return widgets.StepThrough(cell, x, "abcdefghij", unit_names={2: "counter"})


def test_step_slider_redraws_at_the_new_step(step_through):
    st = step_through
    view = st.output
    before = shown(st.output)
    assert before["layout"]["title"]["text"] == "step 0: 'a'"
    st.step.value = 6
    after = shown(st.output)
    assert after["layout"]["title"]["text"] == "step 6: 'g'"
    assert trace_by_name(after, "step t")["x"] == [6]
    gates = np.stack([st.trace[q][6] for q in "ifo"], -1)  # (H, 3) at step 6
    assert np.allclose(after["data"][1]["z"], gates, atol=1e-3)
    assert after["data"][0]["z"][0][6] == 2  # the strip highlights step 6
    assert st.output is view, "the slider must update the figure, not replace it"
    assert st.output.figure is st.figure


def test_step_slider_sends_no_figure_each_frame_is_that_steps_figure(step_through):
    """The view follows the step slider in the browser: a move sends nothing, and
    frame t of the figure sent is exactly the figure built at step t."""
    st = step_through
    st.set_override(t=2, gate="f", unit=1, value=0.0)  # a what-if: more traces
    sent = st.output.spec
    assert st.output.control is st.step
    for t in range(10):
        st.step.value = t
        assert st.output.spec == sent, "a step move must not send a new figure"
        alone = viz.step_figure(
            st.trace, st.tokens, t, quantity=st.quantity.value, unit=st.unit.value,
            baseline=st.baseline, override=(2, "f", 1, 0.0), unit_names={2: "counter"})
        assert shown(st.output) == json.loads(alone.to_json()), f"step {t}"


def test_quantity_and_unit_choose_the_line(step_through):
    st = step_through
    st.quantity.value = "f"
    st.unit.value = 2
    spec = shown(st.output)
    line = trace_by_name(spec, "forget gate f")
    assert np.allclose(line["y"], st.trace.f[:, 2], atol=1e-3)
    assert "counter" in spec["layout"]["yaxis4"]["title"]["text"]
    assert [label for label, _ in st.unit.options][2] == "counter"


def test_what_if_reruns_the_cell_from_the_step(step_through):
    st = step_through
    base = st.baseline
    st.step.value = 3
    st.unit.value = 1
    st.gate.value = "f"
    st.value.value = 0.0
    st.apply.click()  # the button's handler: force f at step 3 for unit 1
    tr = st.trace
    assert st.override == cells.Override(3, "f", 1, 0.0, -1)
    assert tr.f[3, 1] == 0.0
    # c_3 = f_3 c_2 + i_3 g_3 with f_3 = 0: only the new write is left
    assert tr.c[3, 1] == pytest.approx(tr.i[3, 1] * tr.g[3, 1], abs=1e-12)
    assert np.array_equal(tr.c[:3], base.c[:3])  # the past is untouched
    assert not np.allclose(tr.h[4:], base.h[4:])  # the future changed
    spec = shown(st.output)
    line = trace_by_name(spec, "cell state c")
    assert np.allclose(line["y"], tr.c[:, 1], atol=1e-3)
    dashed = trace_by_name(spec, "without the what-if")
    assert np.allclose(dashed["y"], base.c[:, 1], atol=1e-3)
    assert "what-if active" in st.status.value


def test_moving_the_value_updates_the_active_what_if(step_through):
    st = step_through
    st.set_override(t=2, gate="i", unit=0, value=1.0)
    assert st.trace.i[2, 0] == 1.0
    st.value.value = 0.25
    assert st.override.value == 0.25 and st.trace.i[2, 0] == 0.25
    assert np.allclose(trace_by_name(shown(st.output), "cell state c")["y"],
                       st.trace.c[:, st.unit.value], atol=1e-3)
    st.clear.click()
    assert st.override is None and st.trace is st.baseline
    assert all(d.get("name") != "without the what-if" for d in shown(st.output)["data"])


def test_gate_choice_sets_the_value_range(step_through):
    st = step_through
    st.gate.value = "c"
    assert (st.value.min, st.value.max) == (-3.0, 3.0)
    st.gate.value = "o"
    assert (st.value.min, st.value.max) == (0.0, 1.0)
    st.gate.value = "g"
    assert (st.value.min, st.value.max) == (-1.0, 1.0)
    assert st.override is None  # choosing is not forcing


def test_bad_what_if_gives_a_message_not_a_traceback(step_through):
    st = step_through
    st.set_override(t=2, gate="f", unit=99, value=0.0)
    assert "unit must be in [0, 4)" in st.status.value
    assert st.override is None


def test_gru_and_sequence_model_step_through():
    gru = cells.GRU(random_params(3, 4, 3, seed=2))
    model = cells.SequenceModel(gru, cells.Dense(np.eye(4, 3)))
    st = widgets.StepThrough(model, np.array([0, 1, 2, 3, 0]), "abcda")
    assert [q for _, q in st.quantity.options] == ["r", "z", "n", "h"]
    assert [q for _, q in st.gate.options] == ["r", "z", "n", "h"]
    st.set_override(t=1, gate="z", unit=2, value=1.0)
    # h_t = (1 - z_t) n_t + z_t h_{t-1}: with z = 1 the unit keeps its state
    assert st.trace.h[1, 2] == pytest.approx(st.trace.h[0, 2], abs=1e-12)


# ----------------------------------------------------------------- explorer

ALPHABET = "abX."


@pytest.fixture
def explorer():
    lstm = cells.SequenceModel(cells.LSTM(random_params(4, 4, 3, seed=3)),
                               cells.Dense(np.eye(4, 3)))
    gru = cells.SequenceModel(cells.GRU(random_params(3, 4, 5, seed=4)),
                              cells.Dense(np.eye(4, 5)))
    return widgets.Explorer({"lstm": lstm, "gru": gru}, ["aaXbb.", "aXb."], ALPHABET,
                            unit_names={"lstm": {1: "counter"}})


def ids(text: str) -> np.ndarray:
    return np.array([ALPHABET.index(ch) for ch in text])


def test_explorer_shows_one_row_per_text(explorer):
    spec = shown(explorer.output)
    z = spec["data"][0]["z"]
    assert len(z) == 2
    want = explorer.models["lstm"].trace(ids("aaXbb.")).h[:, 0]
    assert np.allclose(z[0], want, atol=1e-3)
    assert spec["data"][0]["text"][1][:4] == list("aXb.")


def test_explorer_unit_quantity_and_model_choices(explorer):
    explorer.unit.value = 1
    explorer.quantity.value = "f"
    spec = shown(explorer.output)
    want = explorer.models["lstm"].trace(ids("aXb.")).f[:, 1]
    assert np.allclose(spec["data"][0]["z"][1][:4], want, atol=1e-3)
    assert spec["data"][0]["zmin"] == 0 and spec["data"][0]["zmax"] == 1
    assert "counter" in spec["layout"]["title"]["text"]
    explorer.model.value = "gru"  # f does not exist in a GRU: back to h
    assert [q for _, q in explorer.quantity.options] == ["r", "z", "n", "h"]
    assert explorer.quantity.value == "h" and len(explorer.unit.options) == 5
    spec = shown(explorer.output)
    want = explorer.models["gru"].trace(ids("aaXbb.")).h[:, explorer.unit.value]
    assert np.allclose(spec["data"][0]["z"][0], want, atol=1e-3)


def test_explorer_text_box_validates_and_recomputes(explorer):
    before = shown(explorer.output)
    explorer.text.value = "aaZb.\nab"
    assert "line 1" in explorer.error.value and "'Z'" in explorer.error.value
    assert shown(explorer.output) == before  # the old figure stays
    explorer.text.value = "ab\naaaXbbb.\nX"
    assert explorer.error.value == ""
    z = shown(explorer.output)["data"][0]["z"]
    assert len(z) == 3 and len(z[1]) == 8
    want = explorer.models["lstm"].trace(ids("aaaXbbb.")).h[:, 0]
    assert np.allclose(z[1], want, atol=1e-3)
    assert z[2][1:] == [None] * 7  # "X" is one step long
    explorer.text.value = "\n\n"
    assert "at least one text" in explorer.error.value


def test_explorer_names_an_unknown_character(explorer):
    explorer.text.value = "abZ"
    assert "line 1: unknown character 'Z' at position 2" in explorer.error.value
    assert "alphabet: ['a', 'b', 'X', '.']" in explorer.error.value


class Words:
    """A word vocabulary with ``encode`` (what a word-level network offers)."""

    vocabulary = ("in", "france", "italy", "mary", "ate")

    def encode(self, text: str) -> np.ndarray:
        words = text.lower().split()
        bad = [w for w in words if w not in self.vocabulary]
        if bad:
            raise ValueError(f"unknown word(s) {bad}")
        return np.array([self.vocabulary.index(w) for w in words])


def test_explorer_word_level_with_a_tokenizer():
    model = cells.SequenceModel(cells.LSTM(random_params(4, 5, 2, seed=5)),
                                cells.Dense(np.eye(5, 2)))
    ex = widgets.Explorer({"words": model}, ["In France Mary ate", "In Italy"], Words(),
                          tokenize=lambda line: line.lower().split())
    spec = shown(ex.output)
    assert spec["data"][0]["text"][0] == ["in", "france", "mary", "ate"]
    want = model.trace(np.array([0, 1, 3, 4])).h[:, 0]
    assert np.allclose(spec["data"][0]["z"][0], want, atol=1e-3)
    ex.text.value = "In Spain"
    assert "unknown word(s) ['spain']" in ex.error.value
    ex.tokenize = list  # characters, but the model reads words: a message
    ex.text.value = "In Italy"
    assert "split into [8] tokens but the model reads [2] steps" in ex.error.value
