"""Chapter 6's groundwork: the frozen corpus, the baselines, sampling, training.

The corpus checks run on every machine: the shipped text against its manifest,
the cleaning against two shipped source files whose hashes the manifest records,
and (on the stated Python) the rebuild from the installed standard library.
"""

from __future__ import annotations

import json
import lzma
import math
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_tutorial.chapters.ch06_code import (
    SPLITS,
    VOCAB,
    KneserNey,
    clean_source,
    decode,
    encode,
    kneser_ney,
    load_corpus,
    lzma_bits_per_char,
    ngram_table,
    sample,
    softmax_at,
)
from lstm_tutorial.chapters.ch06_code.corpus import (
    CORPUS_XZ,
    LICENSE,
    MANIFEST,
    read_corpus,
    sha256,
)
from lstm_tutorial.chapters.ch06_code.training import (
    RESULTS_PATH,
    Config,
    bits_per_char,
    matched_hidden,
    n_params,
    shipped_model,
    sizes,
    streams,
    training_results,
)
from lstm_tutorial.models import CharModel
from lstm_tutorial.text import UnknownTokenError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures") / "ch06"
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


# ----- the corpus -------------------------------------------------------------


def test_the_shipped_text_matches_its_manifest():
    manifest = json.loads(MANIFEST.read_text())
    xz = CORPUS_XZ.read_bytes()
    assert sha256(xz) == manifest["xz_sha256"]
    corpus = load_corpus()  # checks every file's sha256 on the way
    assert [f.path for f in corpus.files] == [f["path"] for f in manifest["files"]]
    for f in corpus.files:
        assert sha256(f.text) == f.text_sha256
    assert 100_000 < len(xz) < 1_000_000  # "a few hundred KB"


def test_a_changed_character_is_caught():
    manifest = json.loads(MANIFEST.read_text())
    text = bytearray(lzma.decompress(CORPUS_XZ.read_bytes()))
    text[1000] = ord("Z") if text[1000] != ord("Z") else ord("Y")
    with pytest.raises(ValueError, match="does not match its sha256"):
        read_corpus(lzma.compress(bytes(text)), manifest)
    with pytest.raises(ValueError, match="characters, manifest"):
        read_corpus(lzma.compress(bytes(text[:-1])), manifest)


def test_the_split_is_by_file_and_disjoint():
    corpus = load_corpus()
    paths = {s: corpus.paths(s) for s in SPLITS}
    assert all(paths[s] for s in SPLITS)
    every = [p for s in SPLITS for p in paths[s]]
    assert len(every) == len(set(every)) == len(corpus.files)
    texts = {s: {f.text_sha256 for f in corpus.files if f.split == s} for s in SPLITS}
    assert not texts["test"] & (texts["train"] | texts["valid"])
    for s in SPLITS:
        assert corpus.text(s) == "".join(f.text for f in corpus.files if f.split == s)
    sizes = {s: len(corpus.text(s)) for s in SPLITS}
    assert sizes["train"] > 5 * (sizes["valid"] + sizes["test"])
    with pytest.raises(ValueError, match="split must be one of"):
        corpus.text("held-out")


def test_every_character_is_in_the_alphabet_and_round_trips():
    assert len(VOCAB) == len(set(VOCAB)) == 96 and VOCAB[0] == "\n"
    corpus = load_corpus()
    text = corpus.text("test")
    ids = encode(text)
    assert ids.dtype == np.int64 and ids.min() >= 0 and ids.max() < 96
    assert decode(ids) == text
    assert "\t" not in text and "\r" not in text


def test_an_unknown_character_is_named_with_its_position():
    with pytest.raises(UnknownTokenError,
                       match=r"unknown character 'é' at position 5"):
        encode("x = 'é'")
    with pytest.raises(UnknownTokenError, match="at position 3"):
        encode("a =\tb")
    with pytest.raises(ValueError, match="text must be a str"):
        encode(b"abc")
    with pytest.raises(ValueError, match="ids must be a 1-d array"):
        decode([0, 96])


def test_cleaning_does_each_thing_it_says():
    source = ("#!/usr/bin/env python3\r\n# Copyright: someone\r\n\r\n"
              '"""Doc \u00e9t\u00e9."""\r\n\r\n'
              "def f(x):\t\r\n\treturn x  \f\r\n\r\n\r\n")
    want = '"""Doc ?t?."""\n\ndef f(x):\n        return x\n'
    assert clean_source(source) == want
    assert clean_source(want) == want  # cleaning clean text changes nothing
    assert clean_source("# only a comment\n\n") == ""
    assert clean_source("x = 1 # kept: not leading\n# kept\n") == (
        "x = 1 # kept: not leading\n# kept\n")
    # tab stops every 8 columns: "        y = '" is 13 wide, so the tab is 3
    assert clean_source("if x:\n  \ty = '\t'\n") == "if x:\n        y = '   '\n"


