"""The sequence tasks of the book, their text formats and their scoring masks.

Every task but the turnstile is character level: a text such as ``"aaXbb."`` is
read one character at a time and the model predicts the next one,

    input = text[:-1],  target = text[1:].

Only some targets are determined by what was read so far: after ``"aaX"`` the rest
is forced, after ``"a"`` it is not (another ``a`` or the ``X``). ``mask(text)``
marks the determined targets; only those are scored and trained on. In all these
tasks they are the targets from the delimiter on (``X``, ``Y`` or ``?``).

The turnstile is a transduction task: for each input (coin ``c`` / push ``p``) the
output is WALK (1) or LOCKED (0), every step scored. It yields the same arrays
(inputs, targets, mask) so one trainer serves all tasks.

Each task is a small frozen dataclass whose fields are its ranges, e.g.
``CountingTask(n_min=1, n_max=10)``; ``example(...)`` builds one text by hand,
``sample(rng, size)`` a padded random batch.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import ClassVar, Sequence

import numpy as np

from .text import encode

__all__ = [
    "Batch",
    "Task",
    "CountingTask",
    "NoisyCountingTask",
    "RememberTask",
    "CopyTask",
    "LongGapTask",
    "IntervalTask",
    "TurnstileTask",
    "TASKS",
    "make_task",
    "turnstile_outputs",
]


@dataclass(frozen=True)
class Batch:
    """A padded batch of texts. Padding uses id 0 and is never scored."""

    inputs: np.ndarray  # (B, T) int64 token ids read by the model
    targets: np.ndarray  # (B, T) int64 next-character (or output) ids
    mask: np.ndarray  # (B, T) bool, True where the target is determined (scored)
    lengths: np.ndarray  # (B,) int64 unpadded length of each row
    texts: tuple[str, ...]  # the B texts

    def __len__(self) -> int:
        return len(self.texts)


def _check_int(name: str, value: object, low: int) -> int:
    """Return value as an int >= low, else raise a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)


def _check_range(task: str, lo_name: str, lo: int, hi_name: str, hi: int,
                 low: int) -> None:
    _check_int(f"{task}: {lo_name}", lo, low)
    _check_int(f"{task}: {hi_name}", hi, low)
    if hi < lo:
        raise ValueError(f"{task}: need {lo_name} <= {hi_name}, got {lo} > {hi}")


