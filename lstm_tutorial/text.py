"""Text to token ids: the one path every model, task and control uses.

A vocabulary is a sequence of tokens (a str of characters, or a tuple of words);
a token's id is its position in it. ``encode`` maps tokens to ids and raises
:class:`UnknownTokenError` (a ``ValueError``) that names the bad token, where it
stands and the whole vocabulary, so a reader who types a wrong character sees
what the model can read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["UnknownTokenError", "tokenize", "encode"]


class UnknownTokenError(ValueError):
    """A token (character, word, unit or weight name) outside a vocabulary.

    Attributes: ``token``, ``vocabulary``, ``position`` (None if not in a text).
    """

    def __init__(self, token: Any, vocabulary: Sequence[Any], *, what: str = "token",
                 position: int | None = None, owner: str = "",
                 vocabulary_name: str = "vocabulary") -> None:
        self.token, self.vocabulary, self.position = token, list(vocabulary), position
        where = "" if position is None else f" at position {position}"
        head = f"{owner}: " if owner else ""
        super().__init__(f"{head}unknown {what} {token!r}{where}; "
                         f"{vocabulary_name}: {self.vocabulary}")


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """Lowercase words and single punctuation marks:
    "In France, Mary ate" -> ["in", "france", ",", "mary", "ate"]."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower())


def encode(tokens: str | Sequence[str], vocabulary: Sequence[str], *,
           owner: str = "") -> np.ndarray:
    """Tokens -> ids (T,) int64, each the token's position in ``vocabulary``.

    tokens: a str (one token per character) or a sequence of tokens (words).
    The first token outside the vocabulary raises :class:`UnknownTokenError`.
    """
    if not isinstance(tokens, str | Sequence) or not all(
            isinstance(t, str) for t in tokens):
        raise ValueError(f"{owner + ': ' if owner else ''}text must be a str or a "
                         f"list of str, got {tokens!r}")
    chars = isinstance(vocabulary, str)
    lookup = {tok: k for k, tok in enumerate(vocabulary)}
    for pos, tok in enumerate(tokens):
        if tok not in lookup:
            raise UnknownTokenError(
                tok, vocabulary, what="character" if chars else "word",
                position=pos, owner=owner,
                vocabulary_name="alphabet" if chars else "vocabulary")
    return np.array([lookup[tok] for tok in tokens], dtype=np.int64)
