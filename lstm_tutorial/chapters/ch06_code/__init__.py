"""Chapter 6, learning to code: everything the notebook ``06_code`` runs.

- ``corpus``: the frozen corpus of standard-library source, its split by file,
  the alphabet, encode and decode;
- ``baselines``: the character n-gram model with Kneser-Ney smoothing and
  lzma's conditional cost, in bits per character;
- ``sampling``: text sampled from a character model at a temperature.
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

__all__ = [
    "SPLITS",
    "VOCAB",
    "Corpus",
    "CorpusFile",
    "KneserNey",
    "clean_source",
    "decode",
    "encode",
    "kneser_ney",
    "load_corpus",
    "lzma_bits_per_char",
    "ngram_table",
    "sample",
    "softmax_at",
]
