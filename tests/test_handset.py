"""Hand-set networks: each claim of the book about them, checked.

Expected behaviour comes from the task definitions (a plain Python turnstile
state machine, the strings a^N X b^N ., A x^k Y a .), never from the networks.
numpy vs torch: both float64, max abs difference <= TOL.
"""

import inspect
import itertools

import numpy as np
import pytest
import torch

from lstm_tutorial import handset as hs
from lstm_tutorial import tasks
from lstm_tutorial.text import UnknownTokenError

TOL = 1e-12  # numpy float64 cells vs torch float64 modules, max abs difference
N_MAX = 10_000  # counts and gaps checked: every value in 1..N_MAX
N_BRUTE = 300  # counts also checked step by step, every N in 1..N_BRUTE


def turnstile_machine(text: str) -> list[int]:
    """The two-coin turnstile: 1 (WALK) after a step iff two coins are paid."""
    s, out = 0, []
    for ch in text:
        if ch == "c":
            s = min(s + 1, 2)
        elif s == 2:  # a push with two coins paid: walk through, lock again
            s = 0
        out.append(int(s == 2))
    return out


def greedy(net: hs.HandSet, h: np.ndarray, c: np.ndarray, first: np.ndarray,
           steps: int) -> np.ndarray:
    """Batched greedy decoding in the numpy model: from states h, c (1, B, H)
    feed token ids `first` (B,), then feed back each row's top-scoring output.
    Returns the (B, steps) output ids."""
    out = np.empty((len(first), steps), dtype=np.int64)
    ids = first
    for j in range(steps):
        tr = net.model.trace(ids[:, None], h, c)
        ids = out[:, j] = np.argmax(tr.logits[:, -1], axis=-1)
        h, c = tr.h_n, tr.c_n
    return out


def counts_wrong(net: hs.HandSet, h: np.ndarray, c: np.ndarray, delimiter: str,
                 chunk: int = 48) -> np.ndarray:
    """The N (1..B) for which, from the state after the a's of N (row N - 1 of h,
    c: (1, B, H)), reading the delimiter and then b's, the top-scoring next
    character is not b, b, ..., b (N times), ".".

    Teacher forcing, which here is the same as greedy decoding: if every
    prediction equals its target, greedy decoding feeds back exactly the targets,
    so it writes N b's and then the end marker, where it stops. Rows run in
    chunks of steps; row N is dropped after its step N.
    """
    B = h.shape[1]
    N = np.arange(1, B + 1)
    d, b, end = (net.alphabet.index(ch) for ch in (delimiter, "b", "."))
    wrong = np.zeros(B, dtype=bool)
    h, c = h.copy(), c.copy()
    for j0 in range(0, B + 1, chunk):  # steps j0 .. j0 + chunk - 1
        lo = j0 - 1 if j0 else 0  # rows with N >= j0 still have targets
        j = np.arange(j0, j0 + chunk)[None, :]  # (1, L)
        ids = np.where(j == 0, d, b).repeat(B - lo, axis=0)  # (B - lo, L)
        n = N[lo:, None]
        target = np.where(j < n, b, end)
        tr = net.model.trace(ids, h[:, lo:], c[:, lo:])
        pred = np.argmax(tr.logits, axis=-1)
        wrong[lo:] |= np.any((pred != target) & (j <= n), axis=1)
        h[:, lo:], c[:, lo:] = tr.h_n, tr.c_n
    return N[wrong]


