"""Text the chapters print: the package's own source, and plain-text tables.

- :func:`source`: a function or class of the package as the page shows it, whole
  or a slice (``first`` .. ``last``), with argument checks folded into one
  ``...`` line, checked to fit the page's code column.
- :func:`text_table`: columns of already formatted cells, padded to a common
  width, with dashed rules where asked. Every table the chapters print as text
  goes through it (``train.seed_table``, the chapters' summary tables).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Sequence
from typing import Any

__all__ = ["CODE_WIDTH", "source", "text_table"]

CODE_WIDTH = 77  # characters of code that fit the book's column at 1280 px


def _drop_docstring(src: str, lines: list[str]) -> list[str]:
    body = ast.parse(textwrap.dedent(src)).body[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(
            getattr(body[0], "value", None), ast.Constant):
        return lines[: body[0].lineno - 1] + lines[body[0].end_lineno:]
    return lines


def _slice(obj: Any, lines: list[str], first: str, last: str) -> list[str]:
    try:
        a = next(k for k, line in enumerate(lines) if first in line)
        b = next(k for k in range(a, len(lines)) if last in lines[k])
    except StopIteration:
        raise ValueError(f"the source of {getattr(obj, '__qualname__', obj)} has no "
                         f"line with {first!r} followed by one with {last!r}"
                         ) from None
    return textwrap.dedent("\n".join(lines[a : b + 1])).splitlines()


def source(obj: Any, *, first: str | None = None, last: str | None = None,
           omit: Sequence[str] = (), note: str = "", docstring: bool = True,
           width: int = CODE_WIDTH) -> str:
    """The source of a function or class as the page prints it.

    first, last: print only the lines from the first one containing ``first``
    through the next one containing ``last`` (dedented). omit: runs of lines
    containing any of these strings become one line ``...  # note`` at the
    first one's indentation. docstring=False leaves the docstring out. Every
    line printed must fit in ``width`` characters, else ValueError.
    """
    src = inspect.getsource(obj)
    lines = src.splitlines()
    if not docstring:
        lines = _drop_docstring(src, lines)
    if (first is None) != (last is None):
        raise ValueError("give both first and last, or neither")
    if first is not None and last is not None:
        lines = _slice(obj, lines, first, last)
    out, skipping = [], False
    for line in lines:
        if any(s in line for s in omit):
            if not skipping:
                indent = line[: len(line) - len(line.lstrip())]
                out.append(f"{indent}..." + (f"  # {note}" if note else ""))
            skipping = True
            continue
        skipping = False
        out.append(line)
    too_long = [s for s in out if len(s) > width]
    if too_long:
        raise ValueError(f"source lines must fit in {width} characters; "
                         f"{len(too_long[0])}: {too_long[0]!r}")
    return "\n".join(out)


def text_table(head: Sequence[str], rows: Sequence[Sequence[str]], *,
               align: str = ">", rules: Sequence[int] = (0,),
               min_widths: Sequence[int] = ()) -> str:
    """A plain-text table: ``head`` then ``rows`` of str cells, two spaces apart.

    align: one character per column (">" right, "<" left), or one for all.
    rules: a dashed rule after these lines (0: the head; k: the k-th row).
    min_widths: the narrowest each column may be. Trailing blanks are cut.
    """
    n = len(head)
    if any(len(r) != n for r in rows):
        raise ValueError(f"every row must hold {n} cells (one per heading), got "
                         f"{sorted({len(r) for r in rows})}")
    aligns = align * n if len(align) == 1 else align
    if len(aligns) != n or set(aligns) - {"<", ">"}:
        raise ValueError(f"align must be '<' or '>', once or per column ({n}), "
                         f"got {align!r}")
    mins = list(min_widths) + [0] * (n - len(min_widths))
    widths = [max(mins[j], len(head[j]), *(len(r[j]) for r in rows))
              for j in range(n)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths)
                         ).rstrip()

    rule = line(["-" * w for w in widths])
    out = [line(head)] + ([rule] if 0 in rules else [])
    for k, r in enumerate(rows, start=1):
        out.append(line(r))
        if k in rules:
            out.append(rule)
    return "\n".join(out)
