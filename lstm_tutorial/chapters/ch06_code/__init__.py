"""Chapter 6, learning to code: everything the notebook ``06_code`` runs.

- ``corpus``: the frozen corpus of standard-library source, its split by file,
  the alphabet, encode and decode;
- ``baselines``: the character n-gram model with Kneser-Ney smoothing and
  lzma's conditional cost, in bits per character;
- ``sampling``: text sampled from a character model at a temperature;
- ``training``: the training loop of the shipped LSTM, GRU and RNN, their
  sizes, bits per character, the shipped models and curves.
"""

from __future__ import annotations

from lstm_tutorial.chapters.ch06_code.baselines import (
    KneserNey,
    kneser_ney,
    lzma_bits_per_char,
    ngram_table,
)
from lstm_tutorial.chapters.ch06_code.corpus import (
    SPLITS,
    VOCAB,
    Corpus,
    CorpusFile,
    clean_source,
    decode,
    encode,
    load_corpus,
)
from lstm_tutorial.chapters.ch06_code.sampling import sample, softmax_at
from lstm_tutorial.chapters.ch06_code.training import (
    Config,
    bits_per_char,
    shipped_model,
    train_one,
    training_results,
)

__all__ = [
    "SPLITS",
    "VOCAB",
    "Config",
    "Corpus",
    "CorpusFile",
    "KneserNey",
    "bits_per_char",
    "clean_source",
    "decode",
    "encode",
    "kneser_ney",
    "load_corpus",
    "lzma_bits_per_char",
    "ngram_table",
    "sample",
    "shipped_model",
    "softmax_at",
    "train_one",
    "training_results",
]
