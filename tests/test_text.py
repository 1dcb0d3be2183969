"""One text-to-ids path: every bad token is named, with the vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_tutorial import handset, tasks
from lstm_tutorial.text import UnknownTokenError, encode, tokenize


def test_encode_characters_and_words():
    assert encode("abba", "ab").tolist() == [0, 1, 1, 0]
    assert encode(["in", "france"], ("france", "in")).tolist() == [1, 0]
    assert encode("", "ab").dtype == np.int64


def test_unknown_token_names_token_position_and_vocabulary():
    with pytest.raises(UnknownTokenError) as err:
        encode("abc", "ab", owner="counting")
    e = err.value
    assert isinstance(e, ValueError)
    assert (e.token, e.position, e.vocabulary) == ("c", 2, ["a", "b"])
    assert str(e) == ("counting: unknown character 'c' at position 2; "
                      "alphabet: ['a', 'b']")
    with pytest.raises(UnknownTokenError, match="unknown word 'rome'"):
        encode(tokenize("in rome"), ("in", "paris"))


def test_every_encoder_raises_the_same_error():
    with pytest.raises(UnknownTokenError, match="position 3"):
        tasks.CountingTask().encode("aaXc")
    with pytest.raises(UnknownTokenError, match="unknown word 'spain'"):
        handset.sentence_lstm().encode("In Spain")


def test_encode_rejects_what_is_not_text():
    with pytest.raises(ValueError, match="str or a list of str"):
        encode([1, 2], "ab")
