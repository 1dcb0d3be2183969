"""Trainer, evaluation and shipped weights."""

import dataclasses
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstm_tutorial import cells, handset, models
from lstm_tutorial.tasks import (
    CopyTask,
    CountingTask,
    LongGapTask,
    NoisyCountingTask,
    RememberTask,
    TurnstileTask,
)
from lstm_tutorial.train import (
    TrainConfig,
    accuracy,
    build_model,
    generalisation_limit,
    generate,
    load_shipped,
    seed_table,
    shipped_path,
    train,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["counting", "noisy_counting", "remember", "copy"]


@pytest.fixture(autouse=True)
def one_thread():
    """These models are tiny: one torch thread is as fast as two, and does not
    slow down thirtyfold when another process holds one of the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def load_script():
    spec = importlib.util.spec_from_file_location(
        "train_shipped_weights", ROOT / "scripts" / "train_shipped_weights.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----- a hand-built counter whose answers are known ----------------------------


class CappedCounter(torch.nn.Module):
    """Reads "aXb." ids; counts a's up to `cap`, then in the b phase predicts
    "b" while fewer b's than the (capped) count were read, else ".".
    Fed a^N X it writes min(N, cap) b's and "."; so it is right exactly for
    N <= cap. Before the X it predicts "a". Same forward as CharModel."""

    def __init__(self, cap: int):
        super().__init__()
        self.cap = cap
        self.dummy = torch.nn.Parameter(torch.zeros(1))  # gives the device

    def forward(self, ids, state=None):
        B, T = ids.shape
        if state is None:
            zeros = torch.zeros(B, dtype=torch.long)
            state = (zeros, zeros, torch.zeros(B, dtype=torch.bool))
        n_a, n_b, seen = state
        logits = torch.zeros(B, T, 4)
        for t in range(T):
            x = ids[:, t]
            n_a = n_a + (x == 0).long()
            seen = seen | (x == 1)
            n_b = n_b + (x == 2).long()
            want = torch.where(
                ~seen, 0, torch.where(n_b < torch.clamp(n_a, max=self.cap), 2, 3))
            logits[torch.arange(B), t, want] = 10.0
        return logits, (n_a, n_b, seen)


def test_generalisation_limit_and_generate_on_a_hand_checked_counter():
    task = CountingTask()
    model = CappedCounter(cap=18)
    # the reference point of the book: writes 18 b's for N = 19
    assert generate(model, task, "a" * 19 + "X") == "b" * 18 + "."
    assert generate(model, task, ["aaX", "a" * 25 + "X"]) == ["bb.", "b" * 18 + "."]
    assert generalisation_limit(model, task) == 18
    assert generalisation_limit(CappedCounter(cap=1), task) == 1
    assert generalisation_limit(CappedCounter(cap=0), task) == 0
    assert generalisation_limit(CappedCounter(cap=10**6), task, n_cap=300) == 300


def test_generate_stops_at_max_new():
    model = CappedCounter(cap=100)
    assert generate(model, CountingTask(), "a" * 50 + "X", max_new=5) == "bbbbb"
    assert generate(model, CountingTask(), "aaaX", stop=None, max_new=6) == "bbb..."


def test_hand_set_lstm_counts_exactly_in_torch():
    """The hand-set counter of the book (an exact LSTM) as a torch CharModel:
    the limit search reaches its cap; the noisy counter too."""
    net = handset.counter_lstm().to_torch()
    assert generalisation_limit(net, CountingTask(), n_cap=400) == 400
    noisy = handset.noisy_counter_lstm().to_torch()
    assert generalisation_limit(noisy, NoisyCountingTask(), n_cap=200) == 200


def test_accuracy_on_a_hand_checked_example():
    """A CharModel whose readout ignores the state and always says "b" (logit
    2 for "b", 0 for the other three). On N = 1, 2, 3 the scored targets are
    "b.", "bb.", "bbb.": 6 of 9 right, no text all right."""
    task = CountingTask(n_min=1, n_max=3)
    model = models.CharModel("lstm", 4, 3)
    with torch.no_grad():
        model.readout.weight.zero_()
        model.readout.bias.copy_(torch.tensor([0.0, 0.0, 2.0, 0.0]))
    acc = accuracy(model, task)
    assert acc.n_texts == 3 and acc.n_positions == 9
    assert acc.position == pytest.approx(6 / 9, abs=1e-12)
    assert acc.sequence == 0.0
    # cross-entropy by hand: -log p(b) on 6 targets, -log p(.) on 3
    z = math.exp(2) + 3
    want = (6 * -math.log(math.exp(2) / z) + 3 * -math.log(1 / z)) / 9
    assert acc.loss == pytest.approx(want, rel=1e-6)
    acc4 = accuracy(model, task, ["aaaaX" + "bbbb."])
    assert acc4.position == pytest.approx(4 / 5, abs=1e-12) and acc4.n_texts == 1


def test_limit_agrees_with_teacher_forced_accuracy():
    """Greedy generation is right for N iff every scored target is right under
    teacher forcing; so the first N with sequence accuracy < 1 is limit + 1."""
    task = CountingTask()
    result = train(task, TrainConfig(forget_bias=20.0, lr=0.02, steps=150,
                                     stop_loss=1e-2, seed=3), progress=False)
    L = generalisation_limit(result.model, task, n_cap=2000)
    assert 10 <= L < 2000
    ok = [accuracy(result.model, task, [task.example(n)]).sequence
          for n in range(1, L + 2)]
    assert ok[:L] == [1.0] * L and ok[L] < 1.0


# ----- training -----------------------------------------------------------------


def test_same_seed_same_run_other_seed_other_run():
    task = NoisyCountingTask()  # random batches: the numpy Generator is seeded too
    cfg = TrainConfig(steps=40, batch_size=8, eval_every=10, seed=7)
    a = train(task, cfg, progress=False)
    b = train(task, cfg, progress=False)
    c = train(task, dataclasses.replace(cfg, seed=8), progress=False)
    assert len(a.losses) == a.steps == 40
    assert a.losses == b.losses and a.evals == b.evals
    for (k, v), (k2, w) in zip(a.model.state_dict().items(),
                               b.model.state_dict().items()):
        assert k == k2 and torch.equal(v, w)
    assert a.losses != c.losses


def test_first_loss_is_cross_entropy_of_scored_targets_only():
    task = CountingTask(n_max=5)
    cfg = TrainConfig(steps=1, seed=2)
    model = build_model(task, cfg)
    b = task.batch(task.all_texts())
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(b.inputs))
    logp = torch.log_softmax(logits.double(), -1).numpy()
    rows, cols = np.nonzero(b.mask)
    want = -np.mean(logp[rows, cols, b.targets[rows, cols]])
    got = train(task, cfg, progress=False).losses[0]
    assert got == pytest.approx(want, rel=1e-5)
    # "all": every unpadded target, the a's after a's included
    got_all = train(task, dataclasses.replace(cfg, loss_on="all"),
                    progress=False).losses[0]
    valid = np.arange(b.inputs.shape[1])[None] < b.lengths[:, None]
    rows, cols = np.nonzero(valid)
    want_all = -np.mean(logp[rows, cols, b.targets[rows, cols]])
    assert got_all == pytest.approx(want_all, rel=1e-5)


def test_early_stopping_at_first_all_right_and_history():
    task = CountingTask()
    r = train(task, TrainConfig(steps=2000, seed=0, eval_every=5), progress=False)
    assert r.solved_step is not None and r.steps == r.solved_step < 2000
    assert r.accuracy.sequence == 1.0 and r.accuracy.position == 1.0
    assert len(r.losses) == r.steps and r.evals[-1][0] == r.steps
    assert r.evals[-1][2] == 1.0 and r.solved_seconds <= r.seconds
    assert not r.model.training


@pytest.mark.parametrize("kind, layers", [("rnn", 1), ("gru", 1), ("peephole", 1),
                                          ("lstm", 2), ("rnn_relu", 1)])
def test_every_kind_trains_on_the_turnstile(kind, layers):
    """The turnstile is a transduction task (2 outputs per step); every kind of
    cell reaches 100% on its validation texts within the step budget."""
    task = TurnstileTask(length_max=12)
    cfg = TrainConfig(kind=kind, num_layers=layers, hidden_size=8, steps=800,
                      lr=0.02, seed=0)
    r = train(task, cfg, progress=False)
    assert r.model.readout.out_features == 2
    assert r.accuracy.sequence == 1.0, (kind, r.steps, r.accuracy)


def test_forget_bias_is_set_in_every_layer():
    for kind in ("lstm", "peephole", "gru"):
        m = build_model(CopyTask(), TrainConfig(kind=kind, num_layers=2, hidden_size=4,
                                                forget_bias=3.0))
        for k in range(2):
            b = getattr(m.rnn, f"bias_ih_l{k}") + getattr(m.rnn, f"bias_hh_l{k}")
            assert torch.allclose(b[4:8], torch.full((4,), 3.0)), kind
            # the other gates keep torch's random init
            assert not torch.allclose(b[:4], torch.full((4,), 3.0))


def test_progress_bar_and_device_argument(capsys):
    r = train(RememberTask(), TrainConfig(steps=10, eval_every=5), device="cpu",
              progress=True)
    err = capsys.readouterr().err
    assert "remember lstm" in err and "10/10" in err
    assert next(r.model.parameters()).device.type == "cpu"


def test_seed_table_median_row():
    rows = [{"seed": 0, "solved_s": 1.0, "limit": 30},
            {"seed": 1, "solved_s": None, "limit": 10},
            {"seed": 2, "solved_s": 3.0, "limit": 20}]
    lines = seed_table(rows).splitlines()
    assert lines[0].split() == ["seed", "solved_s", "limit"]
    assert lines[3].split() == ["1", "-", "10"]
    # median of (1, inf, 3) = 3; of (30, 10, 20) = 20
    assert lines[-1].split() == ["median", "3.000", "20"]


# ----- bad inputs -------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: TrainConfig(kind="transformer"),
    lambda: TrainConfig(hidden_size=0),
    lambda: TrainConfig(steps=-1),
    lambda: TrainConfig(lr=0.0),
    lambda: TrainConfig(schedule="step"),
    lambda: TrainConfig(loss_on="some"),
    lambda: TrainConfig(seed=-1),
    lambda: TrainConfig(clip=0.0),
    lambda: train("counting", TrainConfig(steps=1), progress=False),
    lambda: train(CountingTask(), TrainConfig(steps=1), model=torch.nn.LSTM(4, 4),
                  progress=False),
    lambda: generalisation_limit(CappedCounter(3), CopyTask()),
    lambda: generalisation_limit(CappedCounter(3), CountingTask(), n_cap=0),
    lambda: generate(CappedCounter(3), TurnstileTask(), "cc"),
    lambda: generate(CappedCounter(3), CountingTask(), "aaZ"),
    lambda: generate(CappedCounter(3), CountingTask(), ""),
    lambda: generate(CappedCounter(3), CountingTask(), "aX", max_new=0),
    lambda: accuracy(CappedCounter(3), CountingTask(), ["aaXb."]),
    lambda: seed_table([]),
    lambda: shipped_path("no_such_model"),
])
def test_bad_inputs_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


# ----- shipped weights ----------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_weights_load_replay_and_score(name):
    path = shipped_path(name)
    assert path.stat().st_size < 16_000  # small files
    with np.load(path, allow_pickle=False) as data:  # no pickle inside
        assert all(data[k].dtype.kind in "fU" for k in data.files)
    model, task, meta = load_shipped(name)
    recipe_task, recipe = load_script().RECIPES[name]
    assert task == recipe_task and meta["task"] == recipe_task.config
    assert meta["seed"] == recipe.seed and meta["train_config"] == recipe.to_dict()
    assert 0 < meta["steps"] <= recipe.steps
    acc = accuracy(model, task)
    assert acc.position == meta["accuracy"] == 1.0
    assert acc.loss == pytest.approx(meta["validation_loss"], rel=1e-3)
    # replays in the numpy glass-box cells
    sm = cells.SequenceModel.from_torch(model)
    b = task.batch(task.validation_texts()[:16])
    with torch.no_grad():
        want = model(torch.from_numpy(b.inputs))[0].numpy()
    got = sm.trace(b.inputs).logits
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    if "limit" in meta:
        assert generalisation_limit(model, task) == meta["limit"] >= 10


def test_retraining_the_counting_model_reaches_the_shipped_accuracy():
    script = load_script()
    result = script.train_recipe("counting")
    shipped, task, meta = load_shipped("counting")
    assert accuracy(result.model, task).position >= meta["accuracy"]
    assert result.accuracy.sequence == meta["sequence_accuracy"] == 1.0
    # same recipe and seed: the same run here; other CPUs may round differently
    assert abs(result.steps - meta["steps"]) <= 0.2 * meta["steps"]
    assert generalisation_limit(result.model, task) >= 10


def test_long_gap_task_trains_with_the_same_trainer():
    task = LongGapTask(k_min=1, k_max=3)
    r = train(task, TrainConfig(hidden_size=8, steps=600, lr=0.02, batch_size=32),
              progress=False)
    assert r.accuracy.position == 1.0
    assert F.softmax(r.model(torch.from_numpy(task.encode("Cab?")[None]))[0][0, -1],
                     -1).argmax().item() == task.alphabet.index("C")


def test_a_bar_stopped_early_ends_as_a_finished_run():
    """tqdm marks a bar closed before its total as failed (red in a notebook);
    an early stop ends at its own step, described, and green."""
    from tqdm.notebook import tqdm as notebook_tqdm

    from lstm_tutorial.train import _end_early

    bar = notebook_tqdm(total=1500, desc="counting lstm")
    bar.update(710)
    _end_early(bar, 710, "every target right")
    bar.close()
    _, progress, text = bar.container.children
    assert (progress.value, progress.max, progress.bar_style) == (710, 710, "success")
    assert "stopped early at step 710: every target right" in bar.desc
    assert "710/710" in text.value
