"""A network checked against a state machine on every string."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_tutorial import handset, tasks
from lstm_tutorial.machines import Agreement, agreement, all_strings


def test_all_strings_count_in_base_k():
    ids = all_strings(2, "abc")
    assert ids.tolist() == [[a, b] for a in range(3) for b in range(3)]


def test_the_hand_set_turnstile_agrees_everywhere_and_a_broken_one_is_caught():
    net = handset.turnstile()
    ok = agreement(net.model, tasks.turnstile_outputs, "cp", 8)
    assert ok.all_agree and ok.strings == 2**9 - 2 and ok.first_wrong is None

    def never_walks(text: str) -> list[int]:
        return [0] * len(text)

    bad = agreement(net.model, never_walks, "cp", 4, name="a locked gate")
    assert not bad.all_agree and bad.first_wrong == "cc"  # WALK after two coins
    assert "agree with a locked gate" in str(bad)
    assert isinstance(bad, Agreement) and bad.agree < bad.strings


def test_bad_inputs_are_named():
    net = handset.turnstile()
    with pytest.raises(ValueError, match="max_len must be an int in"):
        agreement(net.model, tasks.turnstile_outputs, "cp", 0)
    with pytest.raises(ValueError, match="alphabet 'cpx' has 3"):
        agreement(net.model, tasks.turnstile_outputs, "cpx", 3)
    with pytest.raises(ValueError, match="length must be an int >= 1"):
        all_strings(0)
    assert np.array_equal(all_strings(1), [[0], [1]])
