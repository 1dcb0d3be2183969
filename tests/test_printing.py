"""The one source printer and the one text-table formatter."""

from __future__ import annotations

import inspect
import textwrap

import pytest

from lstm_tutorial import steps
from lstm_tutorial.printing import source, text_table


def sample_function(x):
    """A docstring."""
    y = x + 1
    if y > 3:
        raise ValueError("y must be small")
    return y


def test_source_leaves_out_lines_and_checks_the_width():
    src = source(sample_function, omit=("if y", "raise"), note="checks",
                 docstring=False)
    assert src.splitlines() == ["def sample_function(x):", "    y = x + 1",
                                "    ...  # checks", "    return y"]
    assert '"""A docstring."""' in source(sample_function)
    with pytest.raises(ValueError, match="must fit in 10 characters"):
        source(sample_function, width=10)


def test_source_slices_the_packages_own_source():
    text = source(steps.lstm_step, first="z = W_ih", last="h = forced")
    lines = text.splitlines()
    assert lines[0].startswith("z = W_ih") and lines[-1].startswith("h = forced")
    assert len(lines) == 8  # one line per equation, no argument checks
    assert textwrap.indent(text, " " * 4) in inspect.getsource(steps.lstm_step)
    with pytest.raises(ValueError, match="no line with 'while'"):
        source(steps.lstm_step, first="while", last="h =")
    with pytest.raises(ValueError, match="both first and last"):
        source(steps.lstm_step, first="z =")


def test_text_table_pads_aligns_and_rules():
    out = text_table(["seed", "limit"], [["0", "338"], ["median", "89"]],
                     rules=(0, 1))
    assert out.splitlines() == ["  seed  limit", "------  -----", "     0    338",
                                "------  -----", "median     89"]
    left = text_table(["a", "bb"], [["xyz", ""]], align="<", min_widths=[0, 4])
    assert left.splitlines() == ["a    bb", "---  ----", "xyz"]
    with pytest.raises(ValueError, match="every row must hold 2 cells"):
        text_table(["a", "b"], [["1"]])
    with pytest.raises(ValueError, match="align must be"):
        text_table(["a", "b"], [["1", "2"]], align="^")
