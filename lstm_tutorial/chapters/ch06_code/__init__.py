"""Chapter 6, learning to code: everything the notebook ``06_code`` runs.

- ``corpus``: the frozen corpus of standard-library source, its split by file,
  the alphabet, encode and decode;
- ``baselines``: the character n-gram model with Kneser-Ney smoothing and
  lzma's conditional cost, in bits per character;
- ``sampling``: text sampled from a character model at a temperature;
- ``training``: the training loop of the shipped LSTM, GRU and RNN, their
  sizes, bits per character, the shipped models and curves;
- ``code_checks``: cutting a sampled function, parsing it, the names it reads
  that nothing defines;
- ``features``: per-character facts of the code from ``tokenize`` (string,
  comment, bracket depth, indentation, column, line start, name after def);
- ``units``: the unit that follows each feature (r or AUC);
- ``explore``: code heatmaps, the explorer, forcing a unit, gates at chosen
  characters, the live code box and sampler.
"""

from __future__ import annotations

from lstm_tutorial.chapters.ch06_code.baselines import (
    KneserNey,
    kneser_ney,
    lzma_bits_per_char,
    ngram_table,
)
from lstm_tutorial.chapters.ch06_code.code_checks import (
    check_function,
    cut_function,
    module_names,
    names_by_tokens,
    top_level_functions,
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
from lstm_tutorial.chapters.ch06_code.explore import (
    CodeExplorer,
    Sampler,
    code_heatmap,
    forced_next,
    gates_at,
    unit_values,
    units_explorer,
)
from lstm_tutorial.chapters.ch06_code.features import (
    BINARY,
    CLASSES,
    FEATURES,
    char_classes,
    code_features,
    feature_rows,
)
from lstm_tutorial.chapters.ch06_code.sampling import (
    sample,
    sample_functions,
    softmax_at,
)
from lstm_tutorial.chapters.ch06_code.training import (
    Config,
    bits_per_char,
    shipped_model,
    train_one,
    training_results,
)
from lstm_tutorial.chapters.ch06_code.units import (
    FeatureUnit,
    auc,
    best_units,
    stack_units,
    unit_name,
)

__all__ = [
    "BINARY",
    "CLASSES",
    "FEATURES",
    "SPLITS",
    "VOCAB",
    "CodeExplorer",
    "Config",
    "Corpus",
    "CorpusFile",
    "FeatureUnit",
    "KneserNey",
    "Sampler",
    "auc",
    "best_units",
    "bits_per_char",
    "char_classes",
    "check_function",
    "clean_source",
    "code_features",
    "code_heatmap",
    "cut_function",
    "decode",
    "encode",
    "feature_rows",
    "forced_next",
    "gates_at",
    "kneser_ney",
    "load_corpus",
    "lzma_bits_per_char",
    "module_names",
    "names_by_tokens",
    "ngram_table",
    "sample",
    "sample_functions",
    "shipped_model",
    "stack_units",
    "softmax_at",
    "top_level_functions",
    "train_one",
    "training_results",
    "unit_values",
    "unit_name",
    "units_explorer",
]
