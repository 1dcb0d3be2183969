"""Chapter 7: stacking, reading both ways, attention, and the cheat sheet.

- ``stacking``: what each layer of a stacked LSTM follows on the copy task
  (reads, writes next, position), by correlation.
- ``bidir``: the bracket-tagging task whose answer depends on later input, the
  one-way and bidirectional taggers, the best any one-way reader can do, and a
  step-through of the two directions.
- ``reverse``: reversing strings with ``seq2seq.Seq2Seq``; accuracy by length,
  the alignment heatmap and its live control.
- ``cheatsheet``: "which cell when", from chapter 5's shipped numbers.
- ``results``: the shipped results and weights of ``scripts/ch07_*.py``.
"""

from . import bidir, cheatsheet, reverse, stacking
from .results import load, weights_path

__all__ = ["bidir", "cheatsheet", "load", "reverse", "stacking", "weights_path"]
