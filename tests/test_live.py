"""The live path: chapter 3 in JupyterLab, in headless Chromium.

JupyterLab is started from this environment on localhost (a throw-away Jupyter
home, a temporary folder of notebook copies; ``tests/jupyterlab_session.py``)
and stopped at the end. The test asserts that

- a chapter opened and saved is unchanged byte for byte (its stored form is what
  JupyterLab writes, ``lstm_tutorial.notebook_files``), even after every figure
  drew and JupyterLab's plotly renderer took its PNG snapshots;
- the chapter run up to its live control draws it; moving the step slider with
  the keyboard and pressing the what-if button update the same view in place
  (``display.LiveFigure``: one plot per step, the current one on top), which
  stays drawn at its full size; once every step is drawn ahead, a move draws
  nothing and only raises its step's plot;
- clicking a static figure's own slider, legend entries and menu buttons leaves
  every figure at its height (none collapses to 0 px);
- the run saved holds no PNG copy of a plotly figure and no live widget view, only
  the control's note (the pre-save hook); reopened, the note says "Run this
  cell" (its page-only sentence stays hidden) and no widget is "not found";
- no JavaScript error was logged and nothing was fetched from outside.

Chapter 6's code box and sampler, and chapter 7's live alignment, are checked
the same way, more briefly: typed code redraws chapter 6's view, a character
outside the alphabet is named, its temperature slider writes a new sample;
chapter 7's step slider reveals the decoder's steps in the browser, a typed
source redraws the view, and a letter outside the alphabet is named.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import offline_browser
import pytest
from jupyterlab_session import (
    ROOT,
    LabPage,
    copy_through,
    jupyterlab,
    server_log,
)

from lstm_tutorial.notebook_files import PLOTLY_MIME, WIDGET_MIME, normalized_text

CHAPTER = ROOT / "book" / "03_lstm.ipynb"
LIVE_CELL = "ch3.SentenceWhatIf("  # the chapter's live control
LIVE = ".lstm-live-figure-plot"  # the live view's visible plot
VIEW = ".lstm-live-figure"  # the live view (one plot per step drawn)

pytestmark = pytest.mark.skipif(
    not Path(sys.executable).with_name("jupyter-lab").exists(),
    reason="JupyterLab is not installed in this environment")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebooks")
    home = tmp_path_factory.mktemp("jupyter-home")
    with jupyterlab(folder, home) as url:
        yield url, folder, home


@pytest.fixture(scope="module")
def chromium():
    with offline_browser.chromium() as browser:
        yield browser


def test_opening_and_saving_a_chapter_changes_nothing(lab, chromium) -> None:
    url, folder, _home = lab
    stored = normalized_text(CHAPTER.read_text(encoding="utf-8"))
    path = folder / "opened.ipynb"
    path.write_text(stored, encoding="utf-8")
    visit = LabPage(chromium, url)
    try:
        visit.open(path.name)
        visit.scroll_through()  # every figure draws (and is snapshotted)
        visit.page.wait_for_function(
            "() => document.querySelectorAll('.jp-RenderedPlotly .main-svg').length"
            " >= 5", timeout=30_000)
        visit.page.wait_for_timeout(1000)
        visit.save()
        assert path.read_text(encoding="utf-8") == stored, \
            "JupyterLab wrote the chapter differently from its stored form"
        assert visit.errors == [], f"JavaScript errors: {visit.errors}"
        assert visit.external == [], f"requests left the machine: {visit.external}"
    finally:
        visit.close()


LIVE_STATE = f"""() => {{ const gd = document.querySelector('{LIVE}');
    const view = document.querySelector('{VIEW}');
    return gd && gd.layout ? {{title: gd.layout.title.text, draws: +view.dataset.draws,
        height: gd.offsetHeight, width: gd.offsetWidth, layoutHeight: gd.layout.height,
        same: view === window.__firstLive,
        shown: view.querySelectorAll('{LIVE}').length,
        top: getComputedStyle(gd).zIndex, ahead: +view.dataset.ahead,
        titleWidth: gd.querySelector('.gtitle').getBBox().width,
        styled: Array.from(gd.querySelectorAll('.main-svg')).every(
            svg => getComputedStyle(svg).position === 'absolute'),
        traces: gd.data.map(t => t.name)}} : null; }}"""

STATIC_SIZES = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly')).map(
    n => n.offsetHeight)"""


