"""Networks whose weights are set by hand, and why each weight has its value.

Before any training, the book designs networks by hand:

- ``coin_counter()``: a ReLU RNN with W = I, U = I that counts coins and pushes;
- ``turnstile()``: a ReLU RNN that is the two-coin turnstile (WALK / LOCKED);
- ``counter_lstm()``: an LSTM for ``a^N X b^N``, exact for every N up to 10,000
  and beyond;
- ``noisy_counter_lstm()``: the same counter when X's are sprinkled among the a's
  (delimiter Y): its input gate shuts on X;
- ``remember_lstm()``: an LSTM that holds A or B over any number of x's;
- ``sentence_lstm()``: a word-level LSTM with named cell features reading
  "In France, Mary ate her croissant but Frank did not like the wine."

Each builder returns a :class:`HandSet`: the weights in torch layout
(``params``, ``readout``), the numpy model (``cell``, ``model`` from ``cells``),
the torch model (``to_torch()``), the tokens and unit names, and its weight
table: rows of (weight, value, why). The table is the source of the weights
(every entry not listed is 0), and each builder's docstring ends with it.

How a weight is named in the tables. RNN: h_t = relu(W x_t + U h_{t-1} + b).
LSTM: gate k in {i, f, g, o} has pre-activation W_k x_t + U_k h_{t-1} + b_k.
Readout: logits_t = V h_t + b_y. ``W_i[count, 'a']`` is the entry in the input
gate's row of unit "count" and the column of input token "a" (torch:
``weight_ih_l0[0 * H + count, a]``); ``*`` stands for every row or column, and
later rows override earlier ones. With one-hot inputs, column "a" of W_k *is*
the pre-activation of gate k when "a" is read (the LSTM biases are 0).

Why 40: sigma(40) = 1 - 4.2e-18 and tanh(40) = 1 - 3.6e-35 both round to exactly
1.0 in float64, and sigma(-40) = 4.2e-18 (exactly 0 in the cells' tanh form of
sigma). A gate driven by +-40 is open or shut to 17 digits, so a count kept in
an LSTM cell state stays an exact integer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import torch

from . import cells
from .models import CharModel
from .text import UnknownTokenError, encode, tokenize

__all__ = [
    "SAT",
    "WeightRow",
    "HandSet",
    "UnknownTokenError",
    "tokenize",
    "coin_counter",
    "turnstile",
    "counter_lstm",
    "noisy_counter_lstm",
    "remember_lstm",
    "sentence_lstm",
    "BUILDERS",
    "FRANCE",
    "ITALY",
    "SENTENCE_VOCABULARY",
    "COIN_COUNTER_TABLE",
    "TURNSTILE_TABLE",
    "COUNTER_TABLE",
    "NOISY_COUNTER_TABLE",
    "REMEMBER_TABLE",
    "SENTENCE_TABLE",
]

SAT = 40.0  # a pre-activation that saturates a gate: sigma(+-40) = 1.0 or < 5e-18

_LSTM_GATES = ("i", "f", "g", "o")


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class WeightRow:
    """One row of a weight table: which entries, their value, and why.

    matrix: "W" (input -> gate), "U" (hidden -> gate), "b" (gate bias),
    "V" (readout), "b_y" (readout bias). gate: "i", "f", "g", "o" for an LSTM,
    "" for an RNN and the readout. unit: the row (a unit name; an output for V
    and b_y), "*" = every row. source: the column (an input token for W, a unit
    name for U and V), "*" = every column, "" for biases.
    """

    matrix: str
    gate: str
    unit: str
    source: str
    value: float
    why: str

    @property
    def weight(self) -> str:
        """The entry as the tables write it, e.g. W_i[count, 'a'] or b_y[WALK]."""
        name = self.matrix + (f"_{self.gate}" if self.gate else "")
        if self.matrix in ("b", "b_y"):
            return f"{name}[{self.unit}]"
        source = self.source
        if self.matrix == "W" and source != "*":
            source = repr(source)  # an input token, quoted: W_i[count, 'a']
        return f"{name}[{self.unit}, {source}]"

    def as_dict(self) -> dict[str, Any]:
        """{"weight", "value", "why"}: a row as the book renders it."""
        return {"weight": self.weight, "value": self.value, "why": self.why}


def _row(spec: str, value: float, why: str) -> WeightRow:
    """WeightRow from a compact spec "M gate unit | source" (gate "-" for none)."""
    head, _, source = spec.partition("|")
    matrix, gate, unit = head.split(maxsplit=2)
    return WeightRow(matrix, "" if gate == "-" else gate, unit.strip(), source.strip(),
                     float(value), why)


def _markdown(rows: Iterable[WeightRow]) -> str:
    """The table as markdown: | weight | value | why |."""
    lines = ["| weight | value | why |", "|---|---:|---|"]
    for r in rows:
        lines.append(f"| `{r.weight}` | {r.value:g} | {r.why} |")
    return "\n".join(lines)


def _documented(rows: Sequence[WeightRow]):
    """Append the weight table to the builder's docstring."""

    def deco(fn):
        fn.__doc__ = (
            (fn.__doc__ or "").rstrip()
            + "\n\n    Weight table (entries not listed are 0):\n\n"
            + "\n".join("    " + line for line in _markdown(rows).splitlines())
            + "\n"
        )
        return fn

    return deco


