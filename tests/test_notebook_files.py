"""Chapters are stored as JupyterLab writes them, and saves drop plotly snapshots.

The form itself (numbers as JavaScript writes them, the kernelspec, one final
newline) is checked against a real JupyterLab by ``tests/test_live.py``, which
opens a normalised chapter, saves it and compares the bytes.
"""

import json
from pathlib import Path

import pytest

from lstm_tutorial import notebook_files as nf

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_stored_as_jupyterlab_saves_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert nf.normalized_text(text) == text, (
        f"{path.name} would change when opened and saved in JupyterLab: run "
        ".venv/bin/python scripts/normalize_notebooks.py")


def test_chapters_hold_no_plotly_snapshots() -> None:
    for path in CHAPTERS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nf.strip_plotly_snapshots(nb) == 0, f"{path.name} has PNG copies"


def test_whole_floats_become_ints_as_in_javascript() -> None:
    value = {"a": [0.0, -0.0, 1.5, 2.0, 1e-05, 3, True, "0.0"], "b": {"c": 1e22}}
    assert nf.js_numbers(value) == {"a": [0, 0, 1.5, 2, 1e-05, 3, True, "0.0"],
                                    "b": {"c": 1e22}}
    assert isinstance(nf.js_numbers(2.0), int)
    assert isinstance(nf.js_numbers(1e22), float)


NOTE = '<div class="live-only admonition note">Runs live</div>'


def notebook_with_figure() -> dict:
    spec = {"data": [{"y": [1.0, 2.0]}], "layout": {"height": 300.0}}
    return {"cells": [{"cell_type": "code", "execution_count": 1, "id": "a",
                       "metadata": {}, "source": "show(fig)",
                       "outputs": [{"output_type": "display_data", "metadata": {},
                                    "data": {nf.PLOTLY_MIME: spec,
                                             "image/png": "iVBOR",
                                             "text/plain": "fig"}}]},
                      {"cell_type": "code", "execution_count": 3, "id": "c",
                       "metadata": {}, "source": "live(w)",
                       "outputs": [{"output_type": "display_data", "metadata": {},
                                    "data": {nf.WIDGET_MIME: {"model_id": "x"},
                                             "text/html": NOTE,
                                             "text/plain": "[live control]"}},
                                   {"output_type": "display_data", "metadata": {},
                                    "data": {nf.WIDGET_MIME: {"model_id": "y"},
                                             "text/plain": "progress"}}]},
                      {"cell_type": "code", "execution_count": 2, "id": "b",
                       "metadata": {}, "source": "plt.show()",
                       "outputs": [{"output_type": "display_data", "metadata": {},
                                    "data": {"image/png": "keep"}}]}],
            "metadata": {"kernelspec": {"display_name": "Python 3",
                                        "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def test_jupyterlab_form_is_idempotent_and_drops_only_plotly_pngs() -> None:
    text = json.dumps(notebook_with_figure())
    once = nf.normalized_text(text)
    assert nf.normalized_text(once) == once
    nb = json.loads(once)
    data = nb["cells"][0]["outputs"][0]["data"]
    assert "image/png" not in data and data[nf.PLOTLY_MIME]["layout"]["height"] == 300
    assert '"height": 300\n' in once
    assert nb["cells"][2]["outputs"][0]["data"]["image/png"] == "keep"
    live, progress = (o["data"] for o in nb["cells"][1]["outputs"])
    assert set(live) == {"text/html", "text/plain"}, "the live note replaces the view"
    assert nf.WIDGET_MIME in progress, "other widget views are kept"
    assert nb["metadata"]["kernelspec"] == nf.KERNELSPEC
    assert once.endswith("}\n")


def test_pre_save_hook_strips_snapshots_from_the_saved_model() -> None:
    model = {"type": "notebook", "content": notebook_with_figure()}
    nf.pre_save(model=model, path="x.ipynb", contents_manager=None)
    outputs = [o for c in model["content"]["cells"] for o in c["outputs"]]
    assert ["image/png" in o["data"] for o in outputs] == [False, False, False, True]
    assert [nf.WIDGET_MIME in o["data"] for o in outputs] == [False, False, True,
                                                             False]
    text_file = {"type": "file", "content": "image/png"}
    nf.pre_save(model=text_file, path="x.txt")
    assert text_file["content"] == "image/png"


def test_server_config_names_the_hook() -> None:
    from traitlets.utils.importstring import import_item

    config = ROOT / "etc/jupyter/jupyter_server_config.json"
    hook = json.loads(config.read_text())["ContentsManager"]["pre_save_hook"]
    assert import_item(hook) is nf.pre_save
