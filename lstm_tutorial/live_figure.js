// The browser half of display.LiveFigure: one plotly figure that a live control
// redraws in place. Python sets the trait `spec` (the figure as plotly JSON text);
// this view calls Plotly.react on the plot it has, so a new figure changes data
// and titles, never the view. plotly.js comes from the kernel once per page
// (the copy inside the installed plotly package), so nothing is fetched from a CDN
// and no saved notebook carries it.
//
// Size: each plot gets the width of its output area and the figure's own height,
// both written into the layout (autosize off), so no resize can collapse it.
//
// Following a control (trait `control`, an IntSlider): the figure carries one
// plotly frame per slider value; on a move of the slider this view shows that
// frame itself (the same merge as display.at_frame), so no message goes to the
// kernel and back. A full plotly redraw of a step view takes 100 ms or more in
// JupyterLab, so each frame gets its own plot, drawn once: the current one
// first, then, one per animation frame while nothing else is asked, the others
// nearest it (at most AHEAD). The plots are stacked layers; a move raises the
// one of the new value, which costs no drawing and no painting. A move to a
// frame not drawn yet (or a new figure) draws it; moves that arrive meanwhile
// are coalesced: only the latest value is shown next.
//
// Nothing is drawn while the view is not rendered (JupyterLab skips the cells
// out of view, content-visibility: auto): no plotly work for a plot nobody sees,
// and the steps are drawn ahead only while the view is on screen. It draws when
// it comes in view.

const CACHE = "__insideLstmPlotly";  // page-wide: {promise, plotly}
const WAIT_MS = 20000;  // a request the kernel never answered is retried after this
const AHEAD = 24;  // frames kept drawn besides the current one (a layer each)

function loadPlotly(model) {
  const cache = (globalThis[CACHE] = globalThis[CACHE] || {});
  if (cache.plotly) return Promise.resolve(cache.plotly);
  if (cache.promise && Date.now() - cache.asked < WAIT_MS) return cache.promise;
  cache.asked = Date.now();
  cache.promise = new Promise((resolve, reject) => {
    const onMessage = (msg, buffers) => {
      if (!msg || msg.type !== "plotly.js") return;
      model.off("msg:custom", onMessage);
      try {
        const code = new TextDecoder().decode(buffers[0]);
        const module = { exports: {} };  // plotly.min.js is a UMD bundle
        new Function("module", "exports", "define", code)(module, module.exports);
        cache.plotly = module.exports;
        resolve(cache.plotly);
      } catch (err) {
        cache.promise = null;
        reject(err);
      }
    };
    model.on("msg:custom", onMessage);
    model.send({ type: "plotly.js?" });
  });
  return cache.promise;
}

// plotly JSON `spec` at frame k: the listed traces and the layout take the
// frame's top-level keys (display.at_frame does the same in Python)
function atFrame(spec, k) {
  const frames = spec.frames || [];
  const frame = k === null ? undefined : frames[k];
  const data = (spec.data || []).slice();
  const layout = Object.assign({}, spec.layout || {});
  if (frame) {
    (frame.traces || []).forEach((index, j) => {
      data[index] = Object.assign({}, data[index], frame.data[j]);
    });
    Object.assign(layout, frame.layout || {});
  }
  return { data, layout };
}

// the widget model behind a reference "IPY_MODEL_<id>" (null: none)
function modelOf(model, ref) {
  if (typeof ref !== "string" || !ref.startsWith("IPY_MODEL_")) {
    return Promise.resolve(null);
  }
  return model.widget_manager.get_model(ref.slice("IPY_MODEL_".length));
}