# --------------------------------------------------------------------------- tokens


# --------------------------------------------------------------------------- networks


@dataclass(frozen=True, eq=False)
class HandSet:
    """A hand-set network: one-hot tokens -> RNN/LSTM cell -> linear readout.

        x_t = onehot(token_t),  h_t = cell(x_t, h_{t-1}[, c_{t-1}]),
        logits_t = V h_t + b_y   (one score per entry of ``outputs``)

    kind: "rnn_relu" or "lstm". tokens: the inputs, id = position (``alphabet``
    for a character network, ``vocabulary`` for a word network). outputs: what
    each logit stands for. unit_names: one name per hidden unit. table: the
    weight table the weights are built from. level: "char" (one token per
    character) or "word" (``tokenize``). end: the end marker, where greedy
    completion stops.
    """

    name: str
    kind: str
    tokens: tuple[str, ...]
    outputs: tuple[str, ...]
    unit_names: tuple[str, ...]
    table: tuple[WeightRow, ...]
    level: str = "char"
    end: str | None = None
    params: dict[str, np.ndarray] = field(init=False, repr=False)
    readout: dict[str, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ("rnn_relu", "lstm"):
            raise ValueError(f"kind must be 'rnn_relu' or 'lstm', got {self.kind!r}")
        if self.level not in ("char", "word"):
            raise ValueError(f"level must be 'char' or 'word', got {self.level!r}")
        params, readout = _assemble(self)
        for a in (*params.values(), *readout.values()):
            a.setflags(write=False)  # the table is the one place to change a weight
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "readout", readout)

    # ----- sizes and names

    @property
    def alphabet(self) -> str | tuple[str, ...]:
        """The input tokens in id order: a str for a character network."""
        return "".join(self.tokens) if self.level == "char" else self.tokens

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The input tokens in id order."""
        return self.tokens

    @property
    def input_size(self) -> int:
        return len(self.tokens)

    @property
    def hidden_size(self) -> int:
        return len(self.unit_names)

    def unit(self, name: str) -> int:
        """Index of the hidden unit called `name`."""
        if name not in self.unit_names:
            raise UnknownTokenError(name, self.unit_names, what="unit",
                                    owner=self.name, vocabulary_name="units")
        return self.unit_names.index(name)

    # ----- models

    @cached_property
    def cell(self) -> cells.RNN | cells.LSTM:
        """The numpy cell (cells.RNN with relu, or cells.LSTM), float64."""
        if self.kind == "lstm":
            return cells.LSTM(self.params)
        return cells.RNN(self.params, nonlinearity="relu")

    @cached_property
    def model(self) -> cells.SequenceModel:
        """The numpy cell plus readout over one-hot tokens."""
        return cells.SequenceModel(
            self.cell, cells.Dense(self.readout["weight"], self.readout["bias"])
        )

    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights under models.CharModel's names (rnn.*, readout.*)."""
        return {f"rnn.{k}": v.copy() for k, v in self.params.items()} | {
            f"readout.{k}": v.copy() for k, v in self.readout.items()
        }

    def to_torch(self) -> Any:
        """The torch model with these weights: a float64 models.CharModel,
        ``forward(ids (B, T)) -> (logits (B, T, len(outputs)), state)``."""
        net = CharModel(self.kind, self.input_size, self.hidden_size,
                        output_size=len(self.outputs)).double()
        state = {k: torch.from_numpy(v) for k, v in self.state_dict().items()}
        net.load_state_dict(state)
        return net.eval()

    # ----- text

    def split(self, text: str) -> list[str]:
        """Text -> tokens: its characters, or ``tokenize(text)`` for words."""
        if not isinstance(text, str):
            raise ValueError(
                f"{self.name}: text must be a str, got {type(text).__name__}"
            )
        return list(text) if self.level == "char" else tokenize(text)

    def encode(self, text: str | Sequence[str]) -> np.ndarray:
        """Text (or a list of tokens) -> token ids (T,) int64.

        An unknown token raises UnknownTokenError listing the vocabulary.
        """
        toks = self.split(text) if isinstance(text, str) else list(text)
        if not toks:
            raise ValueError(
                f"{self.name}: text must hold at least one token, got {text!r}"
            )
        return encode(toks, self.alphabet, owner=self.name)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """Token ids (T,) -> text (characters joined, or words joined by spaces)."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise ValueError(f"{self.name}: ids must be integers of shape (T,), "
                             f"got dtype {ids.dtype} shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_size):
            raise ValueError(f"{self.name}: ids must lie in [0, {self.input_size}), "
                             f"got values in [{ids.min()}, {ids.max()}]")
        sep = "" if self.level == "char" else " "
        return sep.join(self.tokens[k] for k in ids)

    # ----- running

    def trace(self, text: str | Sequence[str], h0: np.ndarray | None = None,
              c0: np.ndarray | None = None,
              overrides: Iterable[cells.Override] = ()) -> cells.Trace:
        """The numpy trace over the tokens of `text`: every gate and state
        (T, H) plus ``logits`` (T, len(outputs))."""
        return self.model.trace(self.encode(text), h0, c0, overrides)

    def predict(self, text: str | Sequence[str]) -> list[str]:
        """The top-scoring output after each token of `text` (T,)."""
        logits = self.trace(text).logits
        return [self.outputs[k] for k in np.argmax(logits, axis=-1)]

    def scores(self, text: str | Sequence[str]) -> dict[str, float]:
        """The logits after the last token of `text`, by output name."""
        logits = self.trace(text).logits[-1]
        return {name: float(v) for name, v in zip(self.outputs, logits)}

    def complete(self, prefix: str, max_len: int | None = None) -> str:
        """Greedy continuation: read `prefix`, then feed back the top-scoring
        token until the end marker (included) or max_len tokens
        (default len(prefix tokens) + 100)."""
        if self.outputs != self.tokens:
            raise ValueError(f"{self.name}: outputs {self.outputs} are not its inputs; "
                             "only a next-token model can complete text")
        ids = self.encode(prefix)
        if max_len is None:
            max_len = len(ids) + 100
        if not isinstance(max_len, int) or max_len < 1:
            raise ValueError(
                f"{self.name}: max_len must be an int >= 1, got {max_len!r}"
            )
        stop = self.tokens.index(self.end) if self.end in self.tokens else None
        return self.decode(self.model.greedy(ids, max_len, stop))

    def markdown_table(self) -> str:
        """The weight table as markdown (| weight | value | why |)."""
        return _markdown(self.table)

    def __repr__(self) -> str:
        return (f"HandSet({self.name!r}, kind={self.kind!r}, "
                f"tokens={list(self.tokens)}, "
                f"units={list(self.unit_names)}, outputs={list(self.outputs)})")


def _assemble(net: HandSet) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Torch-layout weights from the table: zeros, then each row in order."""
    G = 4 if net.kind == "lstm" else 1
    H, I, O = net.hidden_size, net.input_size, len(net.outputs)
    W, U, b = np.zeros((G * H, I)), np.zeros((G * H, H)), np.zeros(G * H)
    V, b_y = np.zeros((O, H)), np.zeros(O)

    def index(names: tuple[str, ...], name: str, what: str,
              row: WeightRow) -> list[int]:
        if name == "*":
            return list(range(len(names)))
        if name not in names:
            raise ValueError(f"{net.name}: {row.weight}: {what} {name!r} is not one of "
                             f"{list(names)}")
        return [names.index(name)]

    for row in net.table:
        if row.matrix in ("W", "U", "b"):
            gates = _LSTM_GATES if G == 4 else ("",)
            if row.gate not in gates:
                raise ValueError(
                    f"{net.name}: {row.weight}: gate must be one of {gates}"
                )
            block = gates.index(row.gate) * H
            rows = [block + u for u in index(net.unit_names, row.unit, "unit", row)]
            if row.matrix == "W":
                W[np.ix_(rows, index(net.tokens, row.source, "input", row))] = row.value
            elif row.matrix == "U":
                cols = index(net.unit_names, row.source, "unit", row)
                U[np.ix_(rows, cols)] = row.value
            else:
                b[rows] = row.value
        elif row.matrix == "V":
            outs = index(net.outputs, row.unit, "output", row)
            V[np.ix_(outs, index(net.unit_names, row.source, "unit", row))] = row.value
        elif row.matrix == "b_y":
            b_y[index(net.outputs, row.unit, "output", row)] = row.value
        else:
            raise ValueError(f"{net.name}: matrix must be W, U, b, V or b_y, got "
                             f"{row.matrix!r}")
    params = {"weight_ih_l0": W, "weight_hh_l0": U,
              "bias_ih_l0": b, "bias_hh_l0": np.zeros(G * H)}  # torch adds both biases
    return params, {"weight": V, "bias": b_y}


