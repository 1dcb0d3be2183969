"""Helper package of the book: every piece of code the chapters run.

Generic modules (the floor; none of them imports a chapter's code):

- ``gates``: the one table of the quantities in a cell: symbols, labels,
  intuitive aliases, colours.
- ``activations``: sigmoid, tanh, ReLU and their interactive plot.
- ``steps``: the reference steps, one equation per line (what the book shows).
- ``traces``: ``Trace``, ``LayerTrace`` and ``Override`` (what-ifs).
- ``cells``: numpy "glass-box" cells (dense, RNN, LSTM, GRU, peephole LSTM)
  that keep every intermediate value and replay trained torch weights exactly;
  ``_fast`` (private) holds the loops under their ``trace``, ``_checks``
  (private) the checks of their parameters, inputs and what-ifs.
- ``models``: torch modules (peephole LSTM, swappable-activation LSTM, the
  feedforward classifier, character models) and weight files.
- ``variants``: the LSTM's family (Greff et al. 2017) as a torch module, and its
  numpy replay through ``steps.variant_step``.
- ``seq2seq``: an encoder-decoder LSTM with or without dot-product attention,
  and its numpy replay that keeps every attention weight of every step.
- ``text``: text to token ids, with ``UnknownTokenError``.
- ``handnet``: a network given by its weight table (``HandSet``);
  ``handset``: the networks whose weights are set by hand, a reason per weight.
- ``tasks``: the sequence tasks and their scoring masks.
- ``train``: the trainer, the evaluation, the shipped weights.
- ``neurons``: finding units by correlation with a task variable.
- ``machines``: a network checked against a state machine on every string.
- ``printing``: package source and plain-text tables as the page prints them.
- ``style``: the figures' colour scales, layout and trace readers;
  ``diagrams``: the kit for drawn diagrams.
- ``viz``: plotly figures of traces; ``stepview``: step-throughs; ``charts``:
  training curves, lines, bars and tables.
- ``display``: one output that works live and in the rendered book, and the
  live figure a control updates in place; ``widgets``: live ipywidgets controls;
  ``notebook_files``: the stored form of a chapter and the pre-save hook.

Chapter homes (``chapters``): ``ch01_feedforward``, ``ch02_rnn``, ``ch03_lstm``,
``ch04_inside_lstm``, ``ch05_variants``, ``ch06_code``, ``ch07_beyond``: what
only that chapter draws and measures.

Importing the package pins torch's numerical paths so that training gives the
same numbers on every x86-64 CPU: ATen's kernels for the baseline instruction
set (``ATEN_CPU_CAPABILITY=default``) and MKL's reproducible mode
(``MKL_CBWR=COMPATIBLE``). Both only take effect if set before torch runs its
first operation, so import ``lstm_tutorial`` before computing anything with
torch; a value already in the environment is kept.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")
os.environ.setdefault("MKL_CBWR", "COMPATIBLE")

__version__ = "0.2.0"
