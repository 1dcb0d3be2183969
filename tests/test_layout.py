"""The package is laid out like the book: generic modules below chapter homes.

- No generic module imports a chapter's home; a chapter's home imports generic
  modules and its own submodules, never another chapter's.
- The import graph has no loop, and every import sits at the top of its module.
- No module is much longer than 600 lines.
- The package docstring and the README's module table name every module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "lstm_tutorial"
MAX_LINES = 650  # "about 600": split by reason to change, not by line count alone


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def resolve(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module name an ImportFrom refers to."""
    if not node.level:
        return node.module or ""
    is_pkg = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    base = base[: len(base) - node.level + (1 if is_pkg else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str) -> tuple[set[str], list[int]]:
    """Package modules imported by a module, and the lines of nested imports."""
    tree = ast.parse(MODULES[name].read_text())
    found: set[str] = set()
    nested: list[int] = []
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = resolve(name, node)
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        if id(node) not in top:
            nested.append(node.lineno)
        found |= {t for t in targets if t in MODULES and t != name}
    return found, nested


GRAPH = {name: imports_of(name)[0] for name in MODULES}


def chapter_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "chapters" else None


def test_generic_modules_never_import_a_chapter():
    for name, deps in GRAPH.items():
        if chapter_of(name) is None:
            bad = sorted(d for d in deps if chapter_of(d) is not None)
            assert not bad, f"{name} (generic) imports chapter code {bad}"


def test_chapters_import_only_generic_modules_and_their_own_parts():
    for name, deps in GRAPH.items():
        mine = chapter_of(name)
        if mine is None:
            continue
        bad = sorted(d for d in deps if chapter_of(d) not in (None, mine))
        assert not bad, f"{name} imports another chapter's code {bad}"


def test_the_import_graph_has_no_loop():
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(GRAPH[node]):
            if dep.startswith(node + "."):  # a package importing its own parts
                continue
            if state.get(dep) == 1:
                pytest.fail(f"import loop: {' -> '.join(path + [node, dep])}")
            if dep not in state:
                visit(dep, path + [node])
        state[node] = 2

    for name in GRAPH:
        if name not in state:
            visit(name, [])


def test_imports_sit_at_the_top_of_every_module():
    nested = {n: imports_of(n)[1] for n in MODULES}
    assert {n: lines for n, lines in nested.items() if lines} == {}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_much_longer_than_600_lines(name):
    n = len(MODULES[name].read_text().splitlines())
    assert n <= MAX_LINES, f"{name} has {n} lines; split it by reason to change"


def generic_modules() -> list[str]:
    return sorted(n.split(".")[1] for n in MODULES
                  if n.count(".") == 1 and chapter_of(n) is None
                  and n != "lstm_tutorial.chapters")


def test_package_docstring_names_every_module():
    import lstm_tutorial

    doc = lstm_tutorial.__doc__
    missing = [m for m in generic_modules() if f"``{m}``" not in doc]
    homes = sorted({chapter_of(n) for n in MODULES} - {None})
    missing += [h for h in homes if f"``{h}``" not in doc]
    assert not missing, f"lstm_tutorial's docstring does not name {missing}"


def test_readme_table_names_every_module_and_where_chapter_code_goes():
    readme = (ROOT / "README.md").read_text()
    missing = [m for m in generic_modules() if f"`{m}`" not in readme]
    homes = sorted({chapter_of(n) for n in MODULES} - {None})
    missing += [h for h in homes if f"`{h}`" not in readme]
    assert not missing, f"README's module table does not name {missing}"
    assert "lstm_tutorial/chapters/" in readme