# ------------------------------------------------------------------------ coin counter

COIN_COUNTER_TABLE: tuple[WeightRow, ...] = (
    _row("W - coins seen | c", 1, "a coin (input [1, 0]) adds 1 to the coins seen"),
    _row("W - passes | p", 1, "a push (input [0, 1]) adds 1 to the passes"),
    _row("U - coins seen | coins seen", 1,
         "the count carries over: h_t = relu(h_{t-1} + x_t) = h_{t-1} + x_t"),
    _row("U - passes | passes", 1, "the same for the passes (U = I)"),
    _row("V - coins seen | coins seen", 1, "the output is the memory itself"),
    _row("V - passes | passes", 1, "the output is the memory itself"),
)


@_documented(COIN_COUNTER_TABLE)
def coin_counter() -> HandSet:
    """The coin counter: a ReLU RNN with W = I, U = I, b = 0.

        h_t = relu(W x_t + U h_{t-1}) = h_{t-1} + x_t,  memory [coins seen, passes]

    Inputs coin "c" = [1, 0], push "p" = [0, 1]; two coins take the memory
    [0, 0] -> [1, 0] -> [2, 0]. Every push counts as a pass: it has no lock yet.
    """
    return HandSet(
        name="coin counter",
        kind="rnn_relu",
        tokens=("c", "p"),
        outputs=("coins seen", "passes"),
        unit_names=("coins seen", "passes"),
        table=COIN_COUNTER_TABLE,
    )


