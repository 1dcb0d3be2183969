"""Chapter 3: a gate that reads the memory, checked on every short string.

- ``lamp_machine``: the push-button lamp as a plain Python state machine;
- ``toggle_agreement``: a lamp network (``handset.toggle_lstm()``) against the
  machine on every string of presses and waits up to a length;
- ``without_recurrence``: the same hand-set network with every U entry at 0.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lstm_tutorial.machines import Agreement, agreement

__all__ = [
    "lamp_machine",
    "toggle_agreement",
    "without_recurrence",
]

LAMP_TOKENS = ("p", "w")  # press, wait: input ids 0, 1
LAMP_OUTPUTS = ("off", "on")  # output ids 0, 1


def lamp_machine(text: str) -> list[int]:
    """The lamp after each step: 1 (on) or 0 (off). A press "p" toggles it, a
    wait "w" leaves it; it starts off. So it is on iff the presses are odd."""
    on, out = 0, []
    for ch in text:
        if ch not in LAMP_TOKENS:
            raise ValueError(f"the lamp reads 'p' (press) and 'w' (wait), got {ch!r}")
        if ch == "p":
            on = 1 - on
        out.append(on)
    return out


def toggle_agreement(net: Any, max_len: int = 12) -> Agreement:
    """Run a lamp network (a handset.HandSet with tokens p, w and outputs off,
    on) on all 2 + 4 + ... + 2^max_len strings and compare its top output
    after every step with ``lamp_machine``."""
    if tuple(net.tokens) != LAMP_TOKENS or tuple(net.outputs) != LAMP_OUTPUTS:
        raise ValueError(f"a lamp network reads {LAMP_TOKENS} and scores "
                         f"{LAMP_OUTPUTS}, got {net!r}")
    return agreement(net.model, lamp_machine, "".join(LAMP_TOKENS), max_len,
                     "the lamp")


def without_recurrence(net: Any) -> Any:
    """The hand-set network with its U rows dropped: every gate then reads the
    current token alone (U = 0)."""
    return dataclasses.replace(net, name=f"{net.name}, U = 0",
                               table=tuple(r for r in net.table if r.matrix != "U"))
