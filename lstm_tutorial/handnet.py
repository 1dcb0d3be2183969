"""A network given by its weight table: rows of (weight, value, why).

:class:`HandSet` holds a hand-set network (one-hot tokens -> RNN or LSTM cell ->
linear readout): the weights in torch layout, the numpy and torch models, the
tokens, the unit names and the table the weights are built from. The networks
themselves (and what each weight is for) are in :mod:`lstm_tutorial.handset`.

How a weight is named in the tables. RNN: h_t = relu(W x_t + U h_{t-1} + b).
LSTM: gate k in {i, f, g, o} has pre-activation W_k x_t + U_k h_{t-1} + b_k;
GRU: the same for k in {r, z, n}, except that the reset multiplies U_n h_{t-1}
(torch's GRU; a bias row b_n is b_in, outside the reset).
Readout: logits_t = V h_t + b_y. ``W_i[count, 'a']`` is the entry in the input
gate's row of unit "count" and the column of input token "a" (torch:
``weight_ih_l0[0 * H + count, a]``); ``*`` stands for every row or column, and
later rows override earlier ones.
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

__all__ = ["WeightRow", "HandSet", "row", "documented", "markdown"]

_GATES = {"rnn_relu": ("",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


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
    gate: str  # also "r", "z", "n" for a GRU
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


def row(spec: str, value: float, why: str) -> WeightRow:
    """WeightRow from a compact spec "M gate unit | source" (gate "-" for none)."""
    head, _, source = spec.partition("|")
    matrix, gate, unit = head.split(maxsplit=2)
    return WeightRow(matrix, "" if gate == "-" else gate, unit.strip(), source.strip(),
                     float(value), why)


def markdown(rows: Iterable[WeightRow]) -> str:
    """The table as markdown: | weight | value | why |."""
    lines = ["| weight | value | why |", "|---|---:|---|"]
    for r in rows:
        lines.append(f"| `{r.weight}` | {r.value:g} | {r.why} |")
    return "\n".join(lines)


def documented(rows: Sequence[WeightRow]):
    """Append the weight table to the builder's docstring."""

    def deco(fn):
        fn.__doc__ = (
            (fn.__doc__ or "").rstrip()
            + "\n\n    Weight table (entries not listed are 0):\n\n"
            + "\n".join("    " + line for line in markdown(rows).splitlines())
            + "\n"
        )
        return fn

    return deco


# --------------------------------------------------------------------------- networks


@dataclass(frozen=True, eq=False)
class HandSet:
    """A hand-set network: one-hot tokens -> RNN/LSTM/GRU cell -> linear readout.

        x_t = onehot(token_t),  h_t = cell(x_t, h_{t-1}[, c_{t-1}]),
        logits_t = V h_t + b_y   (one score per entry of ``outputs``)

    kind: "rnn_relu", "lstm" or "gru". tokens: the inputs, id = position (``alphabet``
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
        if self.kind not in _GATES:
            raise ValueError(f"kind must be one of {tuple(_GATES)}, got {self.kind!r}")
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
    def cell(self) -> cells.RNN | cells.LSTM | cells.GRU:
        """The numpy cell (cells.RNN with relu, cells.LSTM or cells.GRU), float64."""
        if self.kind == "lstm":
            return cells.LSTM(self.params)
        if self.kind == "gru":
            return cells.GRU(self.params)
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
        return markdown(self.table)

    def __repr__(self) -> str:
        return (f"HandSet({self.name!r}, kind={self.kind!r}, "
                f"tokens={list(self.tokens)}, "
                f"units={list(self.unit_names)}, outputs={list(self.outputs)})")


def _assemble(net: HandSet) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Torch-layout weights from the table: zeros, then each row in order."""
    gates = _GATES[net.kind]
    G = len(gates)
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