# --------------------------------------------------------------------------- turnstile

_PAID = "one coin (paid)"
_REFUSED = "one coin (push refused)"
_WALK = "two coins (WALK)"

TURNSTILE_TABLE: tuple[WeightRow, ...] = (
    _row(f"W - {_PAID} | c", 1, "a coin turns it on ..."),
    _row(f"U - {_PAID} | *", -1,
         "... only when no coin is held: any unit on (1 or 2 coins held) cancels "
         "the coin, relu(1 - 1) = 0"),
    _row(f"W - {_REFUSED} | p", 1, "a push ..."),
    _row(f"U - {_REFUSED} | {_PAID}", 1, "... while exactly one coin is held ..."),
    _row(f"U - {_REFUSED} | {_REFUSED}", 1, "... (either way of holding one coin) ..."),
    _row(f"b - {_REFUSED}", -1,
         "... keeps the one coin: AND as relu(push + one coin - 1), 1 only if both"),
    _row(f"W - {_WALK} | c", 1, "a coin ..."),
    _row(f"U - {_WALK} | *", 1,
         "... on top of one or two coins held makes (or keeps) two coins ..."),
    _row(f"b - {_WALK}", -1,
         "... AND as relu(coin + coins held - 1); a push gives relu(0 + 1 - 1) = 0: "
         "the person walks through and the turnstile locks again"),
    _row(f"V - WALK | {_WALK}", 2, "WALK scores 2h - 1: +1 with two coins paid ..."),
    _row("b_y - WALK", -1, "... and -1 otherwise; LOCKED scores 0, so WALK wins iff "
         "two coins are paid"),
)


