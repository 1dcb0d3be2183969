"""Two baselines for chapter 6, in bits per character of held-out text.

A character n-gram model with interpolated Kneser-Ney smoothing (Kneser & Ney
1995; Chen & Goodman 1998), one absolute discount D_k per order k. For a
context h of n - 1 characters and the next character w,

    P_n(w | h) = max(c(h w) - D_n, 0) / c(h)
                 + D_n N1+(h .) / c(h) * P_{n-1}(w | h')

where h' is h without its first character, c counts the training text and
N1+(h .) is the number of distinct characters seen after h. The lower orders
k < n use continuation counts instead of c: c'(g) = N1+(. g), the number of
distinct characters seen before the k-gram g (a character that follows many
different contexts is a likely guess in a new one). Below order 1 sits the
uniform distribution over the V characters of the alphabet, so nothing has
probability 0. A context never seen passes its whole mass down:
P_k(w | h) = P_{k-1}(w | h'). D_k = n1 / (n1 + 2 n2), with n1, n2 the number of
k-grams counted once and twice at that order (0.5 if that is 0 or undefined:
no k-gram counted once, which would leave unseen characters probability 0).

lzma's conditional cost: how many more bits the compressor needs for the
training text followed by the held-out text than for the training text alone,
per held-out character, ``8 (|xz(train + test)| - |xz(train)|) / |test|``.

Every function takes text already in ids (``corpus.encode``) and the alphabet
size V, so the tests can use tiny alphabets.
"""

from __future__ import annotations

import lzma
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["KneserNey", "kneser_ney", "lzma_bits_per_char", "ngram_table"]


def _keys(ids: np.ndarray, k: int, V: int) -> np.ndarray:
    """Every k-gram of ids as one int64, base V: key_t = sum_j ids[t + j] V^(k-1-j)
    for t = 0 .. N - k; shape (N - k + 1,). Needs V^k < 2^63."""
    if V ** k >= 2 ** 63:
        raise ValueError(f"{k}-grams over {V} characters do not fit in int64")
    n = len(ids) - k + 1
    key = np.zeros(max(n, 0), dtype=np.int64)
    for j in range(k):
        key = key * V + ids[j: j + n]
    return key


@dataclass
class _Order:
    """The counts of one order k, as sorted keys for lookup:
    ``grams`` / ``counts``: each k-gram (h w) and its count (raw at the top
    order, continuation below); ``ctx`` / ``ctx_total`` / ``ctx_types``: each
    context h, sum of its counts and N1+(h .); ``D``: the discount."""

    grams: np.ndarray
    counts: np.ndarray
    ctx: np.ndarray
    ctx_total: np.ndarray
    ctx_types: np.ndarray
    D: float