def assert_counts_every_n(net: hs.HandSet, h: np.ndarray, c: np.ndarray,
                          delimiter: str) -> None:
    """From the state after the a's of N (row N - 1 of h, c: (1, B, H)), reading
    the delimiter, greedy decoding writes exactly N b's and "." for every N in
    1..B. Proof by induction over N, vectorised over N:

    (1) after a^N + delimiter the top prediction is b, for every N;
    (2) after a + delimiter + b it is ".";
    (3) the state after a^N + delimiter + b equals, bit for bit, the state after
        a^(N-1) + delimiter (N >= 2).
    The cell is deterministic, so by (3) the predictions of N after its first b
    are those of N - 1; with (1) and (2), N's are b^N then ".".
    """
    B = h.shape[1]
    d, b, end = (net.alphabet.index(ch) for ch in (delimiter, "b", "."))
    s1 = net.model.trace(np.full((B, 1), d), h, c)  # after a^N + delimiter
    s2 = net.model.trace(np.full((B, 1), b), s1.h_n, s1.c_n)  # ... + b
    p1 = np.argmax(s1.logits[:, -1], axis=-1)
    p2 = np.argmax(s2.logits[:, -1], axis=-1)
    assert np.all(p1 == b), f"no b first for N = {np.flatnonzero(p1 != b)[:10] + 1}"
    assert p2[0] == end
    assert np.array_equal(s2.h_n[:, 1:], s1.h_n[:, :-1])
    assert np.array_equal(s2.c_n[:, 1:], s1.c_n[:, :-1])


def assert_torch_agrees(net: hs.HandSet, ids: np.ndarray) -> None:
    """Logits, hidden states and final states of numpy and torch within TOL."""
    tr = net.model.trace(ids)
    model = net.to_torch()
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(ids))
        out, state = net.cell.to_torch()(torch.from_numpy(net.model.onehot(ids)))
    assert np.max(np.abs(logits.numpy() - tr.logits)) <= TOL
    assert np.max(np.abs(out.numpy() - tr.h)) <= TOL
    if net.kind == "lstm":
        h_n, c_n = state
        assert np.max(np.abs(c_n.numpy() - tr.c_n)) <= TOL
    else:
        h_n = state
    assert np.max(np.abs(h_n.numpy() - tr.h_n)) <= TOL


# --------------------------------------------------------------------------- coins


def test_coin_counter_is_identity_relu_rnn_and_counts():
    net = hs.coin_counter()
    p = net.params
    assert np.array_equal(p["weight_ih_l0"], np.eye(2))
    assert np.array_equal(p["weight_hh_l0"], np.eye(2))
    assert not p["bias_ih_l0"].any() and not p["bias_hh_l0"].any()
    assert net.cell.nonlinearity == "relu"
    assert np.array_equal(net.encode("cp"), [0, 1])  # coin = [1, 0], push = [0, 1]
    assert np.array_equal(net.trace("cc").h, [[1, 0], [2, 0]])
    # memory = running counts [coins seen, passes], a formula independent of the net
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(["c", "p"], size=200))
    counts = np.cumsum([[ch == "c", ch == "p"] for ch in text], axis=0)
    assert np.array_equal(net.trace(text).h, counts)


def test_turnstile_agrees_with_state_machine_on_every_string_up_to_12():
    net = hs.turnstile()
    model = net.to_torch()
    strings = agree = 0
    for T in range(1, 13):
        ids = np.array(list(itertools.product([0, 1], repeat=T)), dtype=np.int64)
        tr = net.model.trace(ids)  # (2^T, T, ...)
        pred = np.argmax(tr.logits, axis=-1)
        expect = np.array([turnstile_machine(net.decode(row)) for row in ids])
        strings += len(ids)
        agree += int(np.sum(np.all(pred == expect, axis=1)))
        assert set(np.unique(tr.h)) <= {0.0, 1.0}  # the state stays exactly one-hot
        with torch.no_grad():
            logits, _ = model(torch.from_numpy(ids))
        assert np.max(np.abs(logits.numpy() - tr.logits)) <= TOL
    assert strings == 8190
    assert agree == 8190
    assert net.outputs == tasks.TurnstileTask.output_names


def test_turnstile_semantics_spelled_out():
    net = hs.turnstile()
    assert net.predict("cc") == ["LOCKED", "WALK"]
    assert net.predict("ccp") == ["LOCKED", "WALK", "LOCKED"]  # passes, locks again
    assert net.predict("cpc") == ["LOCKED", "LOCKED", "WALK"]  # locked push: no-op
    assert net.predict("ccc") == ["LOCKED", "WALK", "WALK"]  # a third coin is kept
    for text in ("ccpcpcc", "pppcc", "cpppcppc"):
        want = tasks.turnstile_outputs(text)  # the task module's own machine
        assert [net.outputs.index(o) for o in net.predict(text)] == want.tolist()


