"""Build chapter 6's frozen corpus from the installed Python standard library.

    python scripts/ch06_corpus.py           # write lstm_tutorial/data/ch06_*
    python scripts/ch06_corpus.py --check   # rebuild in memory, compare bytes

Expects CPython 3.11.7 (``PYTHON_VERSION``) and refuses any other version, since
another standard library is other text. Writes, into ``lstm_tutorial/data/``:

- ``ch06_corpus.txt.xz``: the cleaned text of the modules below, one after
  another in the order listed (train, then valid, then test), xz preset 9e;
- ``ch06_corpus.json``: the manifest, per file its split, the sha256 of the
  installed source and of the cleaned text, its length in characters;
- ``ch06_PSF_LICENSE.txt``: the installed Python's LICENSE.txt, unchanged.

Cleaning is ``corpus.clean_source`` (ASCII only, tabs to spaces, trailing
whitespace stripped, the leading comment block of authors and copyright
dropped), so that a fixed alphabet of 96 characters covers every file. What it
changes here: 77 characters outside ASCII become "?" (62 of them the accented
letters in one string of ``shlex``, the rest names and symbols in comments and
docstrings); none of these files holds a tab; 11 lose a leading comment block.
The same inputs give the same bytes: xz stores no time stamp.

Why these modules: plain, typical library code (classes, functions, loops,
docstrings, error handling) from ~70 modules of many authors and decades. Left
out: generated tables (``stringprep``, ``token``, ``keyword``), stubs that only
import a C module (``decimal``, ``struct``), and the giants (``_pydecimal``,
``typing``, ``inspect``) that would make one author's style a large share.
The split is by file and fixed here: 7 validation and 8 held-out test
modules, spread over the kinds of code (parsers, protocols, data structures,
file formats, tools).
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import sysconfig
from pathlib import Path

from lstm_tutorial.chapters.ch06_code.corpus import (
    CORPUS_XZ,
    LICENSE,
    MANIFEST,
    clean_source,
    read_corpus,
    sha256,
)

PYTHON_VERSION = "3.11.7"

# paths relative to the standard library's directory, per split
MODULES: dict[str, tuple[str, ...]] = {
    "train": (
        "argparse.py", "bisect.py", "calendar.py", "cmd.py", "code.py",
        "codeop.py", "colorsys.py", "configparser.py", "contextlib.py",
        "copy.py", "dataclasses.py", "difflib.py", "dis.py", "filecmp.py",
        "fileinput.py", "fractions.py", "ftplib.py", "functools.py",
        "genericpath.py", "getopt.py", "graphlib.py", "gzip.py", "hashlib.py",
        "hmac.py", "imaplib.py", "ipaddress.py", "linecache.py",
        "mimetypes.py", "netrc.py", "ntpath.py", "numbers.py", "operator.py",
        "optparse.py", "pathlib.py", "pkgutil.py", "plistlib.py", "poplib.py",
        "posixpath.py", "queue.py", "quopri.py", "random.py", "reprlib.py",
        "secrets.py", "selectors.py", "shelve.py", "shutil.py", "smtplib.py",
        "socketserver.py", "statistics.py", "string.py", "tempfile.py",
        "threading.py", "timeit.py", "tokenize.py", "traceback.py",
        "types.py", "uuid.py", "warnings.py", "wave.py", "weakref.py",
        "json/decoder.py", "json/encoder.py", "concurrent/futures/_base.py",
    ),
    "valid": (
        "csv.py", "glob.py", "heapq.py", "sched.py", "textwrap.py",
        "tracemalloc.py", "zipapp.py",
    ),
    "test": (
        "chunk.py", "fnmatch.py", "gettext.py", "pprint.py", "pstats.py",
        "shlex.py", "symtable.py", "urllib/parse.py",
    ),
}


def stdlib_dir() -> Path:
    """The installed standard library (where os.py lives)."""
    return Path(sysconfig.get_paths()["stdlib"])


def build(lib: Path) -> tuple[bytes, bytes, bytes]:
    """(xz of the cleaned text, manifest JSON, license text) from ``lib``."""
    files, texts = [], []
    for split, paths in MODULES.items():
        for path in paths:
            raw = (lib / path).read_bytes()
            text = clean_source(raw.decode("utf-8"))
            files.append({"path": path, "split": split,
                          "source_sha256": sha256(raw),
                          "text_sha256": sha256(text), "chars": len(text)})
            texts.append(text)
    xz = lzma.compress("".join(texts).encode("ascii"), format=lzma.FORMAT_XZ,
                       check=lzma.CHECK_CRC64, preset=9 | lzma.PRESET_EXTREME)
    manifest = {
        "python_version": PYTHON_VERSION,
        "source": "the CPython standard library (Lib/), PSF License: "
                  "see ch06_PSF_LICENSE.txt",
        "cleaning": "lstm_tutorial.chapters.ch06_code.corpus.clean_source",
        "xz_sha256": sha256(xz),
        "files": files,
    }
    blob = (json.dumps(manifest, indent=1) + "\n").encode()
    return xz, blob, (lib / "LICENSE.txt").read_bytes()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true",
                   help="rebuild in memory and compare with the shipped files")
    args = p.parse_args(argv)
    have = ".".join(map(str, sys.version_info[:3]))
    if have != PYTHON_VERSION:
        sys.exit(f"this corpus is built from CPython {PYTHON_VERSION}'s standard "
                 f"library; this is {have}")
    built = build(stdlib_dir())
    targets = (CORPUS_XZ, MANIFEST, LICENSE)
    if args.check:
        bad = [t.name for t, b in zip(targets, built) if t.read_bytes() != b]
        print("differs: " + ", ".join(bad) if bad else "the shipped corpus rebuilds "
              "bit for bit")
        return 1 if bad else 0
    CORPUS_XZ.parent.mkdir(exist_ok=True)
    for t, b in zip(targets, built):
        t.write_bytes(b)
    corpus = read_corpus(built[0], json.loads(built[1]))
    for split in ("train", "valid", "test"):
        print(f"{split:5s}: {len(corpus.paths(split)):2d} files, "
              f"{len(corpus.text(split)):8,d} characters")
    print(f"{CORPUS_XZ.name}: {len(built[0]):,d} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
