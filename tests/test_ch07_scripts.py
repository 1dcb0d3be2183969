"""Chapter 7's scripts run end to end (short runs into a temporary folder),
and a shipped run reproduces: the one-way tagger of seed 0, position by
position (one torch thread, numerics pinned by importing lstm_tutorial)."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch

import lstm_tutorial  # noqa: F401
from lstm_tutorial import seq2seq
from lstm_tutorial.chapters import ch07_beyond as ch7
from lstm_tutorial.chapters.ch07_beyond import bidir, reverse
from lstm_tutorial.models import load_weights

ROOT = Path(__file__).resolve().parents[1]


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("name,weights", [
    ("stacking", ["stack_1", "stack_2", "stack_3"]),
    ("bidir", ["tagger_oneway", "tagger_bidir"]),
    ("attention", ["reverse_plain", "reverse_attention"]),
])
def test_each_script_writes_what_the_chapter_reads(tmp_path, one_thread, name,
                                                   weights):
    out, wdir = tmp_path / "results", tmp_path / "weights"
    code = _script(f"ch07_{name}").main(
        ["--out", str(out), "--weights", str(wdir), "--steps", "3", "--seeds", "1"])
    assert code == 0
    data = ch7.load(name, out)
    assert len(data["runs"]) == (3 if name == "stacking" else 2)
    for w in weights:
        path = ch7.weights_path(w, wdir)
        if name == "stacking":
            load_weights(path)
        elif name == "bidir":
            bidir.load_tagger(path)
        else:
            seq2seq.load(path)


def test_the_shipped_one_way_tagger_reproduces(one_thread):
    shipped = ch7.load("bidir")
    want = next(r for r in shipped["runs"] if not r["bidirectional"]
                and r["seed"] == 0)
    got, _ = _script("ch07_bidir").run(False, 0, shipped["config"]["steps"])
    assert got["all"] == want["all"] and got["open"] == want["open"]
    assert got["loss"] == pytest.approx(want["loss"], rel=1e-6)


def test_the_shipped_files_hold_every_run():
    att = ch7.load("attention")
    assert [(r["attention"], r["seed"]) for r in att["runs"]] == [
        (a, s) for a in (False, True) for s in (0, 1, 2)]
    assert all(len(r["by_length"]) == 16 for r in att["runs"])
    stack = ch7.load("stacking")
    assert [(r["num_layers"], r["seed"]) for r in stack["runs"]] == [
        (d, s) for d in (1, 2, 3) for s in (0, 1, 2)]
    assert json.loads(json.dumps(ch7.load("bidir")["one_way_best"]))


def test_the_shipped_weights_give_the_shipped_numbers(one_thread):
    tagged = ch7.load("bidir")
    for name, both in (("oneway", False), ("bidir", True)):
        model, _ = bidir.load_tagger(ch7.weights_path(f"tagger_{name}"))
        got = bidir.per_position(model, bidir.test_set(tagged["config"]["length"]))
        want = next(r for r in tagged["runs"]
                    if r["bidirectional"] == both and r["seed"] == 0)
        assert [round(a, 6) for a in got["all"]] == want["all"], name
    att = ch7.load("attention")
    for name, attention in (("plain", False), ("attention", True)):
        model, _ = seq2seq.load(ch7.weights_path(f"reverse_{name}"))
        got = reverse.by_length(model, att["lengths"])
        want = next(r for r in att["runs"]
                    if r["attention"] == attention and r["seed"] == 0)
        assert [got[k] for k in att["lengths"]] == want["by_length"], name
