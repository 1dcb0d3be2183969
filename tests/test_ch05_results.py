"""Chapter 5's shipped results reproduce, and say what the chapter reads.

The scripts (scripts/ch05_*.py) train with fixed seeds on one torch thread,
with torch's numerics pinned by importing lstm_tutorial, so a re-run gives the
same steps and limits. The chapter itself re-runs one cell of the timing, the
counting and the family grid (nbval compares them); this test re-runs another:
the LSTM seed of the equal search that counts least far, with its counting
units.
"""

import importlib.util
from pathlib import Path

import pytest
import torch

from lstm_tutorial.chapters import ch05_variants as ch5
from lstm_tutorial.train import TrainConfig

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


def test_the_weakest_lstm_seed_reproduces(one_thread):
    shipped = ch5.load("counting")
    runs = shipped["runs"]["lstm"]
    want = min(runs, key=lambda r: r["limit"])
    cfg = TrainConfig.from_dict(shipped["recipes"]["lstm"])
    got = _script("ch05_counting").run_cell(cfg, want["seed"])
    for key in ("limit", "steps", "solved_step", "in_range", "params", "counters"):
        assert got[key] == want[key], key
    assert got["loss"] == pytest.approx(want["loss"], rel=1e-6, abs=1e-9)


def test_the_files_hold_every_kind_and_seed():
    counting = ch5.load("counting")
    for kind in ("lstm", "gru", "peephole", "cifg", "rnn_relu", "rnn"):
        assert [r["seed"] for r in counting["runs"][kind]] == list(range(10))
        assert len(counting["search"][kind]) == 8  # 2 x 2 x 2 recipes
    extra = ch5.load("counting_extra")
    assert [r["seed"] for r in extra["runs"]] == list(range(10))
    family = ch5.load("family")
    assert set(family["medians"]) == set(ch5.TASK_NAMES)
    for medians in family["medians"].values():
        assert len(medians) == 12
    timing = ch5.load("timing")
    assert len(timing["runs"]) == 20 and len(timing["test_ks"]) == 40
