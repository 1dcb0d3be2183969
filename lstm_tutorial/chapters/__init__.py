"""The code of each chapter, in a home named after its notebook.

``book/02_rnn.ipynb`` imports ``lstm_tutorial.chapters.ch02_rnn``, and so on. A
chapter's home holds what only that chapter draws and measures (its diagrams,
experiments and live controls); it imports the generic modules of the package
(``cells``, ``models``, ``viz``, ...), never another chapter's home. When two
chapters need the same thing, it moves down into a generic module.

| home | chapter |
|------|---------|
| ``ch01_feedforward`` | 1, feedforward networks: the movie-frames data set, its exact ceiling |
| ``ch02_rnn`` | 2, recurrent networks: the loop, the turnstile, the France LED, fading memories |
| ``ch03_lstm`` | 3, the LSTM: the cell drawn, gates forced by hand, the swap and forget-bias experiments |
| ``ch04_inside_lstm`` | 4, inside a trained LSTM: gate statistics, counting tables, the explorer |
"""
