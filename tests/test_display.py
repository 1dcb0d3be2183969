"""show() and live(): one output that works live and in the rendered book."""

import re

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest
import traitlets

from lstm_tutorial import display
from lstm_tutorial.activations import ACTIVATIONS, activations_figure


def test_figure_bundle_has_json_html_and_text():
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), layout_title_text="t")
    bundle = display.figure_bundle(fig)
    assert set(bundle) == {display.PLOTLY_MIME, "text/html", "text/plain"}
    assert bundle[display.PLOTLY_MIME]["data"][0]["y"] == [3, 4]
    html = bundle["text/html"]
    assert 'class="plotly-graph-div"' in html and "Plotly.newPlot" in html
    assert "<script src=" not in html, "the fragment must not load plotly.js"
    assert len(html) < 10_000, "plotly.js must not be inlined"
    assert bundle["text/plain"] == "<plotly figure: t>"


def test_div_id_is_stable_for_one_figure_and_differs_between_figures():
    a = go.Figure(go.Scatter(y=[1, 2]))
    b = go.Figure(go.Scatter(y=[1, 3]))
    ids = [re.search(r'id="(fig-[0-9a-f]+)"', display.figure_html(f)).group(1)
           for f in (a, a, b)]
    assert ids[0] == ids[1] != ids[2]


def test_live_bundle_offers_widget_and_note():
    w = widgets.IntSlider()
    bundle = display.live_bundle(w, "A slider <b>.")
    assert bundle[display.WIDGET_MIME]["model_id"] == w.model_id
    assert "Runs live" in bundle["text/html"]
    assert "A slider &lt;b&gt;." in bundle["text/html"]  # escaped


def test_bad_objects_are_refused():
    with pytest.raises(TypeError, match="go.Figure"):
        display.figure_bundle({"data": []})
    with pytest.raises(TypeError, match="ipywidgets widget"):
        display.live_bundle(object(), "x")


def test_activation_figure_curves_and_slider_values():
    fig = activations_figure(x_max=5.0, n_slider=21)
    names = [t.name for t in fig.data[:3]]
    assert names == list(ACTIVATIONS)
    x = np.asarray(fig.data[0].x)
    np.testing.assert_allclose(fig.data[0].y, 1 / (1 + np.exp(-x)), atol=1e-4)
    np.testing.assert_allclose(fig.data[1].y, np.tanh(x), atol=1e-4)
    np.testing.assert_allclose(fig.data[2].y, np.maximum(0, x), atol=1e-4)
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 21
    assert all(list(step.args[2]) == [3, 4, 5] for step in steps), \
        "slider steps must move only the markers, never the curves"
    last = steps[-1].args[0]
    x0 = last["x"][0][0]
    assert x0 == pytest.approx(4.0)
    assert last["y"][1][0] == pytest.approx(np.tanh(4.0), abs=1e-4)
    slopes = fig.layout.updatemenus[0].buttons[1].args[0]["y"][0]
    np.testing.assert_allclose(
        slopes, (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x))), atol=1e-4)
    assert max(slopes) <= 0.25 + 1e-9


def test_activation_figure_rejects_bad_ranges():
    with pytest.raises(ValueError, match="x_max > 0"):
        activations_figure(x_max=0)


def test_config_reaches_both_json_and_html():
    fig = go.Figure(go.Scatter(y=[1, 2]))
    bundle = display.figure_bundle(fig, {"displayModeBar": False})
    assert bundle[display.PLOTLY_MIME]["config"]["displayModeBar"] is False
    assert bundle[display.PLOTLY_MIME]["config"]["displaylogo"] is False
    assert '"displayModeBar": false' in bundle["text/html"]
    assert "displayModeBar" not in display.figure_bundle(fig)["text/html"]


