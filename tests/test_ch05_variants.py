"""Chapter 5's home: the GRU counter's float limits, counting units, the
interval task, the family table and the path from the LSTM to the GRU."""

import json
import math

import numpy as np
import pytest
import torch

from lstm_tutorial import handset
from lstm_tutorial.chapters.ch05_variants import counting, family, path, results, timing
from lstm_tutorial.tasks import CountingTask, IntervalTask
from lstm_tutorial.train import TrainConfig, build_model


def _predicted_stall(p: float, eps: float) -> float:
    """Where 1 - z^k stops moving: the step (1 - z) z^k falls below half the
    spacing of floats just under 1 (eps / 4)."""
    z = 1 / (1 + math.exp(-p))
    return math.log(eps / (4 * (1 - z))) / math.log(z)


@pytest.mark.parametrize("p", [2.0, 4.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gru_counter_is_exact_until_its_state_stalls(p, dtype):
    net = handset.counter_gru(p)
    stall = counting.gru_stall(net, dtype)
    predicted = _predicted_stall(p, float(np.finfo(dtype).eps))
    assert abs(stall - predicted) <= 0.05 * predicted
    for n in (1, 2, 7, stall // 2, stall):
        assert counting.exact_at(net, n, dtype), n
    assert not counting.exact_at(net, stall + 1, dtype)  # one b too few
    # the torch GRU with the same weights writes the same answers (float64)
    model = net.to_torch()
    ids = torch.from_numpy(net.encode("a" * 40 + "X" + "b" * 40))[None]
    with torch.no_grad():
        logits, _ = model(ids)
    wrote = "".join(net.outputs[k] for k in logits[0, 40:].argmax(-1))
    assert wrote == "b" * 40 + "."


def test_gru_counter_table_and_errors():
    net = handset.counter_gru()
    assert net.kind == "gru" and net.params["weight_ih_l0"].shape == (9, 4)
    z_a = net.params["weight_ih_l0"][3 + net.unit("a's"), net.encode("a")[0]]
    assert z_a == 6.0  # W_z[a's, 'a'], rows r | z | n
    assert net.complete("aaaX") == "bbb."
    assert net.predict("aaXbb.")[:2] == ["a", "a"]  # before X: guess a
    with pytest.raises(ValueError, match=r"p must be a number in \(0, 40\)"):
        handset.counter_gru(0)
    with pytest.raises(ValueError, match="unknown character 'c' at position 1"):
        net.complete("ac")
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        counting.exact_at(net, 3, np.float16)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        counting.exact_at(net, 0)


def test_counting_units_find_the_hand_set_counter():
    net = handset.counter_lstm()
    units = counting.counting_units(net.to_torch(), CountingTask(), n=30)
    found = counting.counters(units)
    assert [c["unit"] for c in found] == [net.unit("count")]
    assert abs(found[0]["mismatch"]) <= 1e-6
    assert found[0]["slope_a"] == pytest.approx(1.0, abs=1e-6)
    seen = units[net.unit("seen X")]
    assert seen["slope_a"] == pytest.approx(0.0, abs=1e-9)


def test_interval_task_and_exactness():
    task = IntervalTask(1, 4)
    assert task.example(3) == "A---B---!"
    assert task.all_texts()[0] == "A-B-!"
    assert task.split("A--B--!") == ("A--B", "--!")
    with pytest.raises(ValueError, match="k_min"):
        IntervalTask(5, 2)
    with pytest.raises(ValueError, match=r"expected 'A' \+ '-'\*k"):
        task.batch(["A--B-!"])
    assert timing.limit_of({1: True, 2: True, 3: False, 4: True}) == 2
    assert timing.limit_of({1: False}) == 0
    model = build_model(task, TrainConfig(hidden_size=3))
    exact = timing.interval_exact(model, task, [1, 2, 3])
    assert set(exact) == {1, 2, 3} and all(isinstance(v, bool) for v in exact.values())
    with pytest.raises(ValueError, match="ks must be intervals >= 1"):
        timing.interval_exact(model, task, [0, 2])


def test_results_loader_errors(tmp_path):
    with pytest.raises(ValueError, match="results must be one of"):
        results.load("grid")
    with pytest.raises(ValueError, match="run scripts/ch05_family.py"):
        results.load("family", tmp_path)
    (tmp_path / "ch05_family.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        results.load("family", tmp_path)
    (tmp_path / "ch05_family.json").write_text(json.dumps({"recipe": {}}))
    with pytest.raises(ValueError, match=r"lacks \['tasks', 'runs', 'medians'\]"):
        results.load("family", tmp_path)


def test_family_table_and_figure():
    med = {"counting": {"lstm": {"sequence": 1.0, "limit": 22, "params": 484},
                        "gru": {"sequence": 0.5, "limit": 0, "params": 372}},
           "remember": {"lstm": {"sequence": 1.0, "longer_sequence": 0.25,
                                 "params": 484},
                        "gru": {"sequence": 1.0, "longer_sequence": 1.0,
                                "params": 372}}}
    res = {"medians": med}
    table = family.family_table(res, ["lstm", "gru"], {"lstm": "LSTM"})
    lines = table.splitlines()
    assert lines[0].split() == ["kind", "params", "count", "remember"]
    assert lines[2].split() == ["LSTM", "484", "1.00|22", "1.00|0.25"]
    assert lines[3].split() == ["gru", "372", "0.50|0", "1.00|1.00"]
    fig = family.family_figure(res, ["gru", "lstm"], {})
    # colour: beyond the range as a share of the best kind on the task
    assert np.allclose(fig.data[0].z, [[0.0, 1.0], [1.0, 0.25]])
    with pytest.raises(ValueError, match=r"no \['rnn'\] for task 'counting'"):
        family.family_table(res, ["lstm", "rnn"], {})


@pytest.mark.parametrize("kind", path.PATH + ("peephole", "nig", "noaf"))
def test_each_step_of_the_path_replays_torch(kind):
    gaps = path.replay_gap(kind, num_layers=2, steps=25, seed=3)
    assert set(gaps) == ({"output", "h_n"} | ({"c_n"} if kind != "gru" else set()))
    assert max(gaps.values()) <= 1e-10


def test_param_counts_follow_the_gates():
    I, H = 4, 10
    per_gate = H * (I + H + 2)  # W_ih, W_hh rows and two biases per gate block
    assert [path.param_count(k, I, H) for k in path.PATH] == [
        4 * per_gate, 3 * per_gate, 2 * per_gate, 3 * per_gate]


def test_figures_place_their_labels_on_log_axes():
    runs = {"lstm": [{"seed": 0, "limit": 300}, {"seed": 1, "limit": 0}],
            "gru": [{"seed": 0, "limit": 11}, {"seed": 1, "limit": 12}]}
    fig = counting.limits_figure(runs, n_max=10, n_cap=1000)
    assert list(fig.data[0].customdata) == [150.0, 11.5]  # the medians
    assert list(fig.data[1].y) == [300, 0.5]  # a limit of 0 drawn at 0.5
    # plotly places annotations on a log axis by log10 of the value
    assert sorted(a.y for a in fig.layout.annotations) == [1.0, 2.0]
    fig = counting.creep_figure(6.0, {"float32": 4529, "float64": 12648}, 30_000)
    ys = sorted(a.y for a in fig.layout.annotations if a.yref != "paper")
    eps = [np.finfo(np.float64).eps / 4, np.finfo(np.float32).eps / 4]
    assert np.allclose(ys, np.log10(eps))
    xs = sorted(a.x for a in fig.layout.annotations if a.yref == "paper")
    assert np.allclose(xs, np.log10([4529, 12648]))
    assert np.allclose(fig.data[0].y, 1.0)


def test_interval_figure_has_a_line_per_recipe():
    res = {"test_ks": [1, 2, 3], "task": {"k_max": 2},
           "by_interval": {"lstm fb 20": [1.0, 1.0, 0.4],
                           "peephole fb 1": [1.0, 0.5, 0.0]}}
    fig = timing.by_interval_figure(res)
    assert [d.name for d in fig.data] == ["LSTM, forget bias 20",
                                          "peephole LSTM, forget bias 1"]
    assert list(fig.data[1].y) == [1.0, 0.5, 0.0]