class Task:
    """What every task offers. Subclasses are frozen dataclasses of their ranges.

    Subclasses define ``name``, ``alphabet``, ``delimiter`` (character tasks),
    ``_parse(text)`` (raise ValueError unless the text is well formed) and
    ``random_text(rng)``.
    """

    name: ClassVar[str]
    alphabet: ClassVar[str]  # input characters; id = position in this string
    delimiter: ClassVar[str] = ""  # targets are scored from this character on
    transduction: ClassVar[bool] = False  # per-step outputs instead of next char

    # ----- vocabulary ---------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        """Number of input characters V (the one-hot size)."""
        return len(self.alphabet)

    @property
    def output_size(self) -> int:
        """Number of classes a model outputs per step (V for next-character)."""
        return self.vocab_size

    def encode(self, text: str) -> np.ndarray:
        """Text -> token ids (T,) int64; ids index ``alphabet``."""
        if not isinstance(text, str):
            raise ValueError(f"{self.name}: text must be a str, got {type(text)}")
        return encode(text, self.alphabet, owner=self.name)

    def decode(self, ids: Sequence[int] | np.ndarray) -> str | list[str]:
        """Token ids (T,) -> text; (B, T) -> list of B texts."""
        ids = np.asarray(ids)
        if ids.ndim == 2:
            return [self.decode(row) for row in ids]  # type: ignore[misc]
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise ValueError(
                f"{self.name}: ids must be integers of shape (T,) or (B, T), "
                f"got dtype {ids.dtype} shape {ids.shape}"
            )
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(
                f"{self.name}: ids must lie in [0, {self.vocab_size}), "
                f"got values in [{ids.min()}, {ids.max()}]"
            )
        return "".join(self.alphabet[k] for k in ids)

    # ----- format and scoring -------------------------------------------------
    def _parse(self, text: str) -> None:
        raise NotImplementedError

    def check(self, text: str) -> None:
        """Raise ValueError unless ``text`` is a well-formed text of this task."""
        self.encode(text)  # alphabet first: the clearer message
        self._parse(text)

    def mask(self, text: str) -> np.ndarray:
        """Bool (T-1,) over the targets text[1:]: True where the next character
        is determined by text[:t+1], i.e. from the delimiter on.
        (Transduction tasks: (T,), all True.)"""
        self.check(text)
        if self.transduction:
            return np.ones(len(text), dtype=bool)
        t = np.arange(len(text) - 1)
        return t >= text.index(self.delimiter)

    def pair(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One text -> (inputs (T,), targets (T,), mask (T,)): ids[:-1], ids[1:]."""
        m = self.mask(text)
        ids = self.encode(text)
        return ids[:-1], ids[1:], m

    def split(self, text: str) -> tuple[str, str]:
        """(prompt, answer): the text up to and including the delimiter, the rest.
        The answer is what greedy generation must write after the prompt."""
        self.check(text)
        if self.transduction:
            raise ValueError(f"{self.name}: a transduction task has no prompt")
        k = text.index(self.delimiter) + 1
        return text[:k], text[k:]

    # ----- data ---------------------------------------------------------------
    def random_text(self, rng: np.random.Generator) -> str:
        raise NotImplementedError

    def batch(self, texts: Sequence[str]) -> Batch:
        """Pad texts into a Batch; rows keep their order."""
        if isinstance(texts, str) or len(texts) == 0:
            raise ValueError(f"{self.name}: need a non-empty list of texts")
        pairs = [self.pair(s) for s in texts]
        lengths = np.array([len(x) for x, _, _ in pairs], dtype=np.int64)
        B, T = len(pairs), int(lengths.max())
        inputs = np.zeros((B, T), dtype=np.int64)
        targets = np.zeros((B, T), dtype=np.int64)
        mask = np.zeros((B, T), dtype=bool)
        for r, (x, y, m) in enumerate(pairs):
            inputs[r, : len(x)] = x
            targets[r, : len(y)] = y
            mask[r, : len(m)] = m
        return Batch(inputs, targets, mask, lengths, tuple(texts))

    def sample(self, rng: np.random.Generator, size: int) -> Batch:
        """A padded batch of ``size`` random texts drawn with ``rng``."""
        size = _check_int(f"{self.name}: size", size, 1)
        if not isinstance(rng, np.random.Generator):
            raise ValueError(
                f"{self.name}: rng must be a numpy Generator "
                f"(np.random.default_rng(seed)), got {type(rng).__name__}"
            )
        return self.batch([self.random_text(rng) for _ in range(size)])

    def all_texts(self) -> list[str] | None:
        """Every text of the training range when there are few, else None."""
        return None

    def validation_texts(self, seed: int = 12345, size: int = 256) -> list[str]:
        """A fixed evaluation set: every text when the range is finite and small,
        else ``size`` texts drawn with ``np.random.default_rng(seed)``."""
        texts = self.all_texts()
        if texts is not None:
            return texts
        rng = np.random.default_rng(seed)
        return [self.random_text(rng) for _ in range(size)]

    @property
    def config(self) -> dict:
        """{"task": name, **ranges}: enough to rebuild it with make_task."""
        return {"task": self.name, **dataclasses.asdict(self)}  # type: ignore


# ----- the tasks -------------------------------------------------------------


@dataclass(frozen=True)
class CountingTask(Task):
    """``"a"*N + "X" + "b"*N + "."``, N drawn from [n_min, n_max].
    Scored: the b's and the "." (everything after the X)."""

    n_min: int = 1
    n_max: int = 10

    name: ClassVar[str] = "counting"
    alphabet: ClassVar[str] = "aXb."
    delimiter: ClassVar[str] = "X"
    _format: ClassVar[re.Pattern] = re.compile(r"(a+)X(b+)\.")

    def __post_init__(self) -> None:
        _check_range(self.name, "n_min", self.n_min, "n_max", self.n_max, 1)

    def example(self, n: int) -> str:
        """The text for N = n (any n >= 1, also beyond the training range)."""
        n = _check_int(f"{self.name}: N", n, 1)
        return "a" * n + "X" + "b" * n + "."

    def _parse(self, text: str) -> None:
        m = self._format.fullmatch(text)
        if m is None or len(m[1]) != len(m[2]):
            raise ValueError(
                f"{self.name}: expected 'a'*N + 'X' + 'b'*N + '.' with N >= 1, "
                f"got {text!r}"
            )

    def random_text(self, rng: np.random.Generator) -> str:
        return self.example(int(rng.integers(self.n_min, self.n_max + 1)))

    def all_texts(self) -> list[str]:
        return [self.example(n) for n in range(self.n_min, self.n_max + 1)]


@dataclass(frozen=True)
class NoisyCountingTask(Task):
    """N a's with 0..x_max X's sprinkled after the first a, then "Y", then
    ``"b"*N + "."``, e.g. ``"aXaaXXaYbbbb."``. Scored: after reading Y."""

    n_min: int = 1
    n_max: int = 10
    x_max: int = 5

    name: ClassVar[str] = "noisy_counting"
    alphabet: ClassVar[str] = "aXYb."
    delimiter: ClassVar[str] = "Y"
    _format: ClassVar[re.Pattern] = re.compile(r"(a[aX]*)Y(b+)\.")

    def __post_init__(self) -> None:
        _check_range(self.name, "n_min", self.n_min, "n_max", self.n_max, 1)
        _check_int(f"{self.name}: x_max", self.x_max, 0)

    def example(self, n: int, noise: Sequence[int] | None = None) -> str:
        """The text for N = n; ``noise[j]`` X's follow the (j+1)-th a (len n)."""
        n = _check_int(f"{self.name}: N", n, 1)
        noise = [0] * n if noise is None else list(noise)
        if len(noise) != n:
            raise ValueError(
                f"{self.name}: noise must give one X count per a ({n}), "
                f"got {len(noise)}"
            )
        xs = [_check_int(f"{self.name}: noise[{j}]", k, 0) for j, k in enumerate(noise)]
        return "".join("a" + "X" * k for k in xs) + "Y" + "b" * n + "."

    def _parse(self, text: str) -> None:
        m = self._format.fullmatch(text)
        if m is None or m[1].count("a") != len(m[2]):
            raise ValueError(
                f"{self.name}: expected N a's with X's after the first a, 'Y', "
                f"'b'*N, '.' (N >= 1), got {text!r}"
            )

    def random_text(self, rng: np.random.Generator) -> str:
        n = int(rng.integers(self.n_min, self.n_max + 1))
        n_x = int(rng.integers(0, self.x_max + 1))  # how many X's in all
        noise = np.bincount(rng.integers(0, n, size=n_x), minlength=n)  # per gap
        return self.example(n, noise.tolist())


@dataclass(frozen=True)
class RememberTask(Task):
    """``A`` or ``B``, then k x's (k in [k_min, k_max]), ``Y``, the matching
    ``a``/``b``, ``.``: e.g. ``"AxxxYa."``. Scored: the a/b and the "."."""

    k_min: int = 1
    k_max: int = 10

    name: ClassVar[str] = "remember"
    alphabet: ClassVar[str] = "ABxYab."
    delimiter: ClassVar[str] = "Y"
    _format: ClassVar[re.Pattern] = re.compile(r"([AB])x+Y([ab])\.")

    def __post_init__(self) -> None:
        _check_range(self.name, "k_min", self.k_min, "k_max", self.k_max, 1)

    def example(self, first: str, k: int) -> str:
        """The text starting with ``first`` ("A" or "B") and k >= 1 x's."""
        if first not in ("A", "B"):
            raise ValueError(f"{self.name}: first must be 'A' or 'B', got {first!r}")
        k = _check_int(f"{self.name}: k", k, 1)
        return first + "x" * k + "Y" + first.lower() + "."

    def _parse(self, text: str) -> None:
        m = self._format.fullmatch(text)
        if m is None or m[1].lower() != m[2]:
            raise ValueError(
                f"{self.name}: expected 'A' or 'B', x's, 'Y', the matching 'a' or "
                f"'b', '.', got {text!r}"
            )

    def random_text(self, rng: np.random.Generator) -> str:
        first = "AB"[int(rng.integers(0, 2))]
        return self.example(first, int(rng.integers(self.k_min, self.k_max + 1)))

    def all_texts(self) -> list[str]:
        return [self.example(first, k) for first in "AB"
                for k in range(self.k_min, self.k_max + 1)]


@dataclass(frozen=True)
class CopyTask(Task):
    """``length`` letters from {a, b, c}, ``X``, the same letters, ``.``:
    e.g. ``"abcXabc."``. Scored: the copied letters and the "."."""

    length: int = 3

    name: ClassVar[str] = "copy"
    alphabet: ClassVar[str] = "abcX."
    delimiter: ClassVar[str] = "X"
    letters: ClassVar[str] = "abc"

    def __post_init__(self) -> None:
        _check_int(f"{self.name}: length", self.length, 1)

    def example(self, word: str) -> str:
        """The text copying ``word`` (``length`` letters from "abc")."""
        if (not isinstance(word, str) or len(word) != self.length
                or any(ch not in self.letters for ch in word)):
            raise ValueError(
                f"{self.name}: word must be {self.length} letters from "
                f"{list(self.letters)}, got {word!r}"
            )
        return word + "X" + word + "."

    def _parse(self, text: str) -> None:
        L = self.length
        word = text[:L]
        if (len(text) != 2 * L + 2 or any(ch not in self.letters for ch in word)
                or text != word + "X" + word + "."):
            raise ValueError(
                f"{self.name}: expected {L} letters from {list(self.letters)}, "
                f"'X', the same letters, '.', got {text!r}"
            )

    def random_text(self, rng: np.random.Generator) -> str:
        picks = rng.integers(0, len(self.letters), size=self.length)
        return self.example("".join(self.letters[k] for k in picks))

    def all_texts(self) -> list[str]:
        words = [""]
        for _ in range(self.length):
            words = [w + ch for w in words for ch in self.letters]
        return [self.example(w) for w in words]


@dataclass(frozen=True)
class LongGapTask(Task):
    """A first symbol from {A, B, C, D}, k distractors from {a, b, c, d}
    (k in [k_min, k_max]), ``?``, the first symbol again: e.g. ``"Abdac?A"``.
    Scored: the final symbol only."""

    k_min: int = 1
    k_max: int = 10

    name: ClassVar[str] = "long_gap"
    alphabet: ClassVar[str] = "ABCDabcd?"
    delimiter: ClassVar[str] = "?"
    symbols: ClassVar[str] = "ABCD"
    distractors: ClassVar[str] = "abcd"
    _format: ClassVar[re.Pattern] = re.compile(r"([ABCD])[abcd]+\?([ABCD])")

    def __post_init__(self) -> None:
        _check_range(self.name, "k_min", self.k_min, "k_max", self.k_max, 1)

    def example(self, first: str, gap: str) -> str:
        """The text recalling ``first`` after the distractor string ``gap``."""
        if not isinstance(first, str) or len(first) != 1 or first not in self.symbols:
            raise ValueError(
                f"{self.name}: first must be one of {list(self.symbols)}, "
                f"got {first!r}"
            )
        if (not isinstance(gap, str) or len(gap) < 1
                or any(ch not in self.distractors for ch in gap)):
            raise ValueError(
                f"{self.name}: gap must be >= 1 characters from "
                f"{list(self.distractors)}, got {gap!r}"
            )
        return first + gap + "?" + first

    def _parse(self, text: str) -> None:
        m = self._format.fullmatch(text)
        if m is None or m[1] != m[2]:
            raise ValueError(
                f"{self.name}: expected one of {list(self.symbols)}, k >= 1 "
                f"distractors from {list(self.distractors)}, '?', the first "
                f"symbol again, got {text!r}"
            )

    def random_text(self, rng: np.random.Generator) -> str:
        first = self.symbols[int(rng.integers(0, len(self.symbols)))]
        k = int(rng.integers(self.k_min, self.k_max + 1))
        gap = "".join(self.distractors[j]
                      for j in rng.integers(0, len(self.distractors), size=k))
        return self.example(first, gap)


@dataclass(frozen=True)
class IntervalTask(Task):
    """A timing task after Gers, Schraudolph & Schmidhuber (2002): two cues A
    and B mark an interval of k steps (k in [k_min, k_max]); the mark ``!``
    comes exactly k steps after B, ``"A" + "-"*k + "B" + "-"*k + "!"``, e.g.
    ``"A---B---!"``. The waits before and after B read the same character,
    so only the state tells the phases apart. Scored: everything after B."""

    k_min: int = 1
    k_max: int = 10

    name: ClassVar[str] = "interval"
    alphabet: ClassVar[str] = "AB-!"
    delimiter: ClassVar[str] = "B"
    _format: ClassVar[re.Pattern] = re.compile(r"A(-+)B(-+)!")

    def __post_init__(self) -> None:
        _check_range(self.name, "k_min", self.k_min, "k_max", self.k_max, 1)

    def example(self, k: int) -> str:
        """The text for the interval k (any k >= 1)."""
        k = _check_int(f"{self.name}: k", k, 1)
        return "A" + "-" * k + "B" + "-" * k + "!"

    def _parse(self, text: str) -> None:
        m = self._format.fullmatch(text)
        if m is None or len(m[1]) != len(m[2]):
            raise ValueError(f"{self.name}: expected 'A' + '-'*k + 'B' + '-'*k + "
                             f"'!' with k >= 1, got {text!r}")

    def random_text(self, rng: np.random.Generator) -> str:
        return self.example(int(rng.integers(self.k_min, self.k_max + 1)))

    def all_texts(self) -> list[str]:
        return [self.example(k) for k in range(self.k_min, self.k_max + 1)]


def turnstile_outputs(text: str) -> np.ndarray:
    """The two-coin turnstile as a plain state machine. s = coins paid (0..2);
    coin: s = min(s + 1, 2); push: if s == 2 the person walks through, s = 0.
    Returns (T,) int64: 1 (WALK) after step t iff s == 2, else 0 (LOCKED)."""
    s, out = 0, []
    for ch in text:
        if ch == "c":
            s = min(s + 1, 2)
        elif ch == "p":
            s = 0 if s == 2 else s
        else:
            raise ValueError(f"turnstile: inputs must be 'c' or 'p', got {ch!r}")
        out.append(1 if s == 2 else 0)
    return np.array(out, dtype=np.int64)


@dataclass(frozen=True)
class TurnstileTask(Task):
    """Random strings of coins ``c`` and pushes ``p`` (length in
    [length_min, length_max], coin with probability p_coin); per step the target
    is 1 = WALK (a push now would pass) or 0 = LOCKED. Every step is scored."""

    length_min: int = 1
    length_max: int = 20
    p_coin: float = 0.5

    name: ClassVar[str] = "turnstile"
    alphabet: ClassVar[str] = "cp"
    transduction: ClassVar[bool] = True
    output_names: ClassVar[tuple[str, str]] = ("LOCKED", "WALK")

    def __post_init__(self) -> None:
        _check_range(self.name, "length_min", self.length_min,
                     "length_max", self.length_max, 1)
        if not 0.0 <= float(self.p_coin) <= 1.0:
            raise ValueError(f"{self.name}: p_coin must be in [0, 1], got "
                             f"{self.p_coin}")

    @property
    def output_size(self) -> int:
        return 2

    def example(self, text: str) -> str:
        """The input string itself, checked."""
        self.check(text)
        return text

    def _parse(self, text: str) -> None:
        if len(text) < 1:
            raise ValueError(f"{self.name}: expected >= 1 inputs 'c'/'p', got ''")

    def outputs(self, text: str) -> np.ndarray:
        """Targets (T,): 1 WALK / 0 LOCKED after each input."""
        self.check(text)
        return turnstile_outputs(text)

    def pair(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(inputs (T,), outputs (T,), mask (T,) all True)."""
        return self.encode(text), self.outputs(text), self.mask(text)

    def random_text(self, rng: np.random.Generator) -> str:
        T = int(rng.integers(self.length_min, self.length_max + 1))
        return "".join(np.where(rng.random(T) < self.p_coin, "c", "p"))


TASKS: dict[str, type[Task]] = {
    cls.name: cls
    for cls in (CountingTask, NoisyCountingTask, RememberTask, CopyTask,
                LongGapTask, IntervalTask, TurnstileTask)
}


def make_task(task: str, **ranges) -> Task:
    """Build a task by name, e.g. ``make_task("counting", n_max=10)``;
    ``make_task(**t.config)`` rebuilds ``t``."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {sorted(TASKS)}")
    try:
        return TASKS[task](**ranges)
    except TypeError as err:
        fields = [f.name for f in dataclasses.fields(TASKS[task])]
        raise ValueError(f"{task}: ranges must be among {fields}: {err}") from None
