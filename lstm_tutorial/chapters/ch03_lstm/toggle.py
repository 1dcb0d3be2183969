"""Chapter 3: a gate that reads the memory, checked on every short string.

- ``lamp_machine``: the push-button lamp as a plain Python state machine;
- ``toggle_agreement``: a lamp network (``handset.toggle_lstm()``) against the
  machine on every string of presses and waits up to a length;
- ``without_recurrence``: the same hand-set network with every U entry at 0.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ToggleAgreement",
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


@dataclass(frozen=True)
class ToggleAgreement:
    """A lamp network checked on every string of length 1..max_len. A string
    agrees when the network's top output after every step is the machine's.
    first_wrong: the shortest string that disagrees (first in order p < w)."""

    max_len: int
    strings: int
    agree: int
    steps: int
    steps_agree: int
    first_wrong: str | None

    @property
    def all_agree(self) -> bool:
        return self.agree == self.strings

    def __str__(self) -> str:
        """Two or three lines that fit the page's code column."""
        s = (f"{self.agree} of {self.strings} input strings of length 1 to "
             f"{self.max_len} agree with the lamp\nat every step "
             f"({self.steps_agree} of {self.steps} steps)")
        if self.first_wrong is not None:
            s += f"\nthe shortest that does not: {self.first_wrong!r}"
        return s


def toggle_agreement(net: Any, max_len: int = 12) -> ToggleAgreement:
    """Run a lamp network (a handset.HandSet with tokens p, w and outputs off,
    on) on all 2 + 4 + ... + 2^max_len strings and compare its top output
    after every step with ``lamp_machine``."""
    if not isinstance(max_len, int) or not 1 <= max_len <= 16:
        raise ValueError(f"max_len must be an int in [1, 16], got {max_len!r}")
    if tuple(net.tokens) != LAMP_TOKENS or tuple(net.outputs) != LAMP_OUTPUTS:
        raise ValueError(f"a lamp network reads {LAMP_TOKENS} and scores "
                         f"{LAMP_OUTPUTS}, got {net!r}")
    strings = agree = steps = steps_agree = 0
    first_wrong = None
    for L in range(1, max_len + 1):
        ids = np.array(list(itertools.product(range(2), repeat=L)))  # (2^L, L)
        texts = ["".join(LAMP_TOKENS[k] for k in row) for row in ids]
        said = net.model.trace(ids).logits.argmax(axis=-1)  # (2^L, L)
        ok = said == np.array([lamp_machine(t) for t in texts])
        strings += len(ids)
        agree += int(ok.all(axis=1).sum())
        steps += ok.size
        steps_agree += int(ok.sum())
        if first_wrong is None and not ok.all():
            first_wrong = texts[int(np.flatnonzero(~ok.all(axis=1))[0])]
    return ToggleAgreement(max_len, strings, agree, steps, steps_agree, first_wrong)


def without_recurrence(net: Any) -> Any:
    """The hand-set network with its U rows dropped: every gate then reads the
    current token alone (U = 0)."""
    return dataclasses.replace(net, name=f"{net.name}, U = 0",
                               table=tuple(r for r in net.table if r.matrix != "U"))
