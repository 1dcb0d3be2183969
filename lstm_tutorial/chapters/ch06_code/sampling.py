"""Text sampled from a character model at a temperature.

After reading the prompt the model gives scores z (logits) for the next
character; at temperature tau it is drawn from

    p_i = exp(z_i / tau) / sum_j exp(z_j / tau)

and fed back. tau < 1 sharpens p towards the most likely character (tau -> 0:
greedy), tau = 1 samples the model as trained, tau > 1 flattens it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from lstm_tutorial.chapters.ch06_code.code_checks import cut_function
from lstm_tutorial.chapters.ch06_code.corpus import VOCAB, decode, encode
from lstm_tutorial.models import CharModel

__all__ = ["FUNCTION_PROMPT", "sample", "sample_functions", "softmax_at"]

FUNCTION_PROMPT = "\n\ndef "  # a top-level function starts here


def softmax_at(logits: np.ndarray, temperature: float) -> np.ndarray:
    """p = softmax(z / tau) along the last axis, in float64; z (..., V)."""
    _check_temperature(temperature)
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)  # exp never overflows
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _check_temperature(temperature: float) -> None:
    if (isinstance(temperature, bool) or not isinstance(temperature, int | float)
            or not math.isfinite(temperature) or temperature <= 0):
        raise ValueError(f"temperature must be a finite number > 0, got "
                         f"{temperature!r} (use a small one, e.g. 0.1, for "
                         f"nearly greedy text)")


@torch.no_grad()
def sample(model: CharModel, prompt: str, length: int = 200,
           temperature: float = 0.8, seed: int = 0, n: int = 1,
           until: Callable[[list[str]], bool] | None = None) -> str | list[str]:
    """``n`` continuations of ``prompt``, ``length`` characters each (the
    prompt not included), drawn at ``temperature`` with numpy's generator
    seeded by ``seed``. One str if n == 1, else a list of n str.

    Errors (ValueError): an empty prompt, a character outside the alphabet
    (``text.UnknownTokenError``, naming it and its position), a temperature
    that is not > 0, a length or n below 1, a model of another alphabet.
    ``until(texts)``, if given, is asked every 16 characters whether all n
    continuations so far are long enough; sampling stops when it says so
    (what was drawn does not change: every step draws for all n rows).
    """
    if not isinstance(model, CharModel):
        raise ValueError(f"model must be a models.CharModel, got "
                         f"{type(model).__name__}")
    if model.vocab_size != len(VOCAB):
        raise ValueError(f"model reads {model.vocab_size} characters, the corpus "
                         f"alphabet has {len(VOCAB)}")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty str (the model needs at "
                         f"least one character to read), got {prompt!r}")
    _check_temperature(temperature)
    for name, v in (("length", length), ("n", n)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    ids = torch.from_numpy(encode(prompt))[None].repeat(n, 1)  # (n, T)
    rng = np.random.default_rng(seed)
    was_training = model.training
    model.eval()
    try:
        logits, state = model(ids)  # read the prompt: (n, T, V)
        out = np.zeros((n, length), dtype=np.int64)
        for t in range(length):
            p = softmax_at(logits[:, -1].numpy(), temperature)  # (n, V)
            u = rng.random((n, 1))
            nxt = np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), len(VOCAB) - 1)
            out[:, t] = nxt  # inverse CDF: the first i with P(<= i) >= u
            if until is not None and (t + 1) % 16 == 0 and until(
                    [decode(row) for row in out[:, : t + 1]]):
                out = out[:, : t + 1]
                break
            logits, state = model(torch.from_numpy(nxt)[:, None], state)
    finally:
        model.train(was_training)
    texts = [decode(row) for row in out]
    return texts[0] if n == 1 else texts


def sample_functions(model: CharModel, n: int = 100, temperature: float = 0.8,
                     seed: int = 0, length: int = 400) -> list[tuple[str, bool]]:
    """``n`` functions sampled after :data:`FUNCTION_PROMPT`, each cut with
    ``code_checks.cut_function``: [(source starting "def ", finished)], where
    finished means it returned to column 0 within ``length`` characters."""
    def all_finished(texts: list[str]) -> bool:
        return all(cut_function("def " + t)[1] for t in texts)

    texts = sample(model, FUNCTION_PROMPT, length, temperature, seed, n,
                   until=all_finished)
    return [cut_function("def " + t) for t in ([texts] if n == 1 else texts)]
