"""Is a sampled function Python, and does it read names it never defined?

A function is cut from a sample that starts with ``def`` by
:func:`cut_function`: its first line and every line after it up to the first
non-blank line back at column 0 (the function is over) or the sample's end.
:func:`check_function` parses it with ``ast`` and lists the names it reads
that are *unbound*: not a builtin, not bound inside the function (its own
name, parameters, assignments, loop, ``with`` and ``except`` targets, imports,
inner ``def`` and ``class``, comprehension variables, ``global`` and
``nonlocal``), and not a name that some module of the training text binds at
its top level (``known``): a global the model may have learned to expect.
Chen (2017) saw character models lose track of the variables in scope; this is
that observation as a count.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import tokenize
from dataclasses import dataclass

__all__ = ["FunctionCheck", "check_function", "cut_function", "module_names",
           "names_by_tokens", "top_level_functions"]

BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "__doc__",
                                       "__class__", "__spec__", "__debug__"}


def cut_function(sample: str) -> tuple[str, bool]:
    """The function at the start of ``sample`` (which begins with "def "), and
    whether it ended inside the sample (a later line returned to column 0)."""
    if not isinstance(sample, str) or not sample.startswith("def "):
        raise ValueError(f"a sample must start with 'def ', got {sample[:20]!r}")
    lines = sample.split("\n")
    for k in range(1, len(lines)):
        line = lines[k]
        if line.strip() and not line[0].isspace() and not line.startswith(")"):
            return "\n".join(lines[:k]).rstrip() + "\n", True
    return "\n".join(lines[:-1]).rstrip() + "\n", False  # drop the cut last line


@dataclass(frozen=True)
class FunctionCheck:
    """What :func:`check_function` found: ``parses``, the ``unbound`` names
    read (sorted; empty if it does not parse) and the parser's ``error``."""

    parses: bool
    unbound: tuple[str, ...]
    error: str = ""
    error_line: int | None = None  # the line of the first syntax error


class _Names(ast.NodeVisitor):
    """Names bound and names read anywhere in a tree (scopes merged)."""

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.read: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        (self.read if isinstance(node.ctx, ast.Load) else self.bound).add(node.id)

    def visit_arg(self, node: ast.arg) -> None:
        self.bound.add(node.arg)
        self.generic_visit(node)

    def _define(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                ) -> None:
        self.bound.add(node.name)
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _define

    def visit_alias(self, node: ast.alias) -> None:
        self.bound.add(node.asname or node.name.split(".")[0])

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bound.add(node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        self.bound.update(node.names)

    visit_Nonlocal = visit_Global

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.bound.add(node.name)
        self.generic_visit(node)


def check_function(source: str, known: frozenset[str] = frozenset()
                   ) -> FunctionCheck:
    """Parse ``source`` (one function) and list the names it reads that are
    neither builtins, nor bound in it, nor in ``known``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError) as e:  # ValueError: a NUL byte
        return FunctionCheck(False, (), f"{type(e).__name__}: {e}",
                             getattr(e, "lineno", None))
    names = _Names()
    names.visit(tree)
    unbound = names.read - names.bound - BUILTINS - known
    return FunctionCheck(True, tuple(sorted(unbound)))


def module_names(source: str) -> set[str]:
    """The names a module binds at its top level (imports, def, class,
    assignments); ``source`` must parse."""
    tree = ast.parse(source)
    out: set[str] = set()
    for node in tree.body:
        names = _Names()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
            continue
        names.visit(node)
        out |= names.bound
    return out


def top_level_functions(source: str) -> list[str]:
    """The source text of every top-level ``def`` of a module, as written."""
    tree = ast.parse(source)
    lines = source.split("\n")
    return ["\n".join(lines[node.lineno - 1: node.end_lineno]) + "\n"
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and not node.decorator_list]


_ASSIGN = {"=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "|=", "&=", "^=",
           ">>=", "<<=", "@=", ":="}


def names_by_tokens(source: str, known: frozenset[str] = frozenset()
                    ) -> tuple[str, ...]:
    """The names ``source`` reads that nothing binds, read off its tokens, so
    that code which does not parse can be checked too (sorted).

    A NAME token (not a keyword, not an attribute after ".", not a keyword
    argument ``f(x=...)``) is bound if it is assigned (``x =``, ``x +=``, a
    name of a tuple target before ``=``), follows ``def``, ``class``, ``as``,
    ``import``, ``global`` or ``nonlocal``, sits between ``for`` and ``in``, or
    is a parameter in a ``def`` or ``lambda`` header; every other one is read.
    Reading stops at the first token ``tokenize`` cannot read."""
    toks = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.ERRORTOKEN and tok.string.strip():
                break
            if tok.type in (tokenize.NAME, tokenize.OP, tokenize.NEWLINE):
                toks.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # keep what was read
    bound, read = set(), set()
    depth, header, binding = 0, None, None  # header: "def"/"lambda"; binding: word
    importing = False  # in an import statement: "as x, y" binds y too
    statement: list[int] = []  # indices of names at depth 0 in this statement
    for k, tok in enumerate(toks):
        s, prev = tok.string, toks[k - 1].string if k else ""
        nxt = toks[k + 1].string if k + 1 < len(toks) else ""
        if tok.type == tokenize.NEWLINE:
            depth, header, binding, statement = 0, None, None, []
            importing = False
            continue
        if tok.type == tokenize.OP:
            if s in "([{":
                depth += 1
            elif s in ")]}":
                depth = max(depth - 1, 0)
            elif s in _ASSIGN and depth == 0:
                bound.update(toks[i].string for i in statement)
                statement = []
            elif s == ":" and header == "lambda":
                header = None
            if s in ("=", ":") and header == "def" and depth == 0:
                header = None
            continue
        if s in ("def", "class", "as", "import", "global", "nonlocal", "for"):
            binding = s
            header = "def" if s == "def" else header
            importing = importing or s == "import"
            continue
        if s == "lambda":
            header, binding = "lambda", None
            continue
        if s == "in" and binding == "for":
            binding = None
            continue
        if keyword.iskeyword(s) or prev == ".":
            continue
        if depth > 0 and nxt == "=" and header is None:
            continue  # a keyword argument
        if binding in ("def", "class", "as"):
            bound.add(s)
            binding = "import" if importing else None
        elif binding in ("import", "global", "nonlocal", "for"):
            bound.add(s)
        elif header == "def" and prev in ("(", ",", "*", "**"):
            bound.add(s)
        elif header == "lambda" and prev in ("lambda", ",", "*", "**"):
            bound.add(s)
        else:
            read.add(s)
            if depth == 0:
                statement.append(k)
    return tuple(sorted(read - bound - BUILTINS - known))
