"""What each character of Python source is, read off by ``tokenize``.

For a source text of T characters, :func:`code_features` gives one value per
character for each feature (arrays of shape (T,)):

- ``in_string``: 1 inside a string literal, quotes and prefixes included;
- ``in_comment``: 1 inside a comment, from ``#`` to the end of the line;
- ``bracket_depth``: how many ``(``, ``[``, ``{`` are open before this
  character (the bracket itself counts from the next character on);
- ``indent``: the indentation level of the line (INDENT tokens open minus
  DEDENT tokens closed; continuation lines keep their statement's level);
- ``column``: the character's position in its line, 0 first;
- ``line_start``: 1 on a line's leading spaces and its first visible character;
- ``after_def``: 1 on the name that follows ``def`` or ``class``.

Brackets and quotes inside strings and comments are not brackets or quotes:
``tokenize`` reads them as part of the string or comment, and so do these
features. Yes/no features are scored by AUC, the others by correlation
(:data:`BINARY`).
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence

import numpy as np

__all__ = ["BINARY", "CLASSES", "FEATURES", "char_classes", "code_features",
           "feature_rows"]

FEATURES = ("in_string", "in_comment", "bracket_depth", "indent", "column",
            "line_start", "after_def")
BINARY = frozenset({"in_string", "in_comment", "line_start", "after_def"})
_OPEN, _CLOSE = "([{", ")]}"
CLASSES = ("indentation", "closing bracket", "newline", "in a string",
           "in a comment", "name after def", "other code")


def _offsets(source: str) -> np.ndarray:
    """Character offset of the start of every line (1-based rows, as tokenize)."""
    starts = [0, 0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return np.array(starts)


def code_features(source: str) -> dict[str, np.ndarray]:
    """Per-character features of complete Python ``source`` (T characters):
    {name: (T,) float array} for every name in :data:`FEATURES`.

    Raises ValueError naming the line if ``tokenize`` cannot read the source
    (an unterminated string or bracket, inconsistent dedent)."""
    if not isinstance(source, str) or not source:
        raise ValueError(f"source must be a non-empty str of Python code, got "
                         f"{source!r:.60}")
    T = len(source)
    start = _offsets(source)
    out = {name: np.zeros(T) for name in FEATURES}
    chars = np.array(list(source))
    newline = np.flatnonzero(chars == "\n")
    line_of = np.searchsorted(newline, np.arange(T))  # 0-based line per char
    line_begin = np.concatenate([[0], newline + 1])[line_of]
    out["column"] = np.arange(T) - line_begin
    first_visible = {}
    for i in range(T):
        if chars[i] not in " \n" and line_of[i] not in first_visible:
            first_visible[line_of[i]] = i
    for i in first_visible.values():
        out["line_start"][line_begin[i]: i + 1] = 1
    level, depth, prev, new_statement = 0, 0, None, True
    line_level = np.full(len(newline) + 2, -1.0)  # -1: no statement starts here
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            a = start[tok.start[0]] + tok.start[1]
            b = start[tok.end[0]] + tok.end[1]
            if tok.type == tokenize.ERRORTOKEN and tok.string.strip():
                raise tokenize.TokenError(f"{tok.string!r} at line {tok.start[0]}")
            if tok.type == tokenize.INDENT:
                level += 1
            elif tok.type == tokenize.DEDENT:
                level -= 1
            elif tok.type == tokenize.NEWLINE:
                new_statement = True
            elif tok.type == tokenize.STRING:
                out["in_string"][a:b] = 1
            elif tok.type == tokenize.COMMENT:
                out["in_comment"][a:b] = 1
            elif tok.type == tokenize.OP and tok.string in _OPEN + _CLOSE:
                depth += 1 if tok.string in _OPEN else -1
                out["bracket_depth"][b:] = depth
            elif (tok.type == tokenize.NAME and prev is not None
                  and prev.type == tokenize.NAME and prev.string in ("def", "class")):
                out["after_def"][a:b] = 1
            if new_statement and tok.type in (tokenize.NAME, tokenize.OP,
                                              tokenize.STRING, tokenize.NUMBER):
                line_level[tok.start[0] - 1] = level
                new_statement = False
            prev = tok
    except (tokenize.TokenError, IndentationError, SyntaxError) as e:
        raise ValueError(f"tokenize cannot read this source: {e}") from None
    for k in range(1, len(line_level)):  # other lines keep the level above
        if line_level[k] < 0:
            line_level[k] = line_level[k - 1]
    out["indent"] = np.maximum(line_level, 0)[line_of]
    return out


def feature_rows(texts: list[str], sources: list[tuple[str, int]]
                 ) -> dict[str, list[np.ndarray]]:
    """Features of snippets cut from whole files: ``sources[b] = (file text,
    offset)`` with ``texts[b] == file[offset: offset + len(texts[b])]``.
    Each file is tokenized whole, so a snippet that starts inside a string or
    a bracket still knows it. -> {name: [(T_b,) per snippet]}."""
    if len(texts) != len(sources):
        raise ValueError(f"one source per text: {len(texts)} texts, "
                         f"{len(sources)} sources")
    rows: dict[str, list[np.ndarray]] = {name: [] for name in FEATURES}
    for text, (source, at) in zip(texts, sources):
        if source[at: at + len(text)] != text:
            raise ValueError(f"text {text[:30]!r} is not at offset {at} of its "
                             f"source")
        feats = code_features(source)
        for name in FEATURES:
            rows[name].append(feats[name][at: at + len(text)])
    return rows


def char_classes(texts: Sequence[str], feats: dict[str, list[np.ndarray]]
                 ) -> dict[str, np.ndarray]:
    """Every character of ``texts`` in exactly one class of :data:`CLASSES`
    (the first that applies, in that order): {class: bool (B, T)}. Indentation
    is a line's leading spaces; a closing bracket or newline inside a string or
    comment counts as string or comment."""
    chars = np.array([list(t) for t in texts])  # (B, T)
    string = np.stack(feats["in_string"]) > 0
    comment = np.stack(feats["in_comment"]) > 0
    code = ~string & ~comment
    rules = {
        "indentation": (np.stack(feats["line_start"]) > 0) & (chars == " "),
        "closing bracket": np.isin(chars, list(_CLOSE)) & code,
        "newline": (chars == "\n") & code,
        "in a string": string,
        "in a comment": comment,
        "name after def": np.stack(feats["after_def"]) > 0,
        "other code": np.ones(chars.shape, dtype=bool),
    }
    taken = np.zeros(chars.shape, dtype=bool)
    out = {}
    for name in CLASSES:
        out[name] = rules[name] & ~taken
        taken |= out[name]
    return out
