"""Helper package of the book: every piece of code the chapters run.

Modules, in reading order:

- ``frames``: the synthetic movie-frames data set of chapter 1 and its ceiling.
- ``cells``: numpy "glass-box" cells (dense, RNN, LSTM, GRU, peephole LSTM)
  that expose every gate and replay trained torch weights exactly.
- ``models``: torch modules for training (peephole LSTM, character models).
- ``handset``: networks whose weights are set by hand.
- ``tasks``: the sequence tasks and their scoring masks.
- ``train``: the trainer and the evaluation.
- ``viz``: plotly figures; ``widgets``: live ipywidgets controls.
"""

__version__ = "0.1.0"
