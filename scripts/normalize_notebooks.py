"""Store the chapters in the form JupyterLab writes them (idempotent).

nbconvert keeps whole-number floats as ``0.0``; JupyterLab writes ``0`` and its own
kernelspec name, so a chapter saved by nbconvert changes when a reader opens and
saves it. Run this after re-executing chapters:

    .venv/bin/python scripts/normalize_notebooks.py            # rewrite book/*.ipynb
    .venv/bin/python scripts/normalize_notebooks.py --check    # only check: exit 1


See ``lstm_tutorial.notebook_files``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstm_tutorial.notebook_files import normalized_text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="notebooks to normalise (default: book/*.ipynb)")
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 if a notebook is not normalised")
    args = ap.parse_args()
    paths = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = normalized_text(text)
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "normalised"
    for path in changed:
        print(f"{verb}: {path}")
    if not changed:
        print(f"all {len(paths)} notebooks are in JupyterLab's form")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