def test_live_control_updates_in_place_and_figures_survive_clicks(lab,
                                                                   chromium) -> None:
    url, folder, home = lab
    path = folder / "live.ipynb"
    copy_through(CHAPTER, path, LIVE_CELL)
    visit = LabPage(chromium, url)
    page = visit.page
    try:
        visit.open(path.name)
        visit.run_all()
        page.locator(VIEW).scroll_into_view_if_needed()  # it draws once in view
        page.wait_for_function(
            f"() => {{ const g = document.querySelector('{VIEW}');"
            " return g && +g.dataset.draws > 0; }", timeout=60_000)
        page.evaluate(
            f"() => {{ window.__firstLive = document.querySelector('{VIEW}'); }}")
        first = page.evaluate(LIVE_STATE)
        assert first["title"] == "step 0: 'in'", first
        # its text is drawn and plotly's layers are stacked by plotly's CSS
        assert first["titleWidth"] > 50, first
        assert first["styled"], "plotly's layers are not stacked (its CSS misses)"

        # the live step slider, from the keyboard
        slider = page.locator(".widget-slider", has=page.locator(
            "label", has_text="step t")).locator(".noUi-handle")
        slider.scroll_into_view_if_needed()
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({LIVE_STATE})().title === \"step 3: 'mary'\"",
                               timeout=10_000)
        moved = page.evaluate(LIVE_STATE)
        assert moved["same"], "the slider replaced the view instead of updating it"
        assert moved["shown"] == 1 and moved["top"] == "1" and moved["styled"], moved
        assert moved["height"] == moved["layoutHeight"] > 300, moved
        assert moved["width"] > 400, moved

        # once every step is drawn ahead, a move only raises that step's plot
        page.wait_for_function(f"() => ({LIVE_STATE})().ahead === 15", timeout=60_000)
        drawn = page.evaluate(LIVE_STATE)
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({LIVE_STATE})().title === \"step 4: 'ate'\"",
                               timeout=10_000)
        raised = page.evaluate(LIVE_STATE)
        assert raised["draws"] == drawn["draws"], (drawn, raised)
        assert raised["shown"] == 1 and raised["top"] == "1", raised
        assert raised["titleWidth"] > 50 and raised["styled"], raised
        page.keyboard.press("ArrowLeft")  # back to step 3 for the what-if
        page.wait_for_function(f"() => ({LIVE_STATE})().title === \"step 3: 'mary'\"",
                               timeout=10_000)

        # the what-if button: force the chosen gate at step 3, re-run, redraw
        page.locator("button", has_text="force it at this step").click()
        page.wait_for_function(
            f"() => ({LIVE_STATE})().traces.includes('without the what-if')",
            timeout=10_000)
        forced = page.evaluate(LIVE_STATE)
        assert forced["same"] and forced["height"] == forced["layoutHeight"], forced
        assert page.get_by_text("what-if active").count() == 1

        # static figures: their own sliders, legends and menus
        clicked = check_static_figures(page)
        assert clicked["slider"] >= 1 and clicked["legend"] >= 1 \
            and clicked["menu"] >= 1, f"expected controls not found: {clicked}"
        assert page.evaluate(LIVE_STATE)["height"] > 300

        visit.save()
        saved = json.loads(path.read_text(encoding="utf-8"))
        pngs = [k for k, c in enumerate(saved["cells"]) for o in c.get("outputs", [])
                if PLOTLY_MIME in o.get("data", {}) and "image/png" in o["data"]]
        assert pngs == [], f"cells {pngs} were saved with PNG copies of their figures"
        live_out = [o["data"] for o in saved["cells"][-1]["outputs"] if "data" in o]
        assert any("Run this cell" in "".join(d.get("text/html", "")) for d in live_out)
        assert not any(WIDGET_MIME in d for d in live_out), \
            "a saved live view would read 'model not found' when reopened"
        assert visit.errors == [], f"JavaScript errors: {visit.errors}"
        assert visit.external == [], f"requests left the machine: {visit.external}"

        # the saved copy reopened: the live cell asks to be run, in Jupyter's words
        visit.open(path.name)
        note = page.locator(".live-only").last
        note.scroll_into_view_if_needed()
        assert note.locator(".live-in-jupyter").is_visible()
        assert not note.locator(".live-in-page").is_visible()
        assert page.get_by_text("model not found").count() == 0
    except Exception:
        print(server_log(home))
        raise
    finally:
        visit.close()


def check_static_figures(page) -> dict[str, int]:
    """Click every static figure's slider end, first legend entry and menu
    buttons; after each click every figure must keep its height."""
    figures = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly")
    clicked = {"slider": 0, "legend": 0, "menu": 0}
    for i in range(figures.count()):
        fig = figures.nth(i)
        fig.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        targets = []
        rail = fig.locator(".slider-rail-touch-rect")
        if rail.count():
            targets.append(("slider", rail.first, "end"))
        legend = fig.locator(".legendtoggle")
        if legend.count():
            targets.append(("legend", legend.first, None))
        buttons = fig.locator(".updatemenu-button")
        if buttons.count():
            targets.append(("menu", buttons.last, None))
        for kind, target, where in targets:
            before = page.evaluate(STATIC_SIZES)
            assert before[i] > 50, f"figure {i} is not drawn: {before[i]} px"
            if where == "end":
                box = target.bounding_box()
                page.mouse.click(box["x"] + box["width"] - 3,
                                 box["y"] + box["height"] / 2)
            else:
                target.click()
            page.wait_for_timeout(700)  # the renderer resizes 100 ms after a redraw
            after = page.evaluate(STATIC_SIZES)
            changed = [(k, b, a) for k, (b, a) in enumerate(zip(before, after))
                       if abs(a - b) > 2]
            assert changed == [], \
                f"clicking figure {i}'s {kind} resized figures (index, px): {changed}"
            clicked[kind] += 1
    return clicked


