// The browser half of display.LiveFigure: one plotly figure that a live control
// redraws in place. Python sets the trait `spec` (the figure as plotly JSON text);
// this view calls Plotly.react on the same div, so a slider move changes data and
// titles, never the whole plot. plotly.js comes from the kernel once per page
// (the copy inside the installed plotly package), so nothing is fetched from a CDN
// and no saved notebook carries it.
//
// Size: the div gets the width of its output area and the figure's own height,
// both written into the layout (autosize off), so no resize can collapse it.
//
// Following a control (trait `control`, an IntSlider): the figure carries one
// plotly frame per slider value; on a move of the slider this view draws that
// frame itself (the same merge as display.at_frame), so no message goes to the
// kernel and back. Moves that arrive while a draw runs are coalesced: only the
// latest value is drawn next.

const CACHE = "__insideLstmPlotly";  // page-wide: {promise, plotly}
const WAIT_MS = 20000;  // a request the kernel never answered is retried after this

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
  const gd = document.createElement("div");
  gd.className = "lstm-live-figure-plot";
  // a redraw lays out this box only, not the notebook around it
  gd.style.contain = "layout paint";
  el.append(note, gd);

  let Plotly = null;
  let alive = true;
  let busy = false;
  let again = false;
  let width = 0;
  let control = null;  // the followed slider's model
  let text = null;  // the spec drawn from, and its parse
  let spec = {};
  let asked = false;  // a draw is asked for the next animation frame
  gd.dataset.draws = "0";

  // timings for benchmarks/bench_live.py: when the last spec arrived, how long
  // the last Plotly.react took (ms, the page's clock), which frame is drawn
  const arrived = () => { gd.dataset.specAt = String(performance.now()); };
  model.on("change:spec", arrived);

  async function draw() {
    if (!Plotly || !alive || width < 10) return;
    if (busy) {  // a newer spec or frame arrived while drawing: draw only the latest
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        if (model.get("spec") !== text) {
          text = model.get("spec");
          spec = JSON.parse(text || "{}");
        }
        const k = control ? control.get("value") : null;
        const shown = atFrame(spec, k);
        const layout = shown.layout;
        layout.height = layout.height || 450;
        layout.width = width;
        layout.autosize = false;
        gd.style.height = `${layout.height}px`;
        gd.style.width = `${width}px`;
        const config = Object.assign({}, model.get("config") || {}, {
          responsive: false,
        });
        const t0 = performance.now();
        await Plotly.react(gd, {
          data: shown.data, layout, config,
          frames: control ? undefined : spec.frames,
        });
        gd.dataset.reactMs = (performance.now() - t0).toFixed(1);
        gd.dataset.draws = String(Number(gd.dataset.draws) + 1);
        gd.dataset.frame = k === null ? "" : String(k);
        note.remove();
      } while (again && alive);
    } finally {
      busy = false;
    }
  }

  // changes within one animation frame (a drag, a burst of messages): one draw
  function ask() {
    if (asked) return;
    asked = true;
    requestAnimationFrame(() => {
      asked = false;
      draw();
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
    const w = Math.floor(el.clientWidth);
    if (Math.abs(w - width) > 1) {
      width = w;
      draw();
    }
  });
  observer.observe(el);
  model.on("change:spec", ask);
  model.on("change:config", ask);
  model.on("change:control", follow);
  follow();
  loadPlotly(model).then(
    (p) => {
      Plotly = p;
      width = Math.floor(el.clientWidth);
      draw();
    },
    (err) => {
      note.textContent = `Cannot load plotly.js: ${err}`;
    },
  );
  return () => {
    alive = false;
    observer.disconnect();
    model.off("change:spec", ask);
    model.off("change:spec", arrived);
    model.off("change:config", ask);
    model.off("change:control", follow);
    if (control) control.off("change:value", ask);
    if (Plotly) Plotly.purge(gd);
  };
}

export default { render };
