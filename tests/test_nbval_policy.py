"""The nbval exclusions in conftest.py mask only what they say they mask."""

import re

import plotly.graph_objects as go

from conftest import SANITIZE
from lstm_tutorial.display import figure_html


def sanitize(text: str) -> str:
    for pattern, replacement in SANITIZE.items():
        text = re.sub(pattern, replacement, text)
    return text


def test_a_figure_becomes_one_marker():
    html = figure_html(go.Figure(go.Scatter(y=[1.123456, 2.0])))
    assert sanitize(html) == "PLOTLY-FIGURE"


def test_numbers_a_reader_relies_on_are_kept():
    text = "accuracy  train 0.8105   test 0.8043\nagrees on 11 of 11 shots\n"
    assert sanitize(text) == text


def test_timings_and_progress_are_masked():
    assert sanitize("trained, took 3.21 s") == "trained, took TIME s"
    assert sanitize("one step took 12.5 ms") == "one step took TIME ms"
    bar = "epochs: 100%|##########| 50/50 [00:03<00:00, 15.2it/s]"
    assert sanitize(bar) == "epochs: 100%|##########| 50/50 [TQDM]"