@_documented(TURNSTILE_TABLE)
def turnstile() -> HandSet:
    """The two-coin turnstile as a ReLU RNN: h_t = relu(W x_t + U h_{t-1} + b).

    Inputs coin "c" = [1, 0], push "p" = [0, 1]. The state s (coins paid, 0..2)
    is one-hot in three units, s = 0 when all are off:

        s = 1  <=>  h[one coin (paid)] + h[one coin (push refused)] = 1
        s = 2  <=>  h[two coins (WALK)] = 1

    Coin: s = min(s + 1, 2). Push: if s == 2 the person walks and s = 0, else
    nothing happens. "s = 1 after this step" is (s = 0 and coin) or (s = 1 and
    push), an XOR-like condition one ReLU cannot compute, hence two units for it.
    Outputs (LOCKED, WALK): WALK iff s == 2 after the step.
    """
    return HandSet(
        name="turnstile",
        kind="rnn_relu",
        tokens=("c", "p"),
        outputs=("LOCKED", "WALK"),
        unit_names=(_PAID, _REFUSED, _WALK),
        table=TURNSTILE_TABLE,
    )


# --------------------------------------------------------------------------- counters


def _counter_table(delimiter: str, noise: str | None) -> tuple[WeightRow, ...]:
    """The a^N <delimiter> b^N counter; `noise`: a character to ignore."""
    seen = f"seen {delimiter}"
    others = f"the delimiter {delimiter}" + (f" and the noise {noise}" if noise else "")
    rows = [
        _row("W i count | *", -SAT, f"input gate shut by default: {others} must not "
             "change the count"),
        _row("W i count | a", SAT, "open on a: each a is written into the count"),
        _row("W i count | b", SAT, "open on b: each b is written into the count"),
        _row("W f count | *", SAT, "forget gate 1 (rounds to exactly 1.0): the count "
             "never leaks, even over 20,000 steps"),
        _row("W g count | *", SAT, "candidate +1 on every character"
             + (f", {noise} included: the input gate, not the candidate, keeps the "
                "noise out" if noise else "")),
        _row("W g count | b", -SAT, "candidate -1 on b: c_t = c_{t-1} + i g counts a "
             "up by 1 and b down by 1, so c = #a - #b exactly"),
        _row("W o count | *", SAT, "output gate open: h = tanh(c), exactly 0 when "
             "every a is matched and >= tanh(1) = 0.76 while b's are owed"),
        _row(f"W i {seen} | *", -SAT, f"input gate shut except on {delimiter}"),
        _row(f"W i {seen} | {delimiter}", SAT, f"open on {delimiter}: the b's start"),
        _row(f"W g {seen} | {delimiter}", SAT,
             f"candidate +1 on {delimiter} (0 elsewhere)"),
        _row(f"W f {seen} | *", SAT, "forget gate 1: once seen, always seen"),
        _row(f"W o {seen} | *", SAT, f"output gate open: h = tanh(1) = 0.76 after "
             f"{delimiter}, 0 before"),
        _row("b_y - a", 10, f"before {delimiter} the next character is "
             "undetermined: guess a"),
        _row(f"V - a | {seen}", -20, f"after {delimiter} no a can come: its score "
             "falls to 10 - 20(0.76) = -5.2"),
        _row(f"b_y - {delimiter}", -10, "never the top guess"),
        _row("V - b | count", 10, "b scores 10 h - 5: -5 when the count is 0, at "
             "least 10(0.76) - 5 = 2.6 while b's are owed"),
        _row("b_y - b", -5, "b beats the end marker once h > 0.5, a threshold between "
             "h = 0 (nothing owed) and h >= 0.76"),
        _row("b_y - .", 0, "the end marker scores 0: it wins once the count is 0"),
    ]
    if noise:
        rows.insert(-3, _row(f"b_y - {noise}", -10, "never the top guess"))
    return tuple(rows)