@pytest.mark.parametrize("name", ["quopri.py", "getopt.py"])
def test_shipped_sources_clean_to_the_shipped_text(name):
    """On any machine: the fixtures are the very files the manifest hashed."""
    raw = (FIXTURES / f"{name}.txt").read_bytes()
    shipped = {f.path: f for f in load_corpus().files}[name]
    assert sha256(raw) == shipped.source_sha256
    assert clean_source(raw.decode("utf-8")) == shipped.text


def test_the_installed_standard_library_rebuilds_the_corpus_or_is_refused():
    """On the stated Python the build script rebuilds all three files bit for
    bit; on any other it refuses, naming both versions."""
    stated = load_corpus().python_version
    have = ".".join(map(str, sys.version_info[:3]))
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "ch06_corpus.py"),
                          "--check"], env=ENV, capture_output=True, text=True,
                         check=False)
    if have == stated:
        assert run.returncode == 0, run.stdout + run.stderr
        assert "rebuilds bit for bit" in run.stdout
    else:
        assert run.returncode != 0
        assert stated in run.stderr and have in run.stderr


def test_the_license_of_the_source_ships_beside_it():
    text = LICENSE.read_text()
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in text
    assert "ch06_PSF_LICENSE.txt" in json.loads(MANIFEST.read_text())["source"]


# ----- the n-gram baseline ------------------------------------------------------


def test_unigram_by_hand():
    """train "aab" over {a, b, c}: c = (2, 1, 0), n1 = n2 = 1, D = 1/3;
    P(w) = (max(c_w - D, 0) + D * 2 types * 1/3) / 3 = 17/27, 8/27, 2/27."""
    m = KneserNey(np.array([0, 0, 1]), 1, 3)
    got = [m.prob([], w) for w in range(3)]
    np.testing.assert_allclose(got, [17 / 27, 8 / 27, 2 / 27], rtol=0, atol=1e-15)
    bits = m.bits_per_char(np.array([2, 0, 1]))  # scores a (after c) and b
    assert abs(bits - (-(math.log2(17 / 27) + math.log2(8 / 27)) / 2)) < 1e-12


def test_bigram_by_hand():
    """train "abab": bigrams ab x2, ba x1 (D2 = 1/3); continuation counts
    c'(a) = c'(b) = 1 (D1 = 1) so P1 = 1/2; after "a" (total 2, one type):
    P(b|a) = (2 - 1/3 + 1/3 * 1/2) / 2 = 11/12, P(a|a) = (1/3 * 1/2) / 2 = 1/12.
    A context never seen ("b" is never followed in... it is: "ba") falls back."""
    m = KneserNey(np.array([0, 1, 0, 1]), 2, 2)
    assert abs(m.prob([0], 1) - 11 / 12) < 1e-15
    assert abs(m.prob([0], 0) - 1 / 12) < 1e-15
    assert abs(m.prob([1], 0) - (1 - 1 / 3 + 1 / 3 * 1 / 2) / 1) < 1e-15


def reference_kn(train: list[int], n: int, V: int, context: list[int], w: int
                 ) -> float:
    """A slow, plain KN of the module docstring, with dicts of tuples."""
    grams = [defaultdict(int) for _ in range(n + 1)]  # grams[k][gram] = count
    for k in range(1, n + 1):
        if k == n:
            for t in range(len(train) - k + 1):
                grams[k][tuple(train[t: t + k])] += 1
        else:
            longer = {tuple(train[t: t + k + 1]) for t in range(len(train) - k)}
            for g in longer:
                grams[k][g[1:]] += 1
    p = 1 / V
    for k in range(1, n + 1):
        if len(context) < k - 1:
            continue
        h = tuple(context[len(context) - (k - 1):]) if k > 1 else ()
        counts = list(grams[k].values())
        n1, n2 = counts.count(1), counts.count(2)
        D = n1 / (n1 + 2 * n2) if n1 else 0.5
        after = {g[-1]: c for g, c in grams[k].items() if g[:-1] == h}
        total = sum(after.values())
        if total:
            p = (max(after.get(w, 0) - D, 0) + D * len(after) * p) / total
    return p