function render({ model, el }) {
  el.classList.add("lstm-live-figure");
  const note = document.createElement("div");
  note.textContent = "Drawing the figure (run this cell if it stays empty)...";
  note.style.cssText = "color: #777; font-size: 0.9em; padding: 4px 0;";
  // one plot per drawn frame, stacked; the visible one has class PLOT
  const stage = document.createElement("div");
  stage.className = "lstm-live-figure-stage";
  // a redraw lays out this box only, not the notebook around it
  stage.style.cssText = "position: relative; contain: layout paint;";
  el.append(note, stage);
  const PLOT = "lstm-live-figure-plot";
  const AWAY = "lstm-live-figure-ahead";

  let Plotly = null;
  let alive = true;
  let busy = false;
  let again = false;
  let asked = false;  // a draw is asked for the next animation frame
  let width = 0;
  let control = null;  // the followed slider's model
  let text = null;  // the spec drawn from, and its parse
  let spec = {};
  let revision = 0;  // counts changes of spec and config: older plots are stale
  const plots = new Map();  // frame index (null: no control) -> {gd, revision, width}
  let front = null;  // the visible plot

  // for benchmarks/bench_live.py and tests/test_live.py: plots drawn, the last
  // draw's Plotly.react time (ms), the frame shown, frames drawn for this figure
  el.dataset.draws = "0";

  function frameCount() {
    return control && spec.frames ? spec.frames.length : 0;
  }

  function current() {
    if (!control) return null;
    const k = control.get("value");
    return k >= 0 && k < frameCount() ? k : null;
  }

  // false while the view's cell is skipped (out of view) or not displayed
  function rendered() {
    return !el.checkVisibility || el.checkVisibility({ contentVisibilityAuto: true });
  }

  function fresh(p) {
    return p && p.revision === revision && p.width === width;
  }

  async function drawFrame(k) {
    let p = plots.get(k);
    if (!p) {
      const gd = document.createElement("div");
      gd.classList.add(AWAY);
      // each plot its own opaque layer, stacked: showing one raises it, so the
      // compositor swaps layers already painted instead of painting a plot
      gd.style.cssText = "position: absolute; top: 0; left: 0; z-index: 0;"
        + " will-change: transform; background: white;";
      stage.append(gd);
      p = { gd, revision: -1, width: 0 };
      plots.set(k, p);
    }
    const shown = atFrame(spec, k);
    const layout = shown.layout;
    layout.height = layout.height || 450;
    layout.width = width;
    layout.autosize = false;
    stage.style.height = `${layout.height}px`;
    p.gd.style.height = `${layout.height}px`;
    p.gd.style.width = `${width}px`;
    const config = Object.assign({}, model.get("config") || {}, {
      responsive: false,
    });
    const drawn = { revision, width };
    const t0 = performance.now();
    await Plotly.react(p.gd, {
      data: shown.data, layout, config, frames: control ? undefined : spec.frames,
    });
    Object.assign(p, drawn);
    el.dataset.reactMs = (performance.now() - t0).toFixed(1);
    el.dataset.draws = String(Number(el.dataset.draws) + 1);
  }

  function show(k) {
    const p = plots.get(k);
    if (p !== front) {
      // classList, not className: plotly's own classes (js-plotly-plot) stay
      if (front) {
        front.gd.classList.replace(PLOT, AWAY);
        front.gd.style.zIndex = "0";
      }
      p.gd.classList.replace(AWAY, PLOT);
      p.gd.style.zIndex = "1";
      front = p;
    }
    el.dataset.frame = k === null ? "" : String(k);
    note.remove();
  }

  // the undrawn frame nearest k, within the AHEAD nearest; drop plots beyond them
  function nextAhead(k) {
    if (k === null) return undefined;
    const near = [...Array(frameCount()).keys()]
      .sort((a, b) => Math.abs(a - k) - Math.abs(b - k)).slice(0, AHEAD + 1);
    for (const [j, p] of plots) {
      if (!near.includes(j) && p !== front) {
        Plotly.purge(p.gd);
        p.gd.remove();
        plots.delete(j);
      }
    }
    el.dataset.ahead = String(near.filter((j) => fresh(plots.get(j))).length);
    return near.find((j) => !fresh(plots.get(j)));
  }

  // a frame passes (input gets in) before the next plot is drawn ahead
  const pause = () => new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
  });

  async function work() {
    if (!Plotly || !alive || !rendered()) return;
    const w = Math.floor(el.clientWidth);
    if (Math.abs(w - width) > 1) width = w;  // a new width: every plot is stale
    if (width < 10) return;
    if (busy) {  // a newer spec or value arrived meanwhile: seen at the next turn
      again = true;
      return;
    }
    busy = true;
    try {
      while (alive) {
        again = false;
        if (model.get("spec") !== text) {
          text = model.get("spec");
          spec = JSON.parse(text || "{}");
        }
        const k = current();
        if (!fresh(plots.get(k))) await drawFrame(k);
        show(k);
        if (again) continue;
        const j = nextAhead(k);
        if (j === undefined) break;
        await pause();
        if (again || !alive) continue;
        if (!rendered()) break;  // drawn on: when it comes in view
        await drawFrame(j);
      }
    } finally {
      busy = false;
    }
  }

  // a move to a frame already drawn shows it at once (even while another plot
  // is drawn ahead); other changes within one animation frame (a drag, a burst
  // of messages) make one turn of work
  function ask() {
    const k = current();
    if (Plotly && fresh(plots.get(k)) && model.get("spec") === text) {
      show(k);
      if (busy || nextAhead(k) === undefined) return;
    }
    if (asked) return;
    asked = true;
    requestAnimationFrame(() => {
      asked = false;
      work();
    });
  }

  // follow the control's value in the browser
  async function follow() {
    if (control) control.off("change:value", ask);
    control = await modelOf(model, model.get("control"));
    if (!alive) return;
    if (control) control.on("change:value", ask);
    ask();
  }

  const observer = new ResizeObserver(() => {
    if (rendered() && Math.abs(Math.floor(el.clientWidth) - width) > 1) ask();
  });
  observer.observe(el);
  const seen = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) ask();
  });
  seen.observe(el);
  const changed = () => {
    revision += 1;
    ask();
  };
  model.on("change:spec", changed);
  model.on("change:config", changed);
  model.on("change:control", follow);
  follow();
  loadPlotly(model).then(
    (p) => {
      Plotly = p;
      ask();
    },
    (err) => {
      note.textContent = `Cannot load plotly.js: ${err}`;
    },
  );
  return () => {
    alive = false;
    observer.disconnect();
    seen.disconnect();
    model.off("change:spec", changed);
    model.off("change:config", changed);
    model.off("change:control", follow);
    if (control) control.off("change:value", ask);
    if (Plotly) plots.forEach((p) => Plotly.purge(p.gd));
  };
}

export default { render };
