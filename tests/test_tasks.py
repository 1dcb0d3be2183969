"""Formats, masks, encoding and bad inputs of every task generator."""

import itertools

import numpy as np
import pytest

from lstm_tutorial import tasks
from lstm_tutorial.tasks import (
    CopyTask,
    CountingTask,
    IntervalTask,
    LongGapTask,
    NoisyCountingTask,
    RememberTask,
    TurnstileTask,
    make_task,
    turnstile_outputs,
)

ALL = [CountingTask(), NoisyCountingTask(), RememberTask(), CopyTask(),
       LongGapTask(), IntervalTask(), TurnstileTask()]


def scored(text: str, mask: np.ndarray) -> str:
    """The characters of text[1:] the mask scores."""
    return "".join(ch for ch, m in zip(text[1:], mask) if m)


# ----- formats of generated texts, checked with plain string logic ------------


def test_counting_format_and_range():
    rng = np.random.default_rng(0)
    task = CountingTask(n_min=2, n_max=7)
    seen = set()
    for _ in range(300):
        s = task.random_text(rng)
        n = s.index("X")
        assert s == "a" * n + "X" + "b" * n + "."
        assert 2 <= n <= 7
        seen.add(n)
    assert seen == set(range(2, 8))
    assert task.all_texts() == ["a" * n + "X" + "b" * n + "." for n in range(2, 8)]


def test_noisy_counting_format():
    rng = np.random.default_rng(1)
    task = NoisyCountingTask(n_min=1, n_max=10, x_max=4)
    n_noisy = 0
    for _ in range(300):
        s = task.random_text(rng)
        head, tail = s.split("Y")
        n = head.count("a")
        assert 1 <= n <= 10
        assert head[0] == "a" and set(head) <= {"a", "X"}
        assert head.count("X") <= 4
        assert tail == "b" * n + "."
        n_noisy += "X" in head
    assert n_noisy > 100  # noise is actually sprinkled in
    assert task.example(4, [1, 0, 2, 0]) == "aXaaXXaYbbbb."


def test_remember_format():
    rng = np.random.default_rng(2)
    task = RememberTask()
    firsts = set()
    for _ in range(200):
        s = task.random_text(rng)
        k = s.count("x")
        assert 1 <= k <= 10
        assert s == s[0] + "x" * k + "Y" + {"A": "a", "B": "b"}[s[0]] + "."
        firsts.add(s[0])
    assert firsts == {"A", "B"}
    assert len(task.all_texts()) == 20


def test_copy_format():
    rng = np.random.default_rng(3)
    task = CopyTask()
    for _ in range(200):
        s = task.random_text(rng)
        assert len(s) == 8 and s[3] == "X" and s[7] == "."
        assert s[:3] == s[4:7] and set(s[:3]) <= set("abc")
    words = {"".join(w) for w in itertools.product("abc", repeat=3)}
    assert {s[:3] for s in task.all_texts()} == words


def test_long_gap_format():
    rng = np.random.default_rng(4)
    task = LongGapTask(k_min=3, k_max=5)
    for _ in range(200):
        s = task.random_text(rng)
        assert s[0] in "ABCD" and s[-2] == "?" and s[-1] == s[0]
        assert 3 <= len(s) - 3 <= 5 and set(s[1:-2]) <= set("abcd")


def test_turnstile_outputs_against_transition_table():
    # Transition table of the two-coin turnstile written out by hand:
    # state = coins paid; (state, input) -> next state.
    table = {(0, "c"): 1, (1, "c"): 2, (2, "c"): 2,
             (0, "p"): 0, (1, "p"): 1, (2, "p"): 0}
    for T in range(1, 9):
        for chars in itertools.product("cp", repeat=T):
            s, want = 0, []
            for ch in chars:
                s = table[(s, ch)]
                want.append(int(s == 2))
            assert turnstile_outputs("".join(chars)).tolist() == want
    assert TurnstileTask().outputs("ccpcp").tolist() == [0, 1, 0, 0, 0]


def test_turnstile_sample_lengths_and_targets():
    rng = np.random.default_rng(5)
    task = TurnstileTask(length_min=3, length_max=6)
    b = task.sample(rng, 50)
    assert b.inputs.shape == b.targets.shape == b.mask.shape == (50, 6)
    for r, s in enumerate(b.texts):
        assert 3 <= len(s) <= 6 and b.lengths[r] == len(s)
        assert b.mask[r].tolist() == [True] * len(s) + [False] * (6 - len(s))
        assert b.targets[r, : len(s)].tolist() == turnstile_outputs(s).tolist()
    assert task.output_size == 2 and task.vocab_size == 2


# ----- masks: which next characters are determined -----------------------------


@pytest.mark.parametrize(
    "task, text, want",
    [
        (CountingTask(), "aaaXbbb.", "bbb."),
        (CountingTask(), "aXb.", "b."),
        (NoisyCountingTask(), "aXaaXXaYbbbb.", "bbbb."),
        (RememberTask(), "AxxxYa.", "a."),
        (RememberTask(), "BxYb.", "b."),
        (CopyTask(), "abcXabc.", "abc."),
        (LongGapTask(), "Cabdd?C", "C"),
    ],
)
def test_mask_scores_exactly_the_determined_characters(task, text, want):
    m = task.mask(text)
    assert m.shape == (len(text) - 1,) and m.dtype == bool
    assert scored(text, m) == want
    # the scored targets are a suffix: once determined, the rest is determined
    k = int(np.argmax(m))
    assert m[k:].all() and not m[:k].any()


