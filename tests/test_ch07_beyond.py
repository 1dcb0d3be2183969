"""Chapter 7's home: the bracket task and its one-way ceiling, the two
directions replayed in numpy, the layer scores, the alignment figure, the
which-cell table and the results loader."""

import itertools

import numpy as np
import pytest
import torch

import lstm_tutorial  # noqa: F401
from lstm_tutorial import seq2seq
from lstm_tutorial.chapters import ch05_variants as ch5
from lstm_tutorial.chapters import ch07_beyond as ch7
from lstm_tutorial.chapters.ch07_beyond import bidir, cheatsheet, reverse, stacking
from lstm_tutorial.models import load_weights
from lstm_tutorial.tasks import CopyTask
from lstm_tutorial.text import encode


def test_tags_mark_letters_inside_pairs_that_close():
    assert bidir.tags("a(b)(a").tolist() == [0, 0, 1, 0, 0, 0]
    assert bidir.tags("(a(b)a)b").tolist() == [0, 1, 0, 1, 0, 1, 0, 0]
    assert bidir.tags("((a)").tolist() == [0, 0, 1, 0]
    assert bidir.tags(")a(").tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="unknown character 'x'"):
        bidir.tags("(x)")


def test_p_closes_equals_enumerating_every_future():
    probs = dict(zip(bidir.ALPHABET, bidir.PROBS))
    for n in range(5):
        total = 0.0
        for future in itertools.product(bidir.ALPHABET, repeat=n):
            p = float(np.prod([probs[c] for c in future]))
            total += p * bidir.tags("(a" + "".join(future))[1]
        assert bidir.p_closes(n) == pytest.approx(total, abs=1e-12)


def test_the_two_directions_replay_torch():
    torch.manual_seed(0)
    model = bidir.Tagger(5, bidirectional=True).double().eval()
    text = "a(b)((ab)b)a"
    hs = bidir.replay_directions(model, text)
    x = torch.nn.functional.one_hot(
        torch.from_numpy(encode(text, bidir.ALPHABET)), 4).double()[None]
    with torch.no_grad():
        out, _ = model.rnn(x)
    assert np.abs(hs["fwd"] - out[0, :, :5].numpy()).max() < 1e-12
    assert np.abs(hs["bwd"] - out[0, :, 5:].numpy()).max() < 1e-12


def test_the_directions_figure_has_one_slider_step_per_position():
    model, _ = bidir.load_tagger(ch7.weights_path("tagger_bidir"))
    fig = bidir.directions_figure(model, "a(b)(ab", "t")
    assert len(fig.layout.sliders[0].steps) == 7


def test_layer_scores_of_the_shipped_three_layer_model():
    model, _ = load_weights(ch7.weights_path("stack_3"))
    scores = stacking.layer_scores(model, CopyTask(length=5))
    assert len(scores) == 3
    for s in scores:
        assert set(s) == set(stacking.VARIABLES)
        assert all(0 <= v <= 1 for v in s.values())
    shipped = ch7.load("stacking")
    row = next(r for r in shipped["runs"] if r["num_layers"] == 3 and r["seed"] == 0)
    for got, want in zip(scores, row["scores"]):
        for k in stacking.VARIABLES:  # float32 weights, replayed in float32
            assert got[k] == pytest.approx(want[k], abs=1e-4)


def test_the_alignment_figure_and_its_live_control():
    model, _ = seq2seq.load(ch7.weights_path("reverse_attention"))
    tr = seq2seq.replay(model, "abcde")
    fig = reverse.alignment_figure(tr, "t")
    assert len(fig.layout.sliders[0].steps) == len(tr.out)
    live = reverse.alignment_figure(tr, "t", frames=True)
    assert len(live.frames) == len(tr.out) and not live.layout.sliders
    control = reverse.AlignmentControl(model, "abc")
    assert control.step.max == len(control.trace.out) - 1
    control.step.value = 1  # the browser shows frame 1: rows 1 and 2 drawn
    z = control.output.spec_dict()["data"][0]["z"]
    assert z[1] == [round(float(v), 3) for v in control.trace.a[1]]
    assert all(v is None for v in z[2])  # later steps blank (NaN in JSON)
    control.set_source("abz")
    assert "unknown character 'z'" in control.status.value
    assert control.trace.source == "abc"  # the last good source stays drawn
    with pytest.raises(ValueError, match="step must be in"):
        reverse.alignment_figure(tr, "t", step=99)


def test_which_cell_reads_chapter_5s_numbers():
    counting, family, timing = (ch5.load(n) for n in ("counting", "family", "timing"))
    rows = cheatsheet.which_cell_rows(counting, family, timing)
    assert f"counts to {counting['medians']['lstm']:g}" in rows[0][2]
    assert f"exact to {timing['median_limit']['lstm fb 20']:g}" in rows[3][2]


def test_results_loader_says_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="must be one of"):
        ch7.load("nope")
    with pytest.raises(ValueError, match="no results file"):
        ch7.load("bidir", tmp_path)
    (tmp_path / "ch07_bidir.json").write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        ch7.load("bidir", tmp_path)
    (tmp_path / "ch07_bidir.json").write_text("{}")
    with pytest.raises(ValueError, match="lacks"):
        ch7.load("bidir", tmp_path)
    with pytest.raises(ValueError, match="no weights file"):
        ch7.weights_path("nope", tmp_path)
