"""Networks whose weights are set by hand, and why each weight has its value.

Before any training, the book designs networks by hand:

- ``coin_counter()``: a ReLU RNN with W = I, U = I that counts coins and pushes;
- ``turnstile()``: a ReLU RNN that is the two-coin turnstile (WALK / LOCKED);
- ``counter_lstm()``: an LSTM for ``a^N X b^N``, exact for every N up to 10,000
  and beyond;
- ``noisy_counter_lstm()``: the same counter when X's are sprinkled among the a's
  (delimiter Y): its input gate shuts on X;
- ``counter_gru()``: a GRU for ``a^N X b^N``, exact only as far as its bounded
  state keeps moving in floating point;
- ``remember_lstm()``: an LSTM that holds A or B over any number of x's;
- ``sentence_lstm()``: a word-level LSTM with named cell features reading
  "In France, Mary ate her croissant but Frank did not like the wine.";
- ``toggle_lstm()``: a lamp with one push button, the one network here whose
  gates read h_{t-1} (U != 0): a press turns it on only if it was off.

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
the pre-activation of gate k when "a" is read (the LSTM biases are 0, and
U = 0 in every LSTM here but ``toggle_lstm``).

Why 40: sigma(40) = 1 - 4.2e-18 and tanh(40) = 1 - 3.6e-35 both round to exactly
1.0 in float64, and sigma(-40) = 4.2e-18 (exactly 0 in the cells' tanh form of
sigma). A gate driven by +-40 is open or shut to 17 digits, so a count kept in
an LSTM cell state stays an exact integer.
"""

from __future__ import annotations

import math

from .handnet import HandSet, WeightRow, documented, row
from .text import UnknownTokenError, tokenize

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
    "counter_gru",
    "remember_lstm",
    "sentence_lstm",
    "toggle_lstm",
    "BUILDERS",
    "FRANCE",
    "ITALY",
    "SENTENCE_VOCABULARY",
    "COIN_COUNTER_TABLE",
    "TURNSTILE_TABLE",
    "COUNTER_TABLE",
    "NOISY_COUNTER_TABLE",
    "GRU_COUNTER_TABLE",
    "REMEMBER_TABLE",
    "SENTENCE_TABLE",
    "TOGGLE_TABLE",
]

SAT = 40.0  # a pre-activation that saturates a gate: sigma(+-40) = 1.0 or < 5e-18


# ------------------------------------------------------------------------ coin counter

COIN_COUNTER_TABLE: tuple[WeightRow, ...] = (
    row("W - coins seen | c", 1, "a coin (input [1, 0]) adds 1 to the coins seen"),
    row("W - passes | p", 1, "a push (input [0, 1]) adds 1 to the passes"),
    row("U - coins seen | coins seen", 1,
         "the count carries over: h_t = relu(h_{t-1} + x_t) = h_{t-1} + x_t"),
    row("U - passes | passes", 1, "the same for the passes (U = I)"),
    row("V - coins seen | coins seen", 1, "the output is the memory itself"),
    row("V - passes | passes", 1, "the output is the memory itself"),
)


@documented(COIN_COUNTER_TABLE)
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
    row(f"W - {_PAID} | c", 1, "a coin turns it on ..."),
    row(f"U - {_PAID} | *", -1,
         "... only when no coin is held: any unit on (1 or 2 coins held) cancels "
         "the coin, relu(1 - 1) = 0"),
    row(f"W - {_REFUSED} | p", 1, "a push ..."),
    row(f"U - {_REFUSED} | {_PAID}", 1, "... while exactly one coin is held ..."),
    row(f"U - {_REFUSED} | {_REFUSED}", 1, "... (either way of holding one coin) ..."),
    row(f"b - {_REFUSED}", -1,
         "... keeps the one coin: AND as relu(push + one coin - 1), 1 only if both"),
    row(f"W - {_WALK} | c", 1, "a coin ..."),
    row(f"U - {_WALK} | *", 1,
         "... on top of one or two coins held makes (or keeps) two coins ..."),
    row(f"b - {_WALK}", -1,
         "... AND as relu(coin + coins held - 1); a push gives relu(0 + 1 - 1) = 0: "
         "the person walks through and the turnstile locks again"),
    row(f"V - WALK | {_WALK}", 2, "WALK scores 2h - 1: +1 with two coins paid ..."),
    row("b_y - WALK", -1, "... and -1 otherwise; LOCKED scores 0, so WALK wins iff "
         "two coins are paid"),
)