def test_mask_is_a_brute_force_determinacy_check():
    """Enumerate the finite ranges: a scored target is the one continuation of
    its prefix; an unscored one has several, with two exceptions the formats
    leave unscored: the delimiter at the edge of the range (after n_max a's the
    X is forced) and the first x of remember (k >= 1 forces it)."""
    for task in [CountingTask(n_max=6), RememberTask(k_max=6), CopyTask()]:
        texts = task.all_texts()
        for s in texts:
            m = task.mask(s)
            for t in range(len(s) - 1):
                prefix = s[: t + 1]
                nexts = {u[t + 1] for u in texts if u.startswith(prefix)}
                if t >= s.index(task.delimiter):
                    assert m[t] and nexts == {s[t + 1]}
                else:
                    assert not m[t]
                    edge = nexts == {task.delimiter}
                    first_x = task.name == "remember" and t == 0
                    assert len(nexts) > 1 or edge or first_x


@pytest.mark.parametrize("task", ALL[:-1], ids=lambda t: t.name)
def test_batch_matches_shifted_text(task):
    rng = np.random.default_rng(7)
    b = task.sample(rng, 20)
    B, T = b.inputs.shape
    assert B == 20 and T == max(len(s) for s in b.texts) - 1
    for r, s in enumerate(b.texts):
        L = len(s) - 1
        assert b.lengths[r] == L
        assert task.decode(b.inputs[r, :L]) == s[:-1]
        assert task.decode(b.targets[r, :L]) == s[1:]
        assert (b.mask[r, :L] == task.mask(s)).all() and not b.mask[r, L:].any()
    assert b.inputs.dtype == b.targets.dtype == np.int64


@pytest.mark.parametrize("task", ALL, ids=lambda t: t.name)
def test_sampling_is_seeded(task):
    a = task.sample(np.random.default_rng(11), 16)
    b = task.sample(np.random.default_rng(11), 16)
    c = task.sample(np.random.default_rng(12), 16)
    assert a.texts == b.texts and (a.inputs == b.inputs).all()
    assert a.texts != c.texts


@pytest.mark.parametrize("task", ALL, ids=lambda t: t.name)
def test_encode_decode_roundtrip_and_config(task):
    text = task.random_text(np.random.default_rng(0))
    ids = task.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert task.decode(ids) == text
    assert [task.alphabet[k] for k in ids] == list(text)
    assert make_task(**task.config) == task
    val = task.validation_texts()
    assert val == task.validation_texts() and len(val) > 0


# ----- bad inputs --------------------------------------------------------------


def test_unknown_character_lists_the_alphabet():
    with pytest.raises(ValueError, match=r"\['a', 'X', 'b', '\.'\]"):
        CountingTask().encode("aaZ")
    with pytest.raises(ValueError, match="unknown character .d. at position 2"):
        CopyTask().mask("abdXabd.")


@pytest.mark.parametrize(
    "make",
    [
        lambda: CountingTask(n_min=0),
        lambda: CountingTask(n_min=5, n_max=4),
        lambda: NoisyCountingTask(x_max=-1),
        lambda: RememberTask(k_min=0),
        lambda: CopyTask(length=0),
        lambda: LongGapTask(k_min=3, k_max=2),
        lambda: TurnstileTask(length_min=0),
        lambda: TurnstileTask(p_coin=1.5),
        lambda: CountingTask().example(0),
        lambda: CountingTask().example(-3),
        lambda: CountingTask().example(2.5),
        lambda: NoisyCountingTask().example(3, [0, 1]),
        lambda: RememberTask().example("C", 3),
        lambda: RememberTask().example("A", 0),
        lambda: CopyTask().example("abca"),
        lambda: CopyTask().example("abd"),
        lambda: LongGapTask().example("A", ""),
        lambda: LongGapTask().example("a", "bc"),
        lambda: CountingTask().sample(np.random.default_rng(0), 0),
        lambda: CountingTask().sample(0, 4),
        lambda: CountingTask().decode([0, 4]),
        lambda: make_task("sorting"),
        lambda: make_task("counting", k_max=3),
    ],
)
def test_bad_arguments_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize(
    "task, text",
    [
        (CountingTask(), "aaXb."),  # N b's must match N a's
        (CountingTask(), "Xb."),  # N >= 1
        (CountingTask(), "aaXbb"),  # end marker
        (NoisyCountingTask(), "XaYb."),  # no X before the first a
        (NoisyCountingTask(), "aXaYb."),
        (RememberTask(), "AxxYb."),  # wrong letter recalled
        (RememberTask(), "AYa."),  # at least one x
        (CopyTask(), "abcXabb."),
        (CopyTask(), "abXab."),  # three letters
        (LongGapTask(), "Aab?B"),
        (LongGapTask(), "A?A"),
        (TurnstileTask(), ""),
    ],
)
def test_malformed_texts_raise_value_error(task, text):
    with pytest.raises(ValueError, match=task.name):
        task.mask(text)


def test_module_lists_every_task():
    assert set(tasks.TASKS) == {t.name for t in ALL}
