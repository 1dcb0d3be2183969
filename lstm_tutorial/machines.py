"""A network checked against a state machine on every input string up to a length.

The book checks hand-set networks the way one checks a circuit: against a plain
Python state machine, on *every* input string, not on samples. Chapter 2 does it
for the turnstile, chapter 3 for the push-button lamp.

- :func:`all_strings`: every string of a length over an alphabet, as ids;
- :func:`agreement`: run a model on all of them and compare its top output after
  every step with the machine's; an :class:`Agreement` says how many agree and
  names the shortest string that does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .cells import SequenceModel

__all__ = ["Agreement", "all_strings", "agreement"]

Machine = Callable[[str], Sequence[int]]  # text -> the output id after each step


@dataclass(frozen=True)
class Agreement:
    """A network checked against a state machine on every input string of
    length 1..max_len (K + K^2 + ... + K^max_len strings over K tokens).

    A string agrees when the network's output after *every* step (its top
    score) is the machine's. first_wrong: the shortest string that disagrees
    (first in alphabetical order of token ids), None if all agree.
    """

    max_len: int
    strings: int
    agree: int
    steps: int
    steps_agree: int
    first_wrong: str | None
    machine: str = "the state machine"  # how the printout names the machine

    @property
    def all_agree(self) -> bool:
        return self.agree == self.strings

    def __str__(self) -> str:
        """Two or three short lines (they fit the page's code column)."""
        s = (f"{self.agree} of {self.strings} input strings of length 1 to "
             f"{self.max_len} agree with {self.machine}\nat every step "
             f"({self.steps_agree} of {self.steps} steps)")
        if self.first_wrong is not None:
            s += f"\nthe shortest that does not: {self.first_wrong!r}"
        return s


def all_strings(length: int, alphabet: str = "cp") -> np.ndarray:
    """Every string of `length` tokens over `alphabet`, as ids (K^length, length),
    in alphabetical order (id 0 first)."""
    if not isinstance(length, int) or length < 1:
        raise ValueError(f"length must be an int >= 1, got {length!r}")
    K = len(alphabet)
    n = np.arange(K**length)
    powers = K ** np.arange(length - 1, -1, -1)
    return (n[:, None] // powers) % K  # (K^length, length) digits in base K


@lru_cache(maxsize=64)
def _machine_table(machine: Machine, alphabet: str, length: int) -> np.ndarray:
    """The machine's outputs on every string of one length: (K^length, length)."""
    texts = ["".join(alphabet[k] for k in row) for row in all_strings(length, alphabet)]
    return np.array([list(machine(t)) for t in texts])


def agreement(model: SequenceModel, machine: Machine, alphabet: str,
              max_len: int = 12, name: str = "the state machine") -> Agreement:
    """Run ``model`` (token ids = positions in ``alphabet``) on every string of
    length 1..max_len and compare its top output after every step with
    ``machine(text)``. A tie between scores goes to the lower output id."""
    if not isinstance(max_len, int) or not 1 <= max_len <= 16:
        raise ValueError(f"max_len must be an int in [1, 16], got {max_len!r}")
    if model.vocab_size != len(alphabet):
        raise ValueError(f"the model reads {model.vocab_size} tokens but the "
                         f"alphabet {alphabet!r} has {len(alphabet)}")
    strings = agree = steps = steps_agree = 0
    first_wrong = None
    for L in range(1, max_len + 1):
        ids = all_strings(L, alphabet)
        said = model.trace(ids).logits.argmax(axis=-1)  # (K^L, L)
        ok = said == _machine_table(machine, alphabet, L)
        strings += len(ids)
        agree += int(ok.all(axis=1).sum())
        steps += ok.size
        steps_agree += int(ok.sum())
        if first_wrong is None and not ok.all():
            row = int(np.flatnonzero(~ok.all(axis=1))[0])
            first_wrong = "".join(alphabet[k] for k in ids[row])
    return Agreement(max_len, strings, agree, steps, steps_agree, first_wrong, name)