# --------------------------------------------------------------------------- counting


def test_counter_outputs_exactly_n_bs_then_end_for_every_n_to_10000():
    net = hs.counter_lstm()
    assert net.alphabet == tasks.CountingTask.alphabet
    tr = net.trace("a" * N_MAX)  # states after a^N for every N (the run is causal)
    assert_counts_every_n(net, tr.h[None], tr.c[None], "X")
    # and by brute force (teacher forcing = greedy here) for N up to N_BRUTE
    wrong = counts_wrong(net, tr.h[None, :N_BRUTE], tr.c[None, :N_BRUTE], "X")
    assert wrong.size == 0, f"wrong for N = {wrong[:10]}"
    # the cell state holds the count exactly: c = N after a^N
    assert np.array_equal(tr.c[:, 0], np.arange(1, N_MAX + 1))


def test_counter_complete_and_format_agree_with_tasks():
    net = hs.counter_lstm()
    for n in (1, 2, 19, 1000, N_MAX):  # the literal greedy loop
        assert net.complete("a" * n + "X", max_len=n + 5) == "b" * n + "."
    task = tasks.CountingTask(n_min=1, n_max=30)
    batch = task.batch(task.validation_texts())
    pred = np.argmax(net.model.trace(batch.inputs).logits, axis=-1)
    assert np.array_equal(pred[batch.mask], batch.targets[batch.mask])


def test_noisy_counter_ignores_x_for_every_n_to_10000():
    net = hs.noisy_counter_lstm()
    assert net.alphabet == tasks.NoisyCountingTask.alphabet
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 4, size=N_MAX)  # 0..3 X's after each a
    text = "".join("a" + "X" * int(k) for k in noise)
    tr = net.trace(text)
    count = net.unit("count")
    on_x = np.array([ch == "X" for ch in text])
    assert on_x.sum() > N_MAX  # plenty of noise
    assert np.max(tr.i[on_x, count]) <= 1e-15  # input gate shut on every X ...
    assert np.min(tr.g[on_x, count]) >= 1 - 1e-12  # ... while the candidate fires
    # prefix N: all of `text` before the (N+1)-th a, so X's may precede the Y
    last = np.append(np.flatnonzero(~on_x)[1:], len(text)) - 1  # (N_MAX,)
    assert_counts_every_n(net, tr.h[last][None], tr.c[last][None], "Y")
    h, c = tr.h[last[:N_BRUTE]][None], tr.c[last[:N_BRUTE]][None]
    wrong = counts_wrong(net, h, c, "Y")
    assert wrong.size == 0, f"wrong for N = {wrong[:10]}"
    task = tasks.NoisyCountingTask(n_min=1, n_max=30, x_max=20)
    batch = task.batch(task.validation_texts())
    pred = np.argmax(net.model.trace(batch.inputs).logits, axis=-1)
    assert np.array_equal(pred[batch.mask], batch.targets[batch.mask])


# --------------------------------------------------------------------------- remember


def test_remember_holds_the_state_over_every_gap_to_10000():
    net = hs.remember_lstm()
    assert net.alphabet == tasks.RememberTask.alphabet
    ids = np.stack([net.encode(first + "x" * N_MAX) for first in "AB"])
    tr = net.model.trace(ids)  # (2, 1 + N_MAX, H)
    # states after k x's, k = 1..N_MAX, for A then B: (1, 2 N_MAX, H)
    h = tr.h[:, 1:].reshape(1, 2 * N_MAX, -1).copy()
    c = tr.c[:, 1:].reshape(1, 2 * N_MAX, -1).copy()
    Y = net.alphabet.index("Y")
    out = greedy(net, h, c, np.full(2 * N_MAX, Y), 2)
    expect = np.array([[net.alphabet.index(x) for x in ans + "."]
                       for ans in "ab" for _ in range(N_MAX)])
    assert np.array_equal(out, expect)
    # the gates: input shut and forget open through the x's
    for u, first in ((net.unit("saw A"), 0), (net.unit("saw B"), 1)):
        assert np.max(tr.i[:, 1:, u]) <= 1e-15
        assert np.min(tr.f[:, 1:, u]) >= 1 - 1e-15
        assert np.max(np.abs(tr.c[first, :, u] - 1)) <= 1e-15  # its letter, held
        assert np.max(np.abs(tr.c[1 - first, :, u])) <= 1e-15  # the other: nothing