CHAPTER_7 = ROOT / "book" / "07_beyond.ipynb"
ALIGNMENT = f"""() => {{ const gd = document.querySelector('{LIVE}');
    return gd && gd.data ? {{title: gd.layout.title.text, height: gd.offsetHeight,
        rows: gd.data[0].z.filter(r => r.some(v => v !== null)).length,
        cols: gd.data[0].z[0].length}} : null; }}"""


def test_chapter_7s_alignment_follows_its_step_slider_and_its_text_box(
        lab, chromium) -> None:
    """Chapter 7's live alignment: the decoder-step slider reveals rows in the
    browser; a typed source redraws the same view; a bad letter is named."""
    url, folder, home = lab
    path = folder / "live7.ipynb"
    copy_through(CHAPTER_7, path, "reverse.AlignmentControl(")
    visit = LabPage(chromium, url)
    page = visit.page
    try:
        visit.open(path.name)
        visit.run_all()
        page.locator(VIEW).scroll_into_view_if_needed()
        page.wait_for_function(
            f"() => {{ const g = document.querySelector('{VIEW}');"
            " return g && +g.dataset.draws > 0; }", timeout=60_000)
        first = page.evaluate(ALIGNMENT)
        assert first["rows"] == 1 and first["height"] > 300, first
        slider = page.locator(".widget-slider", has=page.locator(
            "label", has_text="decoder step")).locator(".noUi-handle")
        slider.scroll_into_view_if_needed()
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({ALIGNMENT})().rows === 4", timeout=10_000)
        box = page.locator(".widget-text input").last
        box.fill("jihgfedc")
        box.press("Enter")
        page.wait_for_function(
            f"() => ({ALIGNMENT})().title.includes('jihgfedc')", timeout=20_000)
        assert page.evaluate(ALIGNMENT)["cols"] == 8
        box.fill("xyz")
        box.press("Enter")
        page.get_by_text("unknown character 'x'").wait_for(timeout=10_000)
        assert visit.errors == [], f"JavaScript errors: {visit.errors}"
        assert visit.external == [], f"requests left the machine: {visit.external}"
    except Exception:
        print(server_log(home))
        raise
    finally:
        visit.close()


CHAPTER_6 = ROOT / "book" / "06_learning_to_code.ipynb"


def test_chapter_6s_code_box_recomputes_and_its_sampler_follows_the_slider(
        lab, chromium) -> None:
    """Chapter 6's live controls: code typed into the box is redrawn in the same
    view, a character outside the alphabet is named, and moving the sampler's
    temperature slider writes a new sample."""
    url, folder, home = lab
    path = folder / "live6.ipynb"
    copy_through(CHAPTER_6, path, "ch6.Sampler(")
    visit = LabPage(chromium, url)
    page = visit.page
    draws = (f"() => {{ const g = document.querySelector('{VIEW}');"
             " return g ? +g.dataset.draws || 0 : 0; }")
    try:
        visit.open(path.name)
        visit.run_all()
        page.locator(VIEW).first.scroll_into_view_if_needed()
        page.wait_for_function(f"() => ({draws})() > 0", timeout=120_000)
        before = page.evaluate(draws)
        box = page.locator(".widget-textarea textarea").first
        box.fill("def area(w, h):\n    return (w * h) / 2\n")
        box.press("Tab")  # the box sends its text when it loses focus
        page.wait_for_function(f"() => ({draws})() > {before}", timeout=30_000)
        box.fill("x = 'λ'\n")
        box.press("Tab")
        page.get_by_text("unknown character 'λ'").wait_for(timeout=20_000)
        sample = page.locator(".widget-html pre").last
        first = sample.inner_text()
        assert first.startswith("def "), first[:80]
        handle = page.locator(".widget-slider", has=page.locator(
            "label", has_text="temperature")).locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(old) => { const p = [...document.querySelectorAll('.widget-html pre')]"
            ".pop(); return p && p.innerText !== old; }", arg=first, timeout=30_000)
        assert visit.errors == [], f"JavaScript errors: {visit.errors}"
        assert visit.external == [], f"requests left the machine: {visit.external}"
    except Exception:
        print(server_log(home))
        raise
    finally:
        visit.close()