def test_kneser_ney_equals_a_plain_reference_and_sums_to_one():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 4, 300)  # 4 of 5 characters seen: one never
    train[100:140] = np.tile([0, 1, 2, 3], 10)  # some repeats, some counts > 2
    for n in range(1, 6):
        m = KneserNey(train, n, 5)
        for _ in range(6):
            context = list(rng.integers(0, 5, rng.integers(0, n + 2)))
            probs = [m.prob(context, w) for w in range(5)]
            assert abs(sum(probs) - 1) < 1e-12
            want = [reference_kn(list(train), n, 5, context, w) for w in range(5)]
            np.testing.assert_allclose(probs, want, rtol=0, atol=1e-12)
    test = rng.integers(0, 5, 60)
    m = KneserNey(train, 3, 5)
    bits = -np.mean([math.log2(reference_kn(list(train), 3, 5, list(test[:t]),
                                            test[t])) for t in range(1, 60)])
    assert abs(m.bits_per_char(test) - bits) < 1e-12


def test_shared_lower_orders_give_the_same_scores():
    rng = np.random.default_rng(2)
    train, test = rng.integers(0, 6, 2000), rng.integers(0, 6, 300)
    train[500:900] = np.tile(np.arange(6), 67)[:400]
    got = kneser_ney(train, test, 6, orders=[1, 2, 3, 5])
    for n, bits in got.items():
        assert bits == KneserNey(train, n, 6).bits_per_char(test)


def test_more_context_helps_on_a_repetitive_text():
    text = encode("def f(x):\n    return x + 1\n" * 40)
    got = kneser_ney(text[:800], text[800:], len(VOCAB), orders=[1, 2, 4, 8])
    assert got[1] > got[2] > got[4] > got[8]
    assert got[8] < 0.5  # a text seen before costs nearly nothing
    table = ngram_table(got, 1.0)
    assert "8-gram" in table and "<- best" in table and "lzma" in table


def test_ngram_bad_inputs():
    with pytest.raises(ValueError, match="n must be a positive int"):
        KneserNey(np.array([0, 1]), 0, 2)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 2\)"):
        KneserNey(np.array([0, 2]), 1, 2)
    with pytest.raises(ValueError, match="at least n = 3"):
        KneserNey(np.array([0, 1]), 3, 2)
    with pytest.raises(ValueError, match="do not fit in int64"):
        KneserNey(np.arange(20) % 96, 10, 96)
    with pytest.raises(ValueError, match="more than 1 ids"):
        KneserNey(np.array([0, 1]), 1, 2).bits_per_char(np.array([0]))


# ----- lzma's conditional cost --------------------------------------------------


def test_lzma_pays_little_for_a_repeat_and_about_log2_V_for_noise():
    rng = np.random.default_rng(1)
    train = decode(rng.integers(1, 96, 20_000))
    repeat = train[5000:7000]
    noise = decode(rng.integers(1, 96, 2000))
    assert lzma_bits_per_char(train, repeat) < 0.2
    assert 6.0 < lzma_bits_per_char(train, noise) < 7.6  # log2(95) = 6.57
    with pytest.raises(ValueError, match="at least one character"):
        lzma_bits_per_char(train, "")


# ----- sampling -------------------------------------------------------------------


@pytest.fixture
def tiny_model() -> CharModel:
    torch.manual_seed(0)
    return CharModel("lstm", len(VOCAB), 8).eval()


def test_softmax_at_a_temperature():
    z = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]])
    want = torch.softmax(torch.tensor(z) / 0.7, dim=-1).numpy()
    np.testing.assert_allclose(softmax_at(z, 0.7), want, rtol=0, atol=1e-15)
    assert softmax_at(np.array([1.0, 1.1]), 1e-3)[0] < 1e-40  # exp(-100): greedy
    np.testing.assert_allclose(softmax_at(np.array([1e4, 0.0]), 1.0), [1.0, 0.0])


def test_sampling_is_seeded_and_follows_the_model(tiny_model):
    a = sample(tiny_model, "def ", 30, 0.8, seed=3)
    assert a == sample(tiny_model, "def ", 30, 0.8, seed=3) and len(a) == 30
    assert a != sample(tiny_model, "def ", 30, 0.8, seed=4)
    n = 4000
    firsts = sample(tiny_model, "x", 1, 1.0, seed=0, n=n)
    with torch.no_grad():
        p = torch.softmax(tiny_model(torch.tensor([[VOCAB.index("x")]]))[0][0, -1],
                          -1).double().numpy()
    freq = np.bincount(encode("".join(firsts)), minlength=96) / n
    sigma = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(freq - p) < 5 * sigma + 1e-12)


