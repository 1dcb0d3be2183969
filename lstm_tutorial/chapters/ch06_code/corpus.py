"""The frozen corpus of chapter 6: Python standard-library source, cleaned.

The corpus ships in ``lstm_tutorial/data/``: ``ch06_corpus.txt.xz`` (the cleaned
text of every file, one after another in manifest order), ``ch06_corpus.json``
(the manifest: Python version, per file its split, the sha256 of the source
file and of its cleaned text, its length) and ``ch06_PSF_LICENSE.txt`` (the
license of the source). ``scripts/ch06_corpus.py`` rebuilds all three from the
installed standard library with :func:`clean_source`; the chapter only reads
them, so it never depends on the reader's Python.

The split is by file: a held-out ("test") file is never seen in training.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from lstm_tutorial.text import UnknownTokenError

__all__ = [
    "DATA_DIR",
    "SPLITS",
    "VOCAB",
    "Corpus",
    "CorpusFile",
    "clean_source",
    "decode",
    "encode",
    "load_corpus",
    "sha256",
]

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CORPUS_XZ = DATA_DIR / "ch06_corpus.txt.xz"
MANIFEST = DATA_DIR / "ch06_corpus.json"
LICENSE = DATA_DIR / "ch06_PSF_LICENSE.txt"
SPLITS = ("train", "valid", "test")

# The alphabet, fixed in advance rather than read off the data: the newline and
# the 95 printable ASCII characters (space to tilde). Id = position here.
VOCAB = "\n" + "".join(chr(c) for c in range(32, 127))

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # every control but "\n"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def sha256(data: str | bytes) -> str:
    """Hex sha256 of bytes, or of a str encoded as UTF-8."""
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def clean_source(source: str) -> str:
    """One source file -> text in ``VOCAB``, the same way every time:

    1. line ends "\\r\\n" and "\\r" become "\\n";
    2. the leading block of comment and blank lines (shebang, coding line,
       authors, copyright: names, not code) is dropped;
    3. tabs become spaces at 8-column stops (as Python's tokenizer reads them);
    4. any character outside ASCII becomes "?" (a few names and arrows in
       docstrings), any other control character (form feed, ...) is deleted;
    5. trailing whitespace is stripped from every line, trailing blank lines
       are dropped, and the text ends in exactly one "\\n".
    """
    if not isinstance(source, str):
        raise ValueError(f"source must be a str, got {type(source).__name__}")
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = 0
    while start < len(lines) and (not lines[start].strip()
                                  or lines[start].lstrip().startswith("#")):
        start += 1
    out = []
    for line in lines[start:]:
        line = _NON_ASCII.sub("?", line.expandtabs(8))
        out.append(_CONTROL.sub("", line).rstrip())
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def encode(text: str) -> np.ndarray:
    """Text -> ids (T,) int64 in [0, 96): each character's position in VOCAB.

    A character outside VOCAB raises ``text.UnknownTokenError`` (a ValueError)
    naming the character, its position and the alphabet.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    raw = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # code points
    ids = np.where(raw == 10, 0, raw.astype(np.int64) - 31)  # "\n" -> 0, " " -> 1
    bad = np.flatnonzero((ids < 0) | (ids >= len(VOCAB)))
    if bad.size:
        pos = int(bad[0])
        raise UnknownTokenError(text[pos], VOCAB, what="character", position=pos,
                                owner="chapter 6 corpus", vocabulary_name="alphabet")
    return ids


def decode(ids: np.ndarray | list[int]) -> str:
    """Ids in [0, 96) -> text; the inverse of :func:`encode`."""
    a = np.asarray(ids)
    if a.ndim != 1 or a.dtype.kind not in "iu" or (a.size and (
            a.min() < 0 or a.max() >= len(VOCAB))):
        raise ValueError(f"ids must be a 1-d array of ints in [0, {len(VOCAB)}), "
                         f"got {a.dtype} {a.shape}")
    return "".join(VOCAB[i] for i in a.tolist())


@dataclass(frozen=True)
class CorpusFile:
    """One module of the corpus: its path in the standard library (``path``),
    its split, the sha256 of the installed source and of its cleaned text."""

    path: str
    split: str
    source_sha256: str
    text_sha256: str
    text: str


@dataclass(frozen=True)
class Corpus:
    """The shipped corpus: ``files`` in manifest order and the manifest."""

    files: tuple[CorpusFile, ...]
    manifest: dict

    @property
    def python_version(self) -> str:
        """The CPython version whose standard library this is, e.g. "3.11.7"."""
        return self.manifest["python_version"]

    def text(self, split: str) -> str:
        """The text of one split: its files' cleaned texts, in manifest order."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        return "".join(f.text for f in self.files if f.split == split)

    def paths(self, split: str) -> list[str]:
        """The files of one split."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        return [f.path for f in self.files if f.split == split]


def read_corpus(xz: bytes, manifest: dict) -> Corpus:
    """The Corpus in ``xz`` (the compressed text) cut by ``manifest``'s lengths;
    every file's text is checked against its sha256."""
    text = lzma.decompress(xz).decode("ascii")
    total = sum(f["chars"] for f in manifest["files"])
    if len(text) != total:
        raise ValueError(f"corpus holds {len(text)} characters, manifest {total}")
    files, at = [], 0
    for f in manifest["files"]:
        piece = text[at: at + f["chars"]]
        at += f["chars"]
        if sha256(piece) != f["text_sha256"]:
            raise ValueError(f"corpus text of {f['path']} does not match its sha256")
        files.append(CorpusFile(f["path"], f["split"], f["source_sha256"],
                                f["text_sha256"], piece))
    return Corpus(tuple(files), manifest)


@cache
def load_corpus() -> Corpus:
    """The shipped corpus (read once, hash-checked, then cached)."""
    manifest = json.loads(MANIFEST.read_text())
    return read_corpus(CORPUS_XZ.read_bytes(), manifest)