COUNTER_TABLE = _counter_table("X", None)
NOISY_COUNTER_TABLE = _counter_table("Y", "X")


@_documented(COUNTER_TABLE)
def counter_lstm() -> HandSet:
    """An LSTM that counts: a^N X b^N, alphabet "aXb." (the task's order).

    Unit "count" keeps c = #a - #b as an exact integer (f = 1, i g = +1 on a,
    -1 on b); its hidden state h = tanh(c) saturates for large counts but only
    has to say whether the count is 0. Unit "seen X" marks the b phase.
    Fed a^N X, the greedy output is exactly N b's, then ".", for every N >= 1 up
    to 2^53 in principle (float64 integers); the tests check N = 1..10,000.
    All U = 0: every gate is decided by the current character alone.
    """
    return HandSet(
        name="counter",
        kind="lstm",
        tokens=tuple("aXb."),
        outputs=tuple("aXb."),
        unit_names=("count", "seen X"),
        table=COUNTER_TABLE,
        end=".",
    )


@_documented(NOISY_COUNTER_TABLE)
def noisy_counter_lstm() -> HandSet:
    """The counter for noisy counting: a's with X's sprinkled among them, then
    the delimiter Y, then b^N, alphabet "aXYb." (the task's order).

    Same design as ``counter_lstm`` with Y as the delimiter. The candidate of
    "count" fires (+1) on X as on a; the input gate is what shuts (4e-18) on
    every X, so the noise never reaches the count.
    """
    return HandSet(
        name="noisy counter",
        kind="lstm",
        tokens=tuple("aXYb."),
        outputs=tuple("aXYb."),
        unit_names=("count", "seen Y"),
        table=NOISY_COUNTER_TABLE,
        end=".",
    )


# --------------------------------------------------------------------------- remember


def _remember_rows(letter: str) -> list[WeightRow]:
    unit, answer = f"saw {letter}", letter.lower()
    return [
        _row(f"W i {unit} | *", -SAT, "input gate shut: the x's (and all else) are "
             "ignored"),
        _row(f"W i {unit} | {letter}", SAT, f"open on the first letter {letter}"),
        _row(f"W g {unit} | {letter}", SAT, f"candidate +1 on {letter}: c = 1"),
        _row(f"W f {unit} | *", SAT,
             "forget gate 1: hold on through any number of x's"),
        _row(f"W f {unit} | a", -SAT, "forget gate 0 once the answer a ..."),
        _row(f"W f {unit} | b", -SAT, "... or b is read: the memory has done its job"),
        _row(f"W o {unit} | *", -SAT, "output gate shut: the memory is not shown "
             "while it is irrelevant ..."),
        _row(f"W o {unit} | Y", SAT, "... and open on Y, when the answer is due"),
        _row(f"V - {answer} | {unit}", 10, f"after Y, {answer} scores "
             "10 tanh(1) = 7.6, above x's 2"),
    ]


