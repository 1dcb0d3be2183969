"""The book's one table of the quantities inside a cell: names, symbols, colours.

Every trace field has a standard symbol (``f``), a label the figures print
("forget gate f"), the book's intuitive aliases ("remember"), a colour used in
every line plot, and its activation. The cells (trace aliases, what-if gates),
the figures (labels, colour ranges, panels) and the live controls all read this
table, so a gate is named and coloured the same way everywhere.

Families: a peephole LSTM reads like an LSTM; "rnn" covers tanh and ReLU RNNs.

| family | gates (in (0, 1)) | candidate and states |
|--------|-------------------|----------------------|
| lstm   | i, f, o           | g, c, h              |
| gru    | r, z              | n, h                 |
| rnn    | (none)            | h                    |
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "Quantity",
    "QUANTITIES",
    "FAMILIES",
    "family",
    "canonical",
    "aliases",
    "label",
    "short_label",
    "is_gate",
    "gates_of",
    "states_of",
    "colour",
]


class Quantity(NamedTuple):
    """One field of a trace: symbol, label, intuitive aliases, colour, activation."""

    symbol: str
    label: str  # as figures print it: "forget gate f"
    short: str  # as diagrams print it: "forget f"
    aliases: tuple[str, ...]  # the book's intuitive names for the same array
    colour: str  # its line colour in every plot
    activation: str  # "sigmoid" (a gate), "tanh", "tanh or relu" or ""
    gate: bool  # True: values in (0, 1)


def _q(symbol: str, label: str, short: str, aliases: tuple[str, ...], colour: str,
       activation: str) -> Quantity:
    return Quantity(symbol, label, short, aliases, colour, activation,
                    activation == "sigmoid")


_H = _q("h", "hidden state h", "hidden h", ("working",), "#d62728", "")

QUANTITIES: dict[str, dict[str, Quantity]] = {
    "lstm": {q.symbol: q for q in (
        _q("i", "input gate i", "input i", ("save",), "#2ca02c", "sigmoid"),
        _q("f", "forget gate f", "forget f", ("remember",), "#ff7f0e", "sigmoid"),
        _q("g", "candidate g", "candidate g", ("candidate",), "#8c564b", "tanh"),
        _q("o", "output gate o", "output o", ("focus",), "#9467bd", "sigmoid"),
        _q("c", "cell state c", "cell c", ("long_term",), "#1f77b4", ""),
        _H,
    )},
    "gru": {q.symbol: q for q in (
        _q("r", "reset gate r", "reset r", ("reset",), "#ff7f0e", "sigmoid"),
        _q("z", "update gate z", "update z", ("update",), "#2ca02c", "sigmoid"),
        _q("n", "candidate n", "candidate n", ("candidate",), "#8c564b", "tanh"),
        _H,
    )},
    "rnn": {"h": _H},
}
FAMILIES = tuple(QUANTITIES)
_KINDS = {"lstm": "lstm", "peephole": "lstm", "gru": "gru", "rnn": "rnn",
          "rnn_relu": "rnn"}
_OTHER = {"x": "input x", "logits": "logits"}


def family(kind: str | None) -> str:
    """'lstm' | 'gru' | 'rnn' of a cell kind (a peephole LSTM reads like an LSTM)."""
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {tuple(_KINDS)}, got {kind!r}")
    return _KINDS[kind]


def aliases(kind: str) -> dict[str, str]:
    """{intuitive alias: symbol} of a kind: {"remember": "f", ...}."""
    return {a: q.symbol for q in QUANTITIES[family(kind)].values() for a in q.aliases}


def canonical(quantity: str, kind: str) -> str:
    """The symbol of a quantity given by symbol or alias: "remember" -> "f"."""
    return aliases(kind).get(quantity, quantity)


def label(quantity: str, kind: str = "lstm") -> str:
    """The printed name of a trace field: "f" -> "forget gate f" (aliases too);
    "pre_f" -> "forget gate f, before its activation"."""
    table = QUANTITIES[family(kind)]
    q = canonical(quantity, kind)
    if q in table:
        return table[q].label
    if q.startswith("pre_") and q[4:] in table:
        return f"{table[q[4:]].label}, before its activation"
    return _OTHER.get(q, q)


def short_label(quantity: str, kind: str = "lstm") -> str:
    """The diagram name of a quantity: "f" -> "forget f"."""
    return QUANTITIES[family(kind)][canonical(quantity, kind)].short


def is_gate(quantity: str, kind: str = "lstm") -> bool:
    """True for the gates, whose values lie in (0, 1): i, f, o (LSTM), r, z (GRU)."""
    q = QUANTITIES[family(kind)].get(canonical(quantity, kind))
    return q is not None and q.gate


def gates_of(kind: str) -> tuple[str, ...]:
    """The gates of a kind, in panel order: ("i", "f", "o") for an LSTM."""
    return tuple(s for s, q in QUANTITIES[family(kind)].items() if q.gate)


def states_of(kind: str) -> tuple[str, ...]:
    """The candidate and states of a kind: ("g", "c", "h") for an LSTM."""
    return tuple(s for s, q in QUANTITIES[family(kind)].items() if not q.gate)


def colour(quantity: str, kind: str = "lstm", default: str = "#1f77b4") -> str:
    """The line colour of a quantity (the same in every plot)."""
    q = QUANTITIES[family(kind)].get(canonical(quantity, kind))
    return q.colour if q is not None else default