@documented(TURNSTILE_TABLE)
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
        row("W i count | *", -SAT, f"input gate shut by default: {others} must not "
             "change the count"),
        row("W i count | a", SAT, "open on a: each a is written into the count"),
        row("W i count | b", SAT, "open on b: each b is written into the count"),
        row("W f count | *", SAT, "forget gate 1 (rounds to exactly 1.0): the count "
             "never leaks, even over 20,000 steps"),
        row("W g count | *", SAT, "candidate +1 on every character"
             + (f", {noise} included: the input gate, not the candidate, keeps the "
                "noise out" if noise else "")),
        row("W g count | b", -SAT, "candidate -1 on b: c_t = c_{t-1} + i g counts a "
             "up by 1 and b down by 1, so c = #a - #b exactly"),
        row("W o count | *", SAT, "output gate open: h = tanh(c), exactly 0 when "
             "every a is matched and >= tanh(1) = 0.76 while b's are owed"),
        row(f"W i {seen} | *", -SAT, f"input gate shut except on {delimiter}"),
        row(f"W i {seen} | {delimiter}", SAT, f"open on {delimiter}: the b's start"),
        row(f"W g {seen} | {delimiter}", SAT,
             f"candidate +1 on {delimiter} (0 elsewhere)"),
        row(f"W f {seen} | *", SAT, "forget gate 1: once seen, always seen"),
        row(f"W o {seen} | *", SAT, f"output gate open: h = tanh(1) = 0.76 after "
             f"{delimiter}, 0 before"),
        row("b_y - a", 10, f"before {delimiter} the next character is "
             "undetermined: guess a"),
        row(f"V - a | {seen}", -20, f"after {delimiter} no a can come: its score "
             "falls to 10 - 20(0.76) = -5.2"),
        row(f"b_y - {delimiter}", -10, "never the top guess"),
        row("V - b | count", 10, "b scores 10 h - 5: -5 when the count is 0, at "
             "least 10(0.76) - 5 = 2.6 while b's are owed"),
        row("b_y - b", -5, "b beats the end marker once h > 0.5, a threshold between "
             "h = 0 (nothing owed) and h >= 0.76"),
        row("b_y - .", 0, "the end marker scores 0: it wins once the count is 0"),
    ]
    if noise:
        rows.insert(-3, row(f"b_y - {noise}", -10, "never the top guess"))
    return tuple(rows)


COUNTER_TABLE = _counter_table("X", None)
NOISY_COUNTER_TABLE = _counter_table("Y", "X")


@documented(COUNTER_TABLE)
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


@documented(NOISY_COUNTER_TABLE)
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


def _gru_counter_table(p: float) -> tuple[WeightRow, ...]:
    """The GRU counter's table with update-gate pre-activation p on a and b."""
    z = 1 / (1 + math.exp(-p))
    return (
        row("W z * | *", SAT, "update gate 1 on every character: h = z h + (1 - z) n "
             "= h, every unit keeps its state exactly"),
        row("W z a's | a", p, f"on a, z = sigma({p:g}) = {z:.4f}: unit a's moves "
             "(1 - z)(1 - h) of the way to its candidate 1, so after k a's it is "
             "1 - z^k, always below 1"),
        row("W n a's | a", SAT, "candidate n = tanh(40) = 1 on a (0 elsewhere, where "
             "z = 1 ignores it)"),
        row("W z b's | b", p, "on b, the same step for unit b's: the very same float "
             "operations, so after N b's it equals unit a's after N a's exactly"),
        row("W n b's | b", SAT, "candidate 1 on b"),
        row("W z seen X | X", -SAT, "on X, z = 0: unit seen X takes its candidate"),
        row("W n seen X | X", SAT, "candidate 1 on X: seen X = 1 from then on"),
        row("b_y - a", 10, "before X the next character is undetermined: guess a"),
        row("V - a | seen X", -20, "after X no a can come: its score falls to -10"),
        row("b_y - X", -10, "never the top guess"),
        row("V - b | a's", 1, "b scores h(a's) - h(b's): above 0 while fewer b's "
             "than a's have been read ..."),
        row("V - b | b's", -1, "... (before X it is at most 1, below a's 10)"),
        row("b_y - b", -1e-20, "... and just below the end marker's 0 once the two "
             "units are equal"),
        row("b_y - .", 0, "the end marker scores 0: it wins once the b's match"),
    )


GRU_COUNTER_TABLE = _gru_counter_table(6.0)