REMEMBER_TABLE: tuple[WeightRow, ...] = (
    *_remember_rows("A"),
    *_remember_rows("B"),
    _row("W i answered | *", -SAT, "input gate shut except on the answer"),
    _row("W i answered | a", SAT, "open when the answer a ..."),
    _row("W i answered | b", SAT, "... or b is read"),
    _row("W g answered | a", SAT, "candidate +1 on a ..."),
    _row("W g answered | b", SAT, "... and on b"),
    _row("W f answered | *", SAT, "forget gate 1: stays answered"),
    _row("W o answered | *", SAT, "output gate open: h = 0.76 once answered"),
    _row("V - . | answered", 10, "after the answer, . scores 7.6"),
    _row("b_y - x", 2, "otherwise guess another x (the x's and Y are undetermined)"),
)


@_documented(REMEMBER_TABLE)
def remember_lstm() -> HandSet:
    """An LSTM that remembers a state: A or B, x's, Y, then a or b to match,
    then ".". Alphabet "ABxYab." (the task's order).

    Unit "saw A" (and "saw B") saves its letter once (input gate), holds it
    (forget gate 1) and shows it only on Y (output gate); once the answer is
    read its forget gate lets go. Unit "answered" then calls for the ".".
    Exact for every gap: c stays exactly 1 (f rounds to 1.0 in float64).
    """
    return HandSet(
        name="remember",
        kind="lstm",
        tokens=tuple("ABxYab."),
        outputs=tuple("ABxYab."),
        unit_names=("saw A", "saw B", "answered"),
        table=REMEMBER_TABLE,
        end=".",
    )


# --------------------------------------------------------------------------- sentence

FRANCE = "In France, Mary ate her croissant but Frank did not like the wine."
ITALY = "In Italy, Mary ate her pizza but Frank did not like the wine."

# First appearance in FRANCE, then the words only ITALY has, then "his".
SENTENCE_VOCABULARY: tuple[str, ...] = tuple(
    dict.fromkeys(tokenize(FRANCE) + tokenize(ITALY) + ["his"])
)


def _country_rows(unit: str, word: str, other: str) -> list[WeightRow]:
    return [
        _row(f"W i {unit} | *", -SAT, "input gate shut: no other word is saved here"),
        _row(f"W i {unit} | {word}", SAT,
             f"open at '{word}', the only word that opens it"),
        _row(f"W g {unit} | {word}", SAT, f"candidate +1 at '{word}': write 'yes'"),
        _row(f"W f {unit} | *", SAT, "forget gate 1: the country holds all story long"),
        _row(f"W f {unit} | {other}", -SAT, f"forget gate 0 at '{other}': the story "
             "moved"),
        _row(f"W o {unit} | *", -SAT, "output gate shut: most next words do not depend "
             "on the country"),
        _row(f"W o {unit} | her", SAT, "shown after 'her' ..."),
        _row(f"W o {unit} | the", SAT, "... and 'the': a noun comes next, and which "
             "food or drink fits depends on the country"),
    ]


