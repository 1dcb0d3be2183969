"""The code of each chapter, in a home named after its notebook.

``book/02_rnn.ipynb`` imports ``lstm_tutorial.chapters.ch02_rnn``, and so on. A
chapter's home holds what only that chapter draws and measures (its diagrams,
experiments and live controls); it imports the generic modules of the package
(``cells``, ``models``, ``viz``, ...), never another chapter's home. When two
chapters need the same thing, it moves down into a generic module.

- ``ch01_feedforward``: chapter 1, the movie-frames data set and its exact ceiling;
- ``ch02_rnn``: chapter 2, the loop, the turnstile, the France LED, fading memories;
- ``ch03_lstm``: chapter 3, the cell drawn, gates forced by hand, the swap and
  forget-bias experiments;
- ``ch04_inside_lstm``: chapter 4, gate statistics, counting tables, the explorer.
- ``ch05_variants``: chapter 5, the path from the LSTM to the GRU, the GRU
  counter's float limit, the interval task, the family grid.
- ``ch06_code``: chapter 6, the frozen Python corpus, the n-gram and lzma
  baselines, sampling at a temperature.
"""
