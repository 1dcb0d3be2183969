"""Chapter 6, learning to code: everything the notebook ``06_code`` runs.

- ``corpus``: the frozen corpus of standard-library source, its split by file,
  the alphabet, encode and decode;
- ``baselines``: the character n-gram model with Kneser-Ney smoothing and
  lzma's conditional cost, in bits per character;
- ``sampling``: text sampled from a character model at a temperature.
"""
