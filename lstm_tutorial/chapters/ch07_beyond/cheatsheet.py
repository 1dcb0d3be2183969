"""The cheat sheet: "which cell when", from chapter 5's shipped numbers.

The chapter loads chapter 5's results files through chapter 5's home and
passes them in (a chapter's home never imports another's); every number in
the table below is read from them, none is typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


__all__ = ["which_cell", "which_cell_rows"]

SHORT = {"lstm": "LSTM", "cifg": "CIFG", "merged": "one-state", "gru": "GRU"}


def which_cell_rows(counting: Mapping[str, Any], family: Mapping[str, Any],
                    timing: Mapping[str, Any]) -> list[list[str]]:
    """Rows (if the task needs, reach for, because) of the table."""
    cm = counting["medians"]  # median limit over 10 seeds, counting to N
    fm = family["medians"]  # task -> kind -> medians over 3 seeds
    tm = timing["median_limit"]  # "lstm fb 20" -> median exact limit
    rem, cnt = fm["remember"], fm["counting"]
    in_range = min(fm[t][k]["sequence"] for t in fm for k in ("gru", "merged"))
    return [
        ["an unbounded count", "LSTM, forget bias 20",
         f"counts to {cm['lstm']:g} vs GRU {cm['gru']:g}, CIFG {cm['cifg']:g}"],
        ["to hold a symbol", "any gated cell",
         "letter kept at longer gaps: " + ", ".join(
             f"{SHORT[k]} {rem[k]['longer_sequence']:.2f}" for k in SHORT)],
        ["the same, few weights", "one-state cell, GRU",
         f"{cnt['merged']['params']} and {cnt['gru']['params']} parameters "
         f"vs {cnt['lstm']['params']}"],
        ["to time an interval", "LSTM, forget bias 20",
         f"exact to {tm['lstm fb 20']:g} vs peephole {tm['peephole fb 20']:g}"],
        ["little counting", "GRU, one-state cell",
         f"in range >= {in_range:.2f} on all five tasks"],
        ["(avoid)", "LSTM, no output tanh",
         f"letter kept at longer gaps: {rem['noaf']['longer_sequence']:.2f}"],
        ["(avoid for counting)", "tanh RNN",
         f"counting texts right: {cnt['rnn']['sequence']:.2f}"],
    ]


def which_cell(counting: Mapping[str, Any], family: Mapping[str, Any],
               timing: Mapping[str, Any]) -> str:
    """The table as the page prints it, one block per row so that it fits the
    page: "if the task needs ...: reach for ...", then the evidence."""
    lines = ["if the task needs ...      reach for ...",
             "    because (chapter 5's medians)", ""]
    for need, cell, why in which_cell_rows(counting, family, timing):
        lines += [f"{need:<26} {cell}", f"    {why}"]
    return "\n".join(lines)