def test_jupyter_json_is_not_responsive_but_the_page_is():
    """JupyterLab's renderer resizes figures itself; a responsive figure there
    collapses to 0 px at its first click. The page keeps responsive (fixed-height
    div, plotly-fit.js)."""
    fig = go.Figure(go.Scatter(y=[1, 2]), layout_height=300)
    bundle = display.figure_bundle(fig)
    assert bundle[display.PLOTLY_MIME]["config"]["responsive"] is False
    assert '"responsive": true' in bundle["text/html"]
    assert "height:300px" in bundle["text/html"].replace(" ", "")


def test_live_note_speaks_to_each_reader():
    note = display.live_bundle(widgets.IntSlider(), "A slider.")["text/html"]
    assert "Runs live in Jupyter" in note
    jupyter = re.search(r'<span class="live-in-jupyter">(.*?)</span>', note).group(1)
    page = re.search(r'<span class="live-in-page" hidden>(.*?)</span>', note).group(1)
    assert "Run this cell" in jupyter and "JupyterLab" not in jupyter
    assert "runs live in Jupyter" in page


def test_live_figure_updates_one_spec_and_serves_plotly_js():
    fig = go.Figure(go.Scatter(y=[1, 2]), layout_title_text="a")
    view = display.LiveFigure(fig, {"displayModeBar": False})
    assert view.spec_dict()["layout"]["title"]["text"] == "a"
    assert view.config == {"displaylogo": False, "responsive": False,
                           "displayModeBar": False}
    view.update(go.Figure(go.Scatter(y=[3, 4]), layout_title_text="b"))
    assert view.spec_dict()["data"][0]["y"] == [3, 4]
    sent = []
    view.send = lambda content, buffers=None: sent.append((content, buffers))
    view._on_message(view, {"type": "plotly.js?"}, [])
    view._on_message(view, {"type": "other"}, [])
    assert len(sent) == 1 and sent[0][0] == {"type": "plotly.js"}
    assert sent[0][1][0][:200].decode().find("plotly.js v") >= 0
    with pytest.raises(TypeError, match="go.Figure"):
        view.update({"data": []})


def test_at_frame_merges_the_frames_traces_and_layout():
    spec = {"data": [{"type": "heatmap", "z": [[0]], "name": "a"},
                     {"type": "scatter", "x": [0], "y": [1.5]}],
            "layout": {"title": {"text": "step 0"}, "height": 300},
            "frames": [{"traces": [1], "data": [{"x": [0]}], "layout": {}},
                       {"traces": [0, 1], "data": [{"z": [[7]]}, {"x": [1]}],
                        "layout": {"title": {"text": "step 1"}}}]}
    one = display.at_frame(spec, 1)
    assert one["data"][0] == {"type": "heatmap", "z": [[7]], "name": "a"}
    assert one["data"][1]["x"] == [1] and one["data"][1]["y"] == [1.5]
    assert one["layout"] == {"title": {"text": "step 1"}, "height": 300}
    assert "frames" not in one
    assert spec["data"][0]["z"] == [[0]] and len(spec["frames"]) == 2  # unchanged
    for k in (None, 2, -1):  # no frame, or no such frame: the figure as it is
        assert display.at_frame(spec, k) == {"data": spec["data"],
                                             "layout": spec["layout"]}


def test_live_figure_shows_the_frame_of_its_control():
    fig = go.Figure([go.Scatter(x=[0], y=[0])], layout_title_text="t = 0",
                    frames=[go.Frame(data=[go.Scatter(x=[t])], traces=[0],
                                     layout={"title": {"text": f"t = {t}"}})
                            for t in range(3)])
    slider = widgets.IntSlider(min=0, max=2)
    view = display.LiveFigure(fig, control=slider)
    assert view.control is slider
    slider.value = 2
    shown = view.spec_dict()
    assert shown["data"][0]["x"] == [2] and shown["layout"]["title"]["text"] == "t = 2"
    assert display.LiveFigure(fig).spec_dict()["data"][0]["x"] == [0]  # no control
    with pytest.raises(traitlets.TraitError, match="IntSlider"):
        display.LiveFigure(fig, control=widgets.FloatSlider())