def test_remember_lets_go_after_the_answer_and_agrees_with_tasks():
    net = hs.remember_lstm()
    for first in "AB":
        text = first + "xxxY" + first.lower()
        tr = net.trace(text)
        u = net.unit(f"saw {first}")
        assert tr.o[4, u] >= 1 - 1e-15 and np.max(tr.o[:4, u]) <= 1e-15  # shown on Y
        assert tr.f[-1, u] <= 1e-15  # forget gate lets go once the letter is read
        assert abs(tr.c[-1, u]) <= 1e-15
        assert net.complete(first + "x" * 7 + "Y") == first.lower() + "."
    task = tasks.RememberTask(k_min=1, k_max=50)
    batch = task.batch(task.validation_texts())
    pred = np.argmax(net.model.trace(batch.inputs).logits, axis=-1)
    assert np.array_equal(pred[batch.mask], batch.targets[batch.mask])


# --------------------------------------------------------------------------- sentence


def test_sentence_tokens_and_unknown_word():
    net = hs.sentence_lstm()
    assert hs.tokenize(hs.FRANCE) == [
        "in", "france", ",", "mary", "ate", "her", "croissant", "but", "frank",
        "did", "not", "like", "the", "wine", ".",
    ]
    assert net.decode(net.encode(hs.ITALY)) == " ".join(hs.tokenize(hs.ITALY))
    with pytest.raises(UnknownTokenError) as err:
        net.encode("In Spain, Mary ate her paella.")
    assert isinstance(err.value, ValueError)
    assert err.value.token == "spain" and err.value.position == 1
    msg = str(err.value)
    assert "'spain'" in msg
    assert all(repr(word) in msg for word in net.vocabulary)
    with pytest.raises(UnknownTokenError,
                       match="character 'Z' at position 2.*alphabet"):
        hs.counter_lstm().encode("aaZ")


@pytest.mark.parametrize("text, country", [(hs.FRANCE, "France"), (hs.ITALY, "Italy")])
def test_sentence_gates_at_named_words(text, country):
    net = hs.sentence_lstm()
    words = hs.tokenize(text)
    tr = net.trace(text)
    t = words.index(country.lower())
    u = net.unit(f"seen {country}")
    others = [k for k in range(net.hidden_size) if k != u]
    assert tr.i[t, u] >= 1 - 1e-12  # only this feature's input gate opens
    assert np.max(tr.i[t, others]) <= 1e-12
    t = words.index("but")
    eating = net.unit("eating")
    keep = [k for k in range(net.hidden_size) if k != eating]
    assert tr.f[t, eating] <= 1e-12  # "but" drops eating ...
    assert np.min(tr.f[t, keep]) >= 1 - 1e-12  # ... and nothing else
    assert tr.c[t - 1, eating] >= 1 - 1e-12 and abs(tr.c[t, eating]) <= 1e-12


def test_sentence_next_word_scores_croissant_vs_pizza():
    net = hs.sentence_lstm()
    fr = net.scores("In France, Mary ate her")
    it = net.scores("In Italy, Mary ate her")
    assert fr["croissant"] > fr["pizza"] and it["pizza"] > it["croissant"]
    assert max(fr, key=fr.get) == "croissant" and max(it, key=it.get) == "pizza"
    assert fr["croissant"] - fr["pizza"] >= 1  # a clear margin, not a tie broken
    # the smaller claims of its weight table
    ate = net.scores("In France, Mary ate")
    assert max(ate, key=ate.get) == "her" and ate["her"] > ate["his"]
    drink = net.scores(hs.FRANCE.removesuffix(" wine."))
    assert max(drink, key=drink.get) == "wine"


# --------------------------------------------------------------------------- all nets