@documented(GRU_COUNTER_TABLE)
def counter_gru(p: float = 6.0) -> HandSet:
    """A GRU that counts a^N X b^N as far as its bounded state allows, alphabet
    "aXb." (the task's order); p: the update gate's pre-activation on a and b.

    A GRU's state is a mix h = z h + (1 - z) n of the old state and a tanh, so
    it stays in [-1, 1] and cannot hold an integer. Unit "a's" counts by
    creeping towards 1: after k a's it is 1 - z^k with z = sigma(p); unit
    "b's" creeps the same way on b, and the end marker wins when they are
    equal. In floating point 1 - z^k stops changing once the step
    (1 - z) z^k falls below half the spacing of floats near 1: from then on
    unit a's reads the same for every k, and the counter ends too early.
    Larger p (z nearer 1) stalls later; ``chapters.ch05_variants`` measures
    where. All U = 0 (the table's weights with p = 6 follow).
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p < SAT:
        raise ValueError(f"p must be a number in (0, {SAT:g}), got {p!r}")
    return HandSet(
        name="GRU counter",
        kind="gru",
        tokens=tuple("aXb."),
        outputs=tuple("aXb."),
        unit_names=("a's", "b's", "seen X"),
        table=_gru_counter_table(float(p)),
        end=".",
    )


# --------------------------------------------------------------------------- remember


def _remember_rows(letter: str) -> list[WeightRow]:
    unit, answer = f"saw {letter}", letter.lower()
    return [
        row(f"W i {unit} | *", -SAT, "input gate shut: the x's (and all else) are "
             "ignored"),
        row(f"W i {unit} | {letter}", SAT, f"open on the first letter {letter}"),
        row(f"W g {unit} | {letter}", SAT, f"candidate +1 on {letter}: c = 1"),
        row(f"W f {unit} | *", SAT,
             "forget gate 1: hold on through any number of x's"),
        row(f"W f {unit} | a", -SAT, "forget gate 0 once the answer a ..."),
        row(f"W f {unit} | b", -SAT, "... or b is read: the memory has done its job"),
        row(f"W o {unit} | *", -SAT, "output gate shut: the memory is not shown "
             "while it is irrelevant ..."),
        row(f"W o {unit} | Y", SAT, "... and open on Y, when the answer is due"),
        row(f"V - {answer} | {unit}", 10, f"after Y, {answer} scores "
             "10 tanh(1) = 7.6, above x's 2"),
    ]


REMEMBER_TABLE: tuple[WeightRow, ...] = (
    *_remember_rows("A"),
    *_remember_rows("B"),
    row("W i answered | *", -SAT, "input gate shut except on the answer"),
    row("W i answered | a", SAT, "open when the answer a ..."),
    row("W i answered | b", SAT, "... or b is read"),
    row("W g answered | a", SAT, "candidate +1 on a ..."),
    row("W g answered | b", SAT, "... and on b"),
    row("W f answered | *", SAT, "forget gate 1: stays answered"),
    row("W o answered | *", SAT, "output gate open: h = 0.76 once answered"),
    row("V - . | answered", 10, "after the answer, . scores 7.6"),
    row("b_y - x", 2, "otherwise guess another x (the x's and Y are undetermined)"),
)


@documented(REMEMBER_TABLE)
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
        row(f"W i {unit} | *", -SAT, "input gate shut: no other word is saved here"),
        row(f"W i {unit} | {word}", SAT,
             f"open at '{word}', the only word that opens it"),
        row(f"W g {unit} | {word}", SAT, f"candidate +1 at '{word}': write 'yes'"),
        row(f"W f {unit} | *", SAT, "forget gate 1: the country holds all story long"),
        row(f"W f {unit} | {other}", -SAT, f"forget gate 0 at '{other}': the story "
             "moved"),
        row(f"W o {unit} | *", -SAT, "output gate shut: most next words do not depend "
             "on the country"),
        row(f"W o {unit} | her", SAT, "shown after 'her' ..."),
        row(f"W o {unit} | the", SAT, "... and 'the': a noun comes next, and which "
             "food or drink fits depends on the country"),
    ]


SENTENCE_TABLE: tuple[WeightRow, ...] = (
    *_country_rows("seen France", "france", "italy"),
    *_country_rows("seen Italy", "italy", "france"),
    row("W i number of people | *", -SAT, "input gate shut except at a name"),
    row("W i number of people | mary", SAT, "open at each name ..."),
    row("W i number of people | frank", SAT, "..."),
    row("W g number of people | mary", SAT, "... whose candidate is +1: c counts the "
         "people named"),
    row("W g number of people | frank", SAT, "..."),
    row("W f number of people | *", SAT, "forget gate 1: the count holds"),
    row("W o number of people | *", SAT, "output gate open, so the step-through shows "
         "it; no word of this vocabulary depends on it"),
    row("W i female subject | *", -SAT, "input gate shut except at a name"),
    row("W i female subject | mary", SAT, "open at a name: a new subject ..."),
    row("W i female subject | frank", SAT, "..."),
    row("W f female subject | *", SAT, "forget gate 1: the subject holds ..."),
    row("W f female subject | mary", -SAT, "... until a new name replaces it"),
    row("W f female subject | frank", -SAT, "..."),
    row("W g female subject | mary", SAT, "Mary: +1, female"),
    row("W g female subject | frank", -SAT, "Frank: -1, male"),
    row("W o female subject | *", -SAT, "output gate shut ..."),
    row("W o female subject | ate", SAT, "... except after 'ate': a possessive comes "
         "next and agrees with the subject"),
    row("W i eating | *", -SAT, "input gate shut except at 'ate'"),
    row("W i eating | ate", SAT, "open at 'ate' ..."),
    row("W g eating | ate", SAT, "... candidate +1: someone is eating"),
    row("W f eating | *", SAT, "forget gate 1: the meal goes on ..."),
    row("W f eating | but", -SAT, "... until 'but' ends that clause: drop 'eating'"),
    row("W o eating | *", SAT, "output gate open: food words are likely while "
         "someone eats"),
    row("W i negated | *", -SAT, "input gate shut except at 'not'"),
    row("W i negated | not", SAT, "open at 'not' ..."),
    row("W g negated | not", SAT, "... candidate +1: what follows is denied"),
    row("W f negated | *", SAT, "forget gate 1 within the sentence ..."),
    row("W f negated | .", -SAT, "... and 0 at its end"),
    row("W o negated | *", SAT, "output gate open; no word of this vocabulary "
         "depends on it"),
    row("V - croissant | seen France", 4, "croissant needs France in view ..."),
    row("V - croissant | eating", 4, "... and someone eating:"),
    row("b_y - croissant", -4, "4(0.76) + 4(0.76) - 4 = 2.1 with both, -0.95 with "
         "only one"),
    row("V - pizza | seen Italy", 4, "the same for pizza and Italy"),
    row("V - pizza | eating", 4, "..."),
    row("b_y - pizza", -4, "..."),
    row("V - wine | seen France", 2, "a drink fits either country when a noun is due: "
         "2(0.76) = 1.5, the top score after 'the' once the meal is over"),
    row("V - wine | seen Italy", 2, "..."),
    row("V - her | female subject", 4, "after 'ate', her scores 4(0.76) = 3.0 for "
         "a female subject ..."),
    row("V - his | female subject", -4, "... and his the same for a male one"),
)


@documented(SENTENCE_TABLE)
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
    "gru_counter": counter_gru,
    "remember": remember_lstm,
    "sentence": sentence_lstm,
}


# --------------------------------------------------------------------------- toggle

TOGGLE_TABLE: tuple[WeightRow, ...] = (
    row("W i lamp | *", -SAT, "input gate shut by default: a wait w writes nothing"),
    row("W i lamp | p", SAT, "open on a press p ..."),
    row("U i lamp | lamp", -120, "... but only while the lamp is off (h = 0): when "
         "it is on, h = tanh(1) and 40 - 120(0.76) = -51.4 shuts the gate"),
    row("W f lamp | *", SAT, "forget gate 1: a wait keeps the lamp as it is"),
    row("W f lamp | p", -SAT, "forget gate 0 on a press: every press clears the "
         "lamp, and the input gate decides whether it comes back on"),
    row("W g lamp | *", SAT, "candidate +1: what the input gate writes is 'on'"),
    row("W o lamp | *", SAT, "output gate open: h = tanh(c), 0.76 when on and 0 "
         "when off, the value U_i reads at the next step"),
    row("V - on | lamp", 10, "on scores 10 h - 5: 10(0.76) - 5 = 2.6 when the lamp "
         "is on ..."),
    row("b_y - on", -5, "... and -5 when it is off; off scores 0"),
)


@documented(TOGGLE_TABLE)
def toggle_lstm() -> HandSet:
    """A lamp with one push button, as an LSTM whose input gate reads h_{t-1}.

    Inputs: press "p" and wait "w"; outputs ("off", "on") after every step.
    Each press toggles the lamp, a wait leaves it alone, so the lamp is on iff
    the number of presses so far is odd. One unit "lamp" holds c = 1 (on) or
    0 (off), exactly: a press shuts the forget gate (clear) and opens the input
    gate only if h_{t-1} = tanh(c_{t-1}) is 0 (write 1), through the one
    recurrent weight U_i[lamp, lamp].

    Why U is needed: with U = 0 every gate is set by the current token alone,
    so on a run of presses f, i and g are the same at every step and
    c_n = f c_{n-1} + i g moves monotonically (f >= 0) towards a fixed point;
    the scores settle, and no such network alternates on, off, on, ... forever.
    """
    return HandSet(
        name="toggle",
        kind="lstm",
        tokens=("p", "w"),
        outputs=("off", "on"),
        unit_names=("lamp",),
        table=TOGGLE_TABLE,
    )


BUILDERS["toggle"] = toggle_lstm  # defined after the table of builders above
