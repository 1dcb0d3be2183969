"""Chapter 6's analysis: tokenize features, function checks, units by r and AUC,
forcing a unit, gates at characters, function sampling, the live controls."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_tutorial.cells import SequenceModel
from lstm_tutorial.chapters.ch06_code import (
    FEATURES,
    VOCAB,
    CodeExplorer,
    Config,
    FeatureUnit,
    Sampler,
    auc,
    best_units,
    check_function,
    code_features,
    code_heatmap,
    cut_function,
    encode,
    feature_rows,
    forced_next,
    gates_at,
    module_names,
    names_by_tokens,
    sample,
    sample_functions,
    top_level_functions,
    train_one,
    units_explorer,
)
from lstm_tutorial.models import CharModel
from lstm_tutorial.train import set_forget_bias
from lstm_tutorial.traces import Trace

SOURCE = (
    'def f(a, b):\n'
    '    x = [1, (2,\n'
    '         3)]  # c(\n'
    '    if a:\n'
    '        return "s(" + b\n'
    '\n'
    'class K:\n'
    '    pass\n'
)


def at(feats: dict, source: str, needle: str, k: int = 0) -> dict[str, float]:
    """The features of the character at source.index(needle) + k."""
    t = source.index(needle) + k
    return {name: float(v[t]) for name, v in feats.items()}


# ----- features -------------------------------------------------------------------


def test_features_by_hand():
    F = code_features(SOURCE)
    assert set(F) == set(FEATURES) and all(len(v) == len(SOURCE) for v in F.values())
    assert at(F, SOURCE, "f(a")["after_def"] == 1
    assert at(F, SOURCE, "K:")["after_def"] == 1
    assert at(F, SOURCE, "(a")["bracket_depth"] == 0  # the bracket counts after it
    assert at(F, SOURCE, "a, b")["bracket_depth"] == 1
    assert at(F, SOURCE, "2,")["bracket_depth"] == 2
    assert at(F, SOURCE, "3)")["bracket_depth"] == 2
    assert at(F, SOURCE, "  # c")["bracket_depth"] == 0
    c = at(F, SOURCE, "# c(", 3)  # a bracket inside a comment is not a bracket
    assert c["in_comment"] == 1 and c["bracket_depth"] == 0
    s = at(F, SOURCE, '"s(', 2)  # nor inside a string
    assert s["in_string"] == 1 and s["bracket_depth"] == 0 and s["indent"] == 2
    assert at(F, SOURCE, "3)")["indent"] == 1  # a continuation line keeps its level
    assert at(F, SOURCE, "3)")["line_start"] == 1
    assert at(F, SOURCE, "x =")["column"] == 4
    assert at(F, SOURCE, "x =", 1)["line_start"] == 0
    assert at(F, SOURCE, "pass")["indent"] == 1
    assert at(F, SOURCE, "class")["indent"] == 0


def test_features_of_snippets_come_from_their_whole_file():
    at_ = SOURCE.index("3)]")
    text = SOURCE[at_: at_ + 10]
    rows = feature_rows([text], [(SOURCE, at_)])
    assert rows["bracket_depth"][0][0] == 2  # knows the two brackets opened above
    with pytest.raises(ValueError, match="is not at offset"):
        feature_rows([text], [(SOURCE, at_ + 1)])
    for bad in ('x = "unterminated\n', "x = (1,\n"):
        with pytest.raises(ValueError, match="tokenize cannot read"):
            code_features(bad)
    with pytest.raises(ValueError, match="non-empty str"):
        code_features("")


# ----- function checks --------------------------------------------------------------


def test_cut_function():
    assert cut_function("def f(x):\n    return x\n\nclass A:\n  pass") == (
        "def f(x):\n    return x\n", True)
    text, finished = cut_function("def f(x):\n    return y\n    if")
    assert (text, finished) == ("def f(x):\n    return y\n", False)
    with pytest.raises(ValueError, match="must start with 'def '"):
        cut_function("class A:")


def test_unbound_names():
    src = ("def f(a, *rest, k=1, **kw):\n"
           "    import os.path as p, sys\n"
           "    for i, (j, _) in enumerate(rest):\n"
           "        total = i + j + undefined_one\n"
           "    with open(a) as fh:\n"
           "        pass\n"
           "    try:\n"
           "        g = [y for y in kw if y]\n"
           "    except OSError as e:\n"
           "        raise e\n"
           "    return f(p, sys, fh, g, total, k, known_global, another)\n")
    c = check_function(src, known=frozenset({"known_global"}))
    assert c.parses and c.unbound == ("another", "undefined_one")
    bad = check_function("def f(:\n")
    assert not bad.parses and bad.unbound == () and "SyntaxError" in bad.error
    assert check_function("def f(x):\n    y = 1\n    return (y\n").error_line == 3
    # the same names from the tokens alone
    src2 = src.replace("    return", "    x, z = 1, 2\n    total += (lambda q, w=2:"
                       " q + w + x + z)(1)\n    return")
    assert names_by_tokens(src2, frozenset({"known_global"})) == (
        "another", "undefined_one")
    assert check_function(src2, frozenset({"known_global"})).unbound == (
        "another", "undefined_one")
    # and from code that does not parse: reading stops where tokenize stops
    broken = "def f(a):\n    b = a +\n    return c(b, d.e, key=f)\n    x = (1,\n"
    assert not check_function(broken).parses
    assert names_by_tokens(broken) == ("c", "d")  # d.e reads d, not e


def test_module_names_and_top_level_functions():
    src = ("import os\nfrom a import b as c\nX = 1\nY: int = 2\n"
           "def f():\n    z = 1\n    return z\n\n@dec\ndef g():\n    pass\n"
           "class K:\n    def m(self):\n        pass\n")
    assert module_names(src) == {"os", "c", "X", "Y", "f", "g", "K"}
    assert top_level_functions(src) == ["def f():\n    z = 1\n    return z\n"]


# ----- units ------------------------------------------------------------------------


def test_auc_by_hand_with_ties():
    v = np.array([[0.1, 1.0], [0.4, 1.0], [0.35, 0.0], [0.8, 1.0]])
    y = np.array([0, 0, 1, 1])
    # unit 0: pairs (yes, no): (0.35, 0.1) win, (0.35, 0.4) lose, 0.8 wins twice
    # unit 1: yes 0.0 loses twice; yes 1.0 ties twice
    np.testing.assert_allclose(auc(v, y), [3 / 4, 1 / 4], rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="both yes and no"):
        auc(v, np.ones(4))
    with pytest.raises(ValueError, match=r"must be \(N, U\)"):
        auc(v[:, 0], y)


def planted_trace(feature: np.ndarray, H: int = 3) -> Trace:
    """A two-layer LSTM trace whose layer 2, c unit 1 equals ``feature``."""
    tr = SequenceModel.from_torch(CharModel("lstm", 5, H, 2).eval()).trace(
        np.zeros((2, feature.shape[1]), dtype=int))
    tr.layers[1]["c"][..., 1] = feature + 1e-4 * np.arange(feature.size).reshape(
        feature.shape)
    return tr


def test_best_units_finds_a_planted_unit():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    depth = rng.integers(0, 4, size=(2, 40)).astype(float)
    tr = planted_trace(depth)
    feats = {name: [rng.random(40) > 0.5 for _ in range(2)] for name in FEATURES}
    feats["bracket_depth"] = list(depth)
    got = {u.feature: u for u in best_units(tr, feats)}
    u = got["bracket_depth"]
    assert (u.quantity, u.unit, u.name, u.measure) == ("c", 4, "layer 2, c 1", "r")
    assert u.score > 0.99
    assert got["in_string"].measure == "AUC"
    with pytest.raises(ValueError, match="needs 2 rows of 40"):
        best_units(tr, {**feats, "column": [np.zeros(39)] * 2})


# ----- forcing and gates ------------------------------------------------------------


@pytest.fixture
def code_model() -> tuple[CharModel, SequenceModel]:
    torch.manual_seed(1)
    model = CharModel("lstm", len(VOCAB), 6, 2).eval()
    return model, SequenceModel.from_torch(model)


def test_forced_next_is_the_trace_with_overrides(code_model):
    model, sm = code_model
    u = FeatureUnit("bracket_depth", "c", 8, "layer 2, c 2", "r", 0.5)
    p = forced_next(sm, "f(a, b", u, None)
    with torch.no_grad():
        want = torch.softmax(model(torch.tensor(encode("f(a, b"))[None])[0][0, -1]
                             .double(), -1).numpy()
    np.testing.assert_allclose(p, want, rtol=0, atol=1e-6)
    forced = forced_next(sm, "f(a, b", u, 3.0)
    assert abs(forced.sum() - 1) < 1e-12 and np.abs(forced - p).max() > 1e-4
    # forcing only the last step equals forcing every step when nothing else
    # reads that cell later: both set c at the last step to 3.0, but forcing all
    # steps also changes what the earlier steps pass on
    assert not np.allclose(forced_next(sm, "f(a, b", u, 3.0, last=1), forced)


def test_gates_at_groups(code_model):
    _, sm = code_model
    texts = ["f(a)\n'x'", "g[b]\n\"y\""]
    tr = sm.trace(np.stack([encode(t) for t in texts]))
    u = FeatureUnit("in_string", "h", 7, "layer 2, h 1", "AUC", 0.9)
    g = gates_at(tr, texts, u, {"newline": "\n", "open": "(["})
    f = tr.layers[1].f[..., 1]
    assert g["newline"]["n"] == 2 and g["open"]["n"] == 2 and g["other"]["n"] == 12
    np.testing.assert_allclose(g["newline"]["f"], f[:, 4].mean(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(g["open"]["f"], f[:, 1].mean(), rtol=0, atol=1e-12)
    c = tr.layers[1].c[..., 1]
    np.testing.assert_allclose(g["open"]["dc"], (c[:, 1] - c[:, 0]).mean(),
                               rtol=0, atol=1e-12)


# ----- figures and live controls ----------------------------------------------------


def test_code_heatmap_draws_a_row_per_line():
    text = "ab\ncd\n"
    fig = code_heatmap(text, np.arange(6.0), "unit")
    z = np.array(fig.data[0].z, dtype=float)
    assert z.shape == (2, 3) and z[1, 0] == 3.0
    assert list(fig.data[0].text[0]) == ["a", "b", "\u21b5"]
    with pytest.raises(ValueError, match="one value per character"):
        code_heatmap(text, np.arange(5.0), "unit")


def test_units_explorer_has_one_entry_per_unit(code_model):
    _, sm = code_model
    text = "def f(x):\n    return x\n"
    tr = sm.trace(encode(text))
    units = [FeatureUnit("a", "c", 0, "layer 1, c 0", "r", 0.1),
             FeatureUnit("b", "h", 7, "layer 2, h 1", "AUC", 0.8)]
    fig = units_explorer(tr, text, units)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["a: layer 1, c 0", "b: layer 2, h 1"]
    z = np.array(buttons[1].args[0]["z"][0], dtype=float)
    np.testing.assert_allclose(z[0, :3], tr.layers[1].h[:3, 1], rtol=0, atol=1e-3)


def test_live_controls_recompute_and_name_bad_input(code_model):
    model, sm = code_model
    units = [FeatureUnit("a", "c", 0, "layer 1, c 0", "r", 0.1)]
    ex = CodeExplorer(sm, units, "x = 1\n")
    first = ex.output.spec
    ex.text.value = "y = (2)\n"
    assert ex.output.spec != first and ex.error.value == ""
    ex.text.value = "λ = 1"
    assert "unknown character" in ex.error.value
    s = Sampler(model, "def ", length=20)
    before = s.out.value
    s.temperature.value = 1.3
    assert s.out.value != before and s.out.value.startswith("<pre")
    s.temperature.value = 0.0 + 0.1
    s.prompt.value = ""
    assert "prompt must be a non-empty str" in s.out.value


# ----- sampling and training --------------------------------------------------------


def test_sample_functions_stop_early_without_changing_the_draws(code_model):
    model, _ = code_model
    got = sample_functions(model, n=3, temperature=1.0, seed=2, length=64)
    full = sample(model, "\n\ndef ", 64, 1.0, seed=2, n=3)
    for (text, finished), long in zip(got, full):
        assert ("def " + long).startswith(text.rstrip("\n"))
        assert finished == cut_function("def " + long)[1] or not finished


def test_stop_after_replays_the_start_of_a_run():
    ids = encode("def f(x):\n    return x + 1\n" * 40)
    cfg = Config(num_layers=1, lstm_hidden=4, batch_size=2, seq_len=8, steps=6,
                 eval_every=100)
    full = train_one("lstm", 4, cfg, ids, ids[:50], progress=False)
    part = train_one("lstm", 4, cfg, ids, ids[:50], progress=False, stop_after=3)
    assert part["losses"] == full["losses"][:3]
    with pytest.raises(ValueError, match=r"stop_after must be in \[1, 6\]"):
        train_one("lstm", 4, cfg, ids, ids[:50], progress=False, stop_after=7)


def test_set_forget_bias_sets_the_f_rows_only():
    torch.manual_seed(0)
    m = CharModel("lstm", 5, 3, 2)
    before = {n: p.detach().clone() for n, p in m.named_parameters()}
    set_forget_bias(m, 1.5)
    for k in range(2):
        b_ih = getattr(m.rnn, f"bias_ih_l{k}").detach()
        b_hh = getattr(m.rnn, f"bias_hh_l{k}").detach()
        assert torch.all(b_ih[3:6] == 1.5) and torch.all(b_hh[3:6] == 0)
        assert torch.equal(b_ih[:3], before[f"rnn.bias_ih_l{k}"][:3])
        assert torch.equal(b_ih[6:], before[f"rnn.bias_ih_l{k}"][6:])
    r = CharModel("rnn", 5, 3)
    w = [p.detach().clone() for p in r.parameters()]
    set_forget_bias(r, 1.5)  # no forget gate: unchanged
    assert all(torch.equal(a, b.detach()) for a, b in zip(w, r.parameters()))