@pytest.mark.parametrize("name", sorted(hs.BUILDERS))
def test_numpy_and_torch_agree(name):
    net = hs.BUILDERS[name]()
    rng = np.random.default_rng(7)
    torch.manual_seed(7)
    ids = rng.integers(0, net.input_size, size=(16, 60))
    assert_torch_agrees(net, ids)
    if name == "counter":  # long runs: the count in c is exact in both
        ids = net.encode("a" * 3000 + "X" + "b" * 2999)[None]
        assert_torch_agrees(net, ids)


@pytest.mark.parametrize("name", sorted(hs.BUILDERS))
def test_weight_tables_document_the_weights(name):
    builder = hs.BUILDERS[name]
    net = builder()
    assert net.markdown_table() in inspect.getdoc(builder)
    assert all(row.why for row in net.table)
    H = net.hidden_size
    gates = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}.get(net.kind, ("",))
    p = net.params
    for row in net.table:  # every fully specified entry holds the table's value
        if "*" in (row.unit, row.source):
            continue
        if row.matrix in ("W", "U", "b"):
            r = gates.index(row.gate) * H + net.unit_names.index(row.unit)
            if row.matrix == "W":
                got = p["weight_ih_l0"][r, net.tokens.index(row.source)]
            elif row.matrix == "U":
                got = p["weight_hh_l0"][r, net.unit_names.index(row.source)]
            else:
                got = p["bias_ih_l0"][r] + p["bias_hh_l0"][r]
        else:
            o = net.outputs.index(row.unit)
            got = (net.readout["weight"][o, net.unit_names.index(row.source)]
                   if row.matrix == "V" else net.readout["bias"][o])
        assert got == row.value, row.weight


# --------------------------------------------------------------------------- toggle


def lamp(text: str) -> list[int]:
    """The push-button lamp: 1 (on) after a step iff the presses so far are odd."""
    return [text[: k + 1].count("p") % 2 for k in range(len(text))]


def test_toggle_agrees_with_the_lamp_on_every_string_up_to_12():
    net = hs.toggle_lstm()
    assert net.tokens == ("p", "w") and net.outputs == ("off", "on")
    strings = agree = 0
    for T in range(1, 13):
        ids = np.array(list(itertools.product([0, 1], repeat=T)), dtype=np.int64)
        tr = net.model.trace(ids)
        pred = np.argmax(tr.logits, axis=-1)
        expect = np.array([lamp(net.decode(row)) for row in ids])
        strings += len(ids)
        agree += int(np.sum(np.all(pred == expect, axis=1)))
        assert set(np.unique(tr.c)) <= {0.0, 1.0}  # the lamp is exactly 0 or 1
    assert (strings, agree) == (8190, 8190)


def test_toggle_stays_exact_on_a_long_string():
    net = hs.toggle_lstm()
    text = "".join(np.random.default_rng(3).choice(["p", "w"], size=10_000))
    tr = net.trace(text)
    assert np.array_equal(tr.c[:, 0], lamp(text))
    assert np.array_equal(np.argmax(tr.logits, axis=-1), lamp(text))


def test_toggle_reads_h_through_one_weight_and_fails_without_it():
    net = hs.toggle_lstm()
    U = net.params["weight_hh_l0"]  # (4H, H) = (4, 1), rows i | f | g | o
    assert np.count_nonzero(U) == 1 and U[0, 0] == -120  # U_i[lamp, lamp] only
    # on a press with the lamp on, the input gate's pre-activation is
    # 40 - 120 tanh(1) < -40: shut
    assert 40 - 120 * np.tanh(1.0) <= -hs.SAT
    tr = net.trace("pp")
    assert tr.i[0, 0] == 1.0 and tr.i[1, 0] <= 1e-17
    no_u = hs.HandSet(name="toggle, U = 0", kind="lstm", tokens=net.tokens,
                      outputs=net.outputs, unit_names=net.unit_names,
                      table=tuple(r for r in net.table if r.matrix != "U"))
    assert not no_u.params["weight_hh_l0"].any()
    assert no_u.predict("pppp") == ["on"] * 4  # stuck on after the first press
    assert net.predict("pppp") == ["on", "off", "on", "off"]