def test_sampling_bad_inputs(tiny_model):
    with pytest.raises(ValueError, match="prompt must be a non-empty str"):
        sample(tiny_model, "", 5)
    with pytest.raises(UnknownTokenError, match="unknown character 'λ' at position 4"):
        sample(tiny_model, "def λ(x):", 5)
    for bad in (0, -1.0, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
            sample(tiny_model, "def", 5, temperature=bad)
    with pytest.raises(ValueError, match="length must be a positive int"):
        sample(tiny_model, "def", 0)
    with pytest.raises(ValueError, match="model reads 3 characters"):
        sample(CharModel("gru", 3, 4), "def", 5)


# ----- training ------------------------------------------------------------------


def test_parameter_count_formula_equals_torch():
    for kind in ("lstm", "gru", "rnn"):
        for H, L in ((5, 1), (7, 3)):
            model = CharModel(kind, len(VOCAB), H, L)
            assert n_params(kind, H, L) == sum(p.numel() for p in model.parameters())
    assert sizes(Config()) == {"lstm": 192, "gru": 223, "rnn": 392}
    target = n_params("lstm", 192, 2)
    for kind in ("gru", "rnn"):
        H = matched_hidden(kind, target, 2)
        gap = abs(n_params(kind, H, 2) - target)
        assert gap <= abs(n_params(kind, H + 1, 2) - target)
        assert gap <= abs(n_params(kind, H - 1, 2) - target)


def test_streams_cut_the_text_into_contiguous_rows():
    S = streams(np.arange(23), 4)  # 23 // 4 = 5 per row, the last 3 dropped
    assert S.tolist() == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14],
                          [15, 16, 17, 18, 19]]


def test_bits_per_char_of_a_uniform_model_is_log2_V():
    model = CharModel("rnn", len(VOCAB), 4)
    with torch.no_grad():
        model.readout.weight.zero_()
        model.readout.bias.zero_()
    bits = bits_per_char(model, encode("def f(x):\n    return x\n" * 10))
    assert abs(bits - math.log2(96)) < 1e-5  # float32 cross-entropy


# ----- the training script and the shipped models -------------------------------


def short_run(out: Path, kinds: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "scripts" / "ch06_train.py"), "--steps", "2",
           "--kinds", kinds, "--eval-chars", "600", "--no-progress", "--out", str(out)]
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, check=True)


def test_a_short_run_reproduces_bit_for_bit_and_starts_like_the_shipped_run(
        tmp_path):
    short_run(tmp_path / "a", "lstm,gru,rnn")
    short_run(tmp_path / "b", "lstm")
    short_run(tmp_path / "c", "rnn,gru")
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "ch06_lstm.npz").read_bytes() == (b / "ch06_lstm.npz").read_bytes()
    # runs side by side, merged, give the files of one run
    merged = tmp_path / "m"
    merged.mkdir()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "ch06_train.py"),
                    "--merge", str(tmp_path / "c"), str(b), "--out", str(merged)],
                   env=ENV, capture_output=True, text=True, check=True)
    for name in ("ch06_training.npz", "ch06_lstm.npz", "ch06_gru.npz", "ch06_rnn.npz"):
        assert (merged / name).read_bytes() == (a / name).read_bytes(), name
    with np.load(a / "ch06_training.npz", allow_pickle=False) as short, \
            np.load(RESULTS_PATH, allow_pickle=False) as shipped:
        missing = [k for k in ("lstm", "gru", "rnn") if f"{k}_loss" not in shipped]
        assert not missing, f"the shipped results lack {missing}: run ch06_train.py"
        for kind in ("lstm", "gru", "rnn"):
            # the first two steps do not depend on the number of steps (the
            # cosine starts at lr): the shipped curve must begin with them
            assert np.array_equal(short[f"{kind}_loss"], shipped[f"{kind}_loss"][:2])
            assert short[f"{kind}_params"] == shipped[f"{kind}_params"]


def test_the_shipped_models_load_without_pickle_and_score_as_stated():
    results = training_results()
    assert sorted(results) == ["gru", "lstm", "rnn"]
    params = [results[k]["params"] for k in results]
    assert max(params) - min(params) < 0.01 * max(params)  # equal sizes, 1%
    for kind, r in results.items():
        path = ROOT / "lstm_tutorial" / "weights" / f"ch06_{kind}.npz"
        assert path.stat().st_size < 5_000_000
        model, meta = shipped_model(kind)  # np.load(..., allow_pickle=False)
        assert model.kind == kind and model.vocab_size == 96
        assert sum(p.numel() for p in model.parameters()) == r["params"]
        assert meta["test_bits_per_char"] == r["test"]
        assert len(r["loss"]) == meta["config"]["steps"] == Config().steps
        assert r["valid"][-1, 0] == Config().steps
        assert r["test"] < math.log2(96) - 2  # learned far beyond uniform
    # the stated held-out score is the score of the shipped weights, recomputed
    model, meta = shipped_model("lstm")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        bits = bits_per_char(model, encode(load_corpus().text("test")))
    finally:
        torch.set_num_threads(threads)
    assert abs(bits - meta["test_bits_per_char"]) < 1e-9
    with pytest.raises(ValueError, match="kind must be one of"):
        shipped_model("transformer")