def _order(grams: np.ndarray, counts: np.ndarray, V: int) -> _Order:
    n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
    D = n1 / (n1 + 2 * n2) if n1 else 0.5
    ctx, start = np.unique(grams // V, return_index=True)  # grams are sorted
    ctx_total = np.add.reduceat(counts, start) if len(grams) else counts
    ctx_types = np.diff(np.append(start, len(grams)))
    return _Order(grams, counts.astype(np.float64), ctx,
                  ctx_total.astype(np.float64), ctx_types.astype(np.float64), D)


def _continuation(ids: np.ndarray, k: int, V: int) -> _Order:
    """Order k < n: c'(g) = N1+(. g), the number of distinct (k+1)-grams ending
    in the k-gram g."""
    longer = np.unique(_keys(ids, k + 1, V))
    grams, counts = np.unique(longer % V ** k, return_counts=True)
    return _order(grams, counts, V)


def _lookup(keys: np.ndarray, table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values[i] where table[i] == key, else 0, for every key (table sorted)."""
    if not len(table):
        return np.zeros(len(keys))
    i = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    return np.where(table[i] == keys, values[i], 0.0)


class KneserNey:
    """The interpolated Kneser-Ney model of order n over ids in [0, V).

    ``KneserNey(train_ids, n, V).prob(context_ids, w)`` is P_n(w | context);
    ``bits_per_char(ids)`` scores a text. The training text is counted as it
    is; a text's first characters are scored with the shorter context they have.
    """

    def __init__(self, train_ids: np.ndarray, n: int, V: int,
                 lower: list[_Order] | None = None) -> None:
        ids = np.asarray(train_ids, dtype=np.int64)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        if ids.ndim != 1 or len(ids) < n:
            raise ValueError(f"train_ids must be 1-d with at least n = {n} ids, "
                             f"got shape {ids.shape}")
        if ids.min() < 0 or ids.max() >= V:
            raise ValueError(f"ids must lie in [0, {V})")
        self.n, self.V = n, V
        # orders[k - 1] is order k; ``lower``: orders 1 .. >= n-1 already counted
        # on the same text (they do not depend on n; kneser_ney shares them)
        lower = lower[: n - 1] if lower else []
        self.orders = lower + [_continuation(ids, k, V)
                               for k in range(len(lower) + 1, n)]
        grams, counts = np.unique(_keys(ids, n, V), return_counts=True)
        self.orders.append(_order(grams, counts, V))  # top order: raw counts c(h w)

    def _probs(self, hist: np.ndarray, w: np.ndarray) -> np.ndarray:
        """P_n(w_i | hist_i) for rows of hist (N, n-1) (-1: no character) and
        w (N,), order by order from the uniform distribution up."""
        p = np.full(len(w), 1.0 / self.V)
        for k, o in enumerate(self.orders, start=1):
            h = hist[:, self.n - k:]  # the last k - 1 characters, (N, k-1)
            known = np.all(h >= 0, axis=1)  # the text is long enough here
            ctx = np.zeros(len(w), dtype=np.int64)
            for j in range(k - 1):
                ctx = ctx * self.V + np.maximum(h[:, j], 0)
            total = _lookup(ctx, o.ctx, o.ctx_total)
            types = _lookup(ctx, o.ctx, o.ctx_types)
            c = _lookup(ctx * self.V + w, o.grams, o.counts)
            seen = known & (total > 0)
            safe = np.where(seen, total, 1.0)
            mixed = (np.maximum(c - o.D, 0.0) + o.D * types * p) / safe
            p = np.where(seen, mixed, p)
        return p

    def prob(self, context: np.ndarray | list[int], w: int) -> float:
        """P_n(w | the last n - 1 ids of context)."""
        hist = np.full((1, self.n - 1), -1, dtype=np.int64)
        context = np.asarray(context, dtype=np.int64)
        tail = context[max(0, len(context) - (self.n - 1)):]
        if self.n > 1 and len(tail):
            hist[0, -len(tail):] = tail
        return float(self._probs(hist, np.array([w], dtype=np.int64))[0])

    def char_costs(self, ids: np.ndarray, skip_first: int = 1) -> np.ndarray:
        """-log2 P_n(x_t | x_<t) for every t >= skip_first: (len(ids) - skip_first,)
        (the first character has no context; 1 matches the LSTM's scoring)."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.ndim != 1 or len(ids) <= skip_first:
            raise ValueError(f"ids must be 1-d with more than {skip_first} ids")
        if ids.min() < 0 or ids.max() >= self.V:
            raise ValueError(f"ids must lie in [0, {self.V})")
        N = len(ids)
        hist = np.full((N, self.n - 1), -1, dtype=np.int64)  # hist[t, j] = x_{t-n+1+j}
        for j in range(self.n - 1):
            lag = self.n - 1 - j
            hist[lag:, j] = ids[: N - lag]
        return -np.log2(self._probs(hist[skip_first:], ids[skip_first:]))

    def bits_per_char(self, ids: np.ndarray, skip_first: int = 1) -> float:
        """Mean of :meth:`char_costs` over the text."""
        return float(np.mean(self.char_costs(ids, skip_first)))


def kneser_ney(train_ids: np.ndarray, test_ids: np.ndarray, V: int,
               orders: range | list[int] = range(1, 9)) -> dict[int, float]:
    """Held-out bits per character of the KN model of each order n (the lower
    orders' continuation counts are counted once for all n)."""
    orders = list(orders)
    ids = np.asarray(train_ids, dtype=np.int64)
    n_max = max(orders) if orders else 1
    lower = KneserNey(ids, n_max, V).orders[:-1] if n_max > 1 else []
    return {n: KneserNey(ids, n, V, lower).bits_per_char(test_ids) for n in orders}


def lzma_bits_per_char(train: str | bytes, test: str | bytes) -> float:
    """8 (|xz(train + test)| - |xz(train)|) / |test|: the bits lzma (xz, preset
    9e, whole text in its window) spends on each held-out character once it has
    read the training text."""
    a = train.encode("ascii") if isinstance(train, str) else train
    b = test.encode("ascii") if isinstance(test, str) else test
    if not b:
        raise ValueError("test must hold at least one character")

    def size(data: bytes) -> int:
        return len(lzma.compress(data, preset=9 | lzma.PRESET_EXTREME))

    return 8 * (size(a + b) - size(a)) / len(b)


def ngram_table(results: dict[int, float], lzma_bpc: float | None = None) -> str:
    """A plain-text table: n, bits/char, best n marked; lzma last if given."""
    best = min(results, key=results.get)
    rows = [f"{'model':>10s}  bits/char"]
    rows += [f"{f'{n}-gram':>10s}  {v:9.3f}{'  <- best' if n == best else ''}"
             for n, v in results.items()]
    if lzma_bpc is not None and math.isfinite(lzma_bpc):
        rows.append(f"{'lzma':>10s}  {lzma_bpc:9.3f}")
    return "\n".join(rows)