SENTENCE_TABLE: tuple[WeightRow, ...] = (
    *_country_rows("seen France", "france", "italy"),
    *_country_rows("seen Italy", "italy", "france"),
    _row("W i number of people | *", -SAT, "input gate shut except at a name"),
    _row("W i number of people | mary", SAT, "open at each name ..."),
    _row("W i number of people | frank", SAT, "..."),
    _row("W g number of people | mary", SAT, "... whose candidate is +1: c counts the "
         "people named"),
    _row("W g number of people | frank", SAT, "..."),
    _row("W f number of people | *", SAT, "forget gate 1: the count holds"),
    _row("W o number of people | *", SAT, "output gate open, so the step-through shows "
         "it; no word of this vocabulary depends on it"),
    _row("W i female subject | *", -SAT, "input gate shut except at a name"),
    _row("W i female subject | mary", SAT, "open at a name: a new subject ..."),
    _row("W i female subject | frank", SAT, "..."),
    _row("W f female subject | *", SAT, "forget gate 1: the subject holds ..."),
    _row("W f female subject | mary", -SAT, "... until a new name replaces it"),
    _row("W f female subject | frank", -SAT, "..."),
    _row("W g female subject | mary", SAT, "Mary: +1, female"),
    _row("W g female subject | frank", -SAT, "Frank: -1, male"),
    _row("W o female subject | *", -SAT, "output gate shut ..."),
    _row("W o female subject | ate", SAT, "... except after 'ate': a possessive comes "
         "next and agrees with the subject"),
    _row("W i eating | *", -SAT, "input gate shut except at 'ate'"),
    _row("W i eating | ate", SAT, "open at 'ate' ..."),
    _row("W g eating | ate", SAT, "... candidate +1: someone is eating"),
    _row("W f eating | *", SAT, "forget gate 1: the meal goes on ..."),
    _row("W f eating | but", -SAT, "... until 'but' ends that clause: drop 'eating'"),
    _row("W o eating | *", SAT, "output gate open: food words are likely while "
         "someone eats"),
    _row("W i negated | *", -SAT, "input gate shut except at 'not'"),
    _row("W i negated | not", SAT, "open at 'not' ..."),
    _row("W g negated | not", SAT, "... candidate +1: what follows is denied"),
    _row("W f negated | *", SAT, "forget gate 1 within the sentence ..."),
    _row("W f negated | .", -SAT, "... and 0 at its end"),
    _row("W o negated | *", SAT, "output gate open; no word of this vocabulary "
         "depends on it"),
    _row("V - croissant | seen France", 4, "croissant needs France in view ..."),
    _row("V - croissant | eating", 4, "... and someone eating:"),
    _row("b_y - croissant", -4, "4(0.76) + 4(0.76) - 4 = 2.1 with both, -0.95 with "
         "only one"),
    _row("V - pizza | seen Italy", 4, "the same for pizza and Italy"),
    _row("V - pizza | eating", 4, "..."),
    _row("b_y - pizza", -4, "..."),
    _row("V - wine | seen France", 2, "a drink fits either country when a noun is due: "
         "2(0.76) = 1.5, the top score after 'the' once the meal is over"),
    _row("V - wine | seen Italy", 2, "..."),
    _row("V - her | female subject", 4, "after 'ate', her scores 4(0.76) = 3.0 for "
         "a female subject ..."),
    _row("V - his | female subject", -4, "... and his the same for a male one"),
)


@_documented(SENTENCE_TABLE)
def sentence_lstm() -> HandSet:
    """A word-level LSTM with named cell features reading FRANCE and ITALY:

        "In France, Mary ate her croissant but Frank did not like the wine."
        "In Italy, Mary ate her pizza but Frank did not like the wine."

    One-hot words over ``SENTENCE_VOCABULARY`` (first appearance in FRANCE, then
    "italy", "pizza", "his"); ``tokenize`` splits lowercase words and
    punctuation. Cell units: seen France, seen Italy, number of people, female
    subject, eating, negated. Every gate is set by the current word (U = 0):
    at "france" only seen France's input gate opens; at "but" the forget gate
    drops eating; the output gates show a feature only where the next word
    depends on it. After "In France, Mary ate her" croissant scores highest,
    after "In Italy, Mary ate her" pizza does.
    """
    return HandSet(
        name="sentence",
        kind="lstm",
        tokens=SENTENCE_VOCABULARY,
        outputs=SENTENCE_VOCABULARY,
        unit_names=("seen France", "seen Italy", "number of people", "female subject",
                    "eating", "negated"),
        table=SENTENCE_TABLE,
        level="word",
        end=".",
    )


BUILDERS = {
    "coin_counter": coin_counter,
    "turnstile": turnstile,
    "counter": counter_lstm,
    "noisy_counter": noisy_counter_lstm,
    "remember": remember_lstm,
    "sentence": sentence_lstm,
}
