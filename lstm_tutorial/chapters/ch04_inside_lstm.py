"""Chapter 4: measurements for opening trained character models, unit by unit.

``neurons`` ranks units by their correlation with a task variable; the functions
here answer the follow-up questions a chapter asks once a unit is found:

- ``stats_by_char(values, texts, chars)``: what a gate or state does on each
  input character (mean and spread per unit), e.g. the input gate on X vs on a;
- ``eta_squared(values, groups)``: how much of the spread of some states one
  grouping explains (1: states of the same group are identical);
- ``next_char_units(values, texts, chars)``: for each character, the unit that
  best predicts it is *next*, and how that unit relates to the *current* one;
- ``complete(model, task, prompt, overrides)``: greedy generation in the numpy
  replay, with what-if overrides of any gate (switch a unit off, see what the
  model writes);
- ``counting_rows(task, ns, write)``: N against what a model writes after
  ``"a"*N + delimiter``, far past the training range;
- ``counter_steps(model, task, unit)``: what a counting cell writes per a and
  per b (its write ``c_t - f_t c_{t-1}``) and its forget gate;
  ``leak_cost``: how many steps of the count the forget gate loses;
- ``gate_share(i_on, g_on, i_off, g_off)``: whether a unit keeps a character
  out with its input gate or with its candidate;
- ``models_explorer(views)``: one figure over several models, with buttons for
  the model and a dropdown for the quantity and unit.

Values follow the traces: (B, T, H) arrays (or (T, H) for one text) whose row b
lines up with the characters of ``texts[b]``; steps past a text's end (padding)
are left out.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

from lstm_tutorial import neurons, viz
from lstm_tutorial.cells import Override, SequenceModel, Trace
from lstm_tutorial.tasks import Task

__all__ = [
    "CharStats",
    "stats_by_char",
    "eta_squared",
    "NextCharUnit",
    "next_char_units",
    "complete",
    "CountingRow",
    "counting_rows",
    "CounterSteps",
    "counter_steps",
    "leak_cost",
    "gate_share",
    "ExplorerView",
    "models_explorer",
]


# ----------------------------------------------------------------- per character


class CharStats(NamedTuple):
    """A quantity summarised over the steps reading one character."""

    mean: Any  # (H,) mean over those steps per unit (a float for one unit)
    std: Any  # (H,) standard deviation over those steps (a float for one unit)
    n: int  # how many steps read the character


def _values_and_texts(values: Any, texts: str | Sequence[str]) -> tuple[
        np.ndarray, list[str], bool]:
    """(B, T, H) float values, B texts, and whether the values were one unit's.

    2-D values are (B, T) for one unit when several texts are given, else (T, H).
    """
    texts = [texts] if isinstance(texts, str) else list(texts)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts must be a str or a non-empty list of str")
    v = np.asarray(values, dtype=float)
    one_unit = v.ndim == 2 and len(texts) > 1
    if v.ndim == 2:
        v = v[..., None] if one_unit else v[None]
    if v.ndim != 3:
        raise ValueError(f"values must have shape (T, H), (B, T) or (B, T, H), "
                         f"got {v.shape}")
    if v.shape[0] != len(texts):
        raise ValueError(f"values hold {v.shape[0]} sequence(s) but texts "
                         f"{len(texts)}; give one text per row")
    longest = max(len(t) for t in texts)
    if longest > v.shape[1]:
        raise ValueError(f"a text has {longest} characters but values only "
                         f"{v.shape[1]} steps")
    return v, texts, one_unit


def stats_by_char(values: Any, texts: str | Sequence[str],
                  chars: Iterable[str] | None = None) -> dict[str, CharStats]:
    """Per input character: mean and std of every unit over the steps reading it.

    values: (B, T, H) or, for one text, (T, H), e.g. ``trace.i``; or one unit's
    (B, T), e.g. ``trace.i[..., 7]`` (then mean and std are floats). texts: what
    the model read, one per row (``text[:-1]`` of a task text). chars: which
    characters (default: every character that occurs, in order of first
    appearance). A character that never occurs raises ValueError.
    """
    v, texts, one_unit = _values_and_texts(values, texts)
    if chars is None:
        chars = dict.fromkeys("".join(texts))
    out = {}
    for ch in chars:
        rows = [v[b, [t for t, c in enumerate(s) if c == ch]] for b, s in
                enumerate(texts)]
        picked = np.concatenate(rows, axis=0)  # (n, H)
        if len(picked) == 0:
            raise ValueError(f"character {ch!r} does not occur in the texts")
        mean, std = picked.mean(axis=0), picked.std(axis=0)  # (H,)
        if one_unit:
            mean, std = float(mean[0]), float(std[0])
        out[ch] = CharStats(mean, std, len(picked))
    return out


# ----------------------------------------------------------------- groups of states


def eta_squared(values: Any, groups: Sequence[Any]) -> float:
    """The share of the spread of ``values`` explained by ``groups``:

        eta^2 = 1 - within / total
        within = sum_g sum_{n in g} ||v_n - mean_g||^2
        total = sum_n ||v_n - mean||^2

    values: (n,) numbers or (n, H) state vectors, one per item;
    groups: n labels (e.g. the count N of each text). 1 means items of
    the same group have identical values; 0 means the group means are
    all equal.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2:
        raise ValueError(f"values must have shape (n,) or (n, H), "
                         f"got {v.shape}")
    labels = list(groups)
    if len(labels) != len(v):
        raise ValueError(f"groups must give one label per value ({len(v)}), "
                         f"got {len(labels)}")
    if len(v) < 2 or not np.all(np.isfinite(v)):
        raise ValueError("values must hold at least 2 finite items")
    total = float(((v - v.mean(axis=0)) ** 2).sum())
    if total <= 1e-24 * len(v) * max(1.0, float(np.abs(v).max()) ** 2):
        raise ValueError("the values are all equal: "
                         "there is no spread to explain")
    within = 0.0
    for g in dict.fromkeys(labels):
        members = v[[k for k, lab in enumerate(labels) if lab == g]]
        within += float(((members - members.mean(axis=0)) ** 2).sum())
    return 1.0 - within / total


# ----------------------------------------------------------------- next character


class NextCharUnit(NamedTuple):
    """The unit that best predicts that ``char`` comes next."""

    char: str
    unit: int
    r_next: float  # Pearson r of the unit with "the next character is char"
    r_current: float  # the same unit with "the character just read is char"
    #                   (NaN when char is never read, e.g. the end marker)

    def __str__(self) -> str:
        cur = "never read" if np.isnan(self.r_current) else f"{self.r_current:.2f}"
        return (f"next {self.char!r}: unit {self.unit}, r = {self.r_next:.2f} "
                f"(with the current character: {cur})")


def next_char_units(values: Any, texts: Sequence[str], chars: Iterable[str],
                    mask: Any = None) -> list[NextCharUnit]:
    """For each of ``chars``: the unit whose values correlate most (|r|) with
    "the next character is char", and that unit's r with "the character just
    read is char" (a unit that predicts differs from one that echoes).

    texts: the full texts (the model reads ``text[:-1]``); values: (B, T, H) over
    those inputs. mask: optional bool rows (e.g. ``task.mask(text)``): only
    those positions count.
    """
    texts = list(texts)
    v, _, _ = _values_and_texts(values, [t[:-1] for t in texts])
    out = []
    for ch in chars:
        best = neurons.rank_units(v, neurons.next_char_is(texts, ch), mask)[0]
        current = neurons.char_is([t[:-1] for t in texts], ch)
        try:
            r_cur = float(neurons.correlations(v, current, mask)[best.unit])
        except ValueError:  # never read (or always): no correlation
            r_cur = float("nan")
        out.append(NextCharUnit(ch, best.unit, best.r, r_cur))
    return out


# ----------------------------------------------------------------- generation


def complete(model: SequenceModel, task: Task, prompt: str,
             overrides: Iterable[Override] = (), max_new: int = 100,
             end: str = ".") -> str:
    """Greedy generation in the numpy replay: read ``prompt`` (with the what-if
    ``overrides`` applied at its steps), then feed back the top-scoring character
    until ``end`` (included) or ``max_new`` characters. Returns what was written.
    """
    if not isinstance(model, SequenceModel):
        raise ValueError(f"model must be a cells.SequenceModel, got "
                         f"{type(model).__name__}")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty str, got {prompt!r}")
    overrides = list(overrides)
    late = [o for o in overrides if not 0 <= o.t < len(prompt)]
    if late:
        raise ValueError(f"overrides must act on prompt steps 0..{len(prompt) - 1}, "
                         f"got t = {[o.t for o in late]}")
    stop = task.alphabet.index(end) if end in task.alphabet else None
    ids = model.greedy(task.encode(prompt), max_new, stop, overrides)
    return str(task.decode(ids))


class CountingRow(NamedTuple):
    """What a model writes after ``"a"*n + delimiter``."""

    n: int
    written: int  # b's written before anything else
    then: str  # the character after them ("" if the output ends with b's)
    right: bool  # exactly "b"*n + "."

    def __str__(self) -> str:
        after = f"then {self.then!r}" if self.then else "and no end marker"
        mark = "right" if self.right else "WRONG"
        return f"N = {self.n:5}: {self.written:5} b's, {after:9}  {mark}"


def counting_rows(task: Task, ns: Sequence[int],
                  write: Callable[[list[str]], Sequence[str]]) -> list[CountingRow]:
    """N against what a model writes: ``write(prompts)`` answers every prompt
    ``"a"*N + delimiter`` (e.g. ``lambda ps: train.generate(model, task, ps)``);
    each answer is summarised as the run of b's and what follows it."""
    if task.name not in ("counting", "noisy_counting"):
        raise ValueError(f"counting_rows needs a counting task, got {task.name}")
    ns = [int(n) for n in ns]
    if not ns or min(ns) < 1:
        raise ValueError(f"ns must be counts >= 1, got {ns}")
    prompts = [task.split(task.example(n))[0] for n in ns]
    answers = list(write(prompts))
    if len(answers) != len(prompts):
        raise ValueError(f"write returned {len(answers)} answers for "
                         f"{len(prompts)} prompts")
    rows = []
    for n, a in zip(ns, answers):
        k = len(a) - len(a.lstrip("b"))
        rows.append(CountingRow(n, k, a[k:k + 1], a == "b" * n + "."))
    return rows


class CounterSteps(NamedTuple):
    """What a counting cell writes per character once its steps are steady."""

    up: float  # mean write i_t g_t = c_t - f_t c_{t-1}, middle half of the a's
    down: float  # the same over the middle half of the b's
    f: float  # mean forget gate over those same steps (1: the cell never leaks)

    @property
    def mismatch(self) -> float:
        """|down| / |up| - 1: how much more a b takes away than an a adds."""
        return abs(self.down) / abs(self.up) - 1.0

    @property
    def memory(self) -> float:
        """1 / (1 - f): the steps over which the cell keeps 1/e of what it
        holds (f^k = e^-1 for k ~ 1 / (1 - f)); infinite when f = 1."""
        return float("inf") if self.f >= 1.0 else 1.0 / (1.0 - self.f)


def counter_steps(model: SequenceModel, task: Task, unit: int,
                  n: int = 200) -> CounterSteps:
    """The steady steps of a counting cell on the text a^n <delim> b^n:

        write_t = c_t - f_t c_{t-1}   (= i_t g_t: what the step adds)
        up = mean_{t in a's} write_t
        down = mean_{t in b's} write_t

    over the middle half of each run (the first and last few steps
    differ), and the mean forget gate f there. The write leaves the
    forget gate out: with f = 1 it is the change c_t - c_{t-1}; with
    f < 1 the cell also loses (1 - f) c_{t-1} per step, which is
    leakage, not a mismatch of the steps.
    """
    if task.name not in ("counting", "noisy_counting"):
        raise ValueError(f"counter_steps needs a counting task, "
                         f"got {task.name}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 8:
        raise ValueError(f"n must be an int >= 8 (a run with a middle "
                         f"half), got {n!r}")
    if not 0 <= unit < model.cell.hidden_size:
        raise ValueError(f"unit must be in [0, {model.cell.hidden_size}), "
                         f"got {unit}")
    text = task.example(n)[:-1]  # a^n, delimiter, b^n
    tr = model.trace(task.encode(text))
    c = tr.c[:, unit].astype(float)  # (2n + 1,)
    f = tr.f[:, unit].astype(float)  # (2n + 1,)
    c_prev = np.concatenate([[0.0], c[:-1]])  # c_{t-1}, c_{-1} = 0
    write = c - f * c_prev  # (2n + 1,) = i_t g_t
    a_mid = slice(n // 4, 3 * n // 4)  # middle half of the a's
    b_mid = slice(n + 1 + n // 4, n + 1 + 3 * n // 4)  # ... of the b's
    f_mid = float(np.concatenate([f[a_mid], f[b_mid]]).mean())
    up, down = float(write[a_mid].mean()), float(write[b_mid].mean())
    return CounterSteps(up, down, f_mid)


def leak_cost(model: SequenceModel, task: Task, unit: int, n: int) -> float:
    """How many steady steps a counting cell loses to its forget gate on the
    text a^n <delim> b^n:

        leak = sum_t (1 - f_t) c_{t-1} / up

    with ``up`` its steady write per a (``counter_steps``; dividing by
    the signed step makes the leak positive for a cell that counts
    downwards too). The cell reaches 0 about ``leak`` b's early (0 when
    f = 1 exactly). A leak
    grows with the square of n: the cell holds about n steps for about n
    steps.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    up = counter_steps(model, task, unit).up
    tr = model.trace(task.encode(task.example(n)[:-1]))
    c = tr.c[:, unit].astype(float)  # (2n + 1,)
    f = tr.f[:, unit].astype(float)
    c_prev = np.concatenate([[0.0], c[:-1]])
    return float(np.sum((1.0 - f) * c_prev) / up)


def gate_share(i_on: float, g_on: float, i_off: float, g_off: float) -> float:
    """How much of the fall of a unit's write |i g|, from a character it
    writes (``on``) to one it keeps out (``off``), the input gate does:

        share = log(i_on / i_off) / log(|i_on g_on| / |i_off g_off|)

    since log|i g| = log i + log|g|, the rest, 1 - share, is the
    candidate's. 1: the gate alone keeps the character out (the candidate
    is as large as on ``on``); 0: the candidate alone. Arguments are mean
    gate values (i in (0, 1]) and candidates (g != 0).
    """
    vals = (i_on, g_on, i_off, g_off)
    if not all(np.isfinite(v) for v in vals) or min(i_on, i_off) <= 0 \
            or 0 in (g_on, g_off):
        raise ValueError(f"need i > 0 and g != 0, got {vals}")
    total = np.log(abs(i_on * g_on) / abs(i_off * g_off))
    if total <= 0:
        raise ValueError(f"the write does not fall: |i g| is "
                         f"{abs(i_on * g_on):.3g} on and "
                         f"{abs(i_off * g_off):.3g} off")
    return float(np.log(i_on / i_off) / total)


# ----------------------------------------------------------------- explorer


@dataclass(frozen=True)
class ExplorerView:
    """One model in the explorer: its trace over some texts (one row each)."""

    name: str  # button label, e.g. "counting"
    trace: Trace  # batched trace, (B, T, H) per quantity
    texts: Sequence[str]  # what the model read, one per row
    layer: int = -1  # which layer to show
    row_labels: Sequence[str] | None = None  # default: 1..B


def _grid(a: np.ndarray, texts: Sequence[str]) -> list:
    """(B, T) values -> rows cut at each text's end, 3 decimals, None = blank."""
    W = max(len(t) for t in texts)
    z = np.full((len(texts), W), np.nan)
    for b, t in enumerate(texts):
        z[b, : len(t)] = a[b, : len(t)]
    z = np.round(z, 3).astype(object)
    z[np.isnan(z.astype(float))] = None
    return z.tolist()


def _hover(label: str) -> str:
    return (f"text %{{y}}, step %{{x}}: '%{{text}}'<br>{label} = %{{z:.3f}}"
            "<extra></extra>")


def models_explorer(views: Sequence[ExplorerView],
                    quantities: Sequence[str] = ("h", "c", "i", "f", "g", "o"),
                    start: tuple[str, int] | None = None,
                    title: str = "explore the trained models") -> go.Figure:
    """Character heatmaps of every unit of several models in one figure.

    A row of buttons picks the model (``views``, each with its own texts); a
    dropdown picks the quantity and unit, for whichever model is shown. Each
    model is one heatmap trace; the buttons switch which one is visible and its
    row labels, the dropdown restyles the values of all of them. The models
    must have the same number of units H. start: the (quantity, unit) shown
    first (default: the first quantity, unit 0).
    """
    views = list(views)
    if not views or not all(isinstance(v, ExplorerView) for v in views):
        raise ValueError("views must be a non-empty list of ExplorerView")
    arrays = []  # per view: {quantity: (B, T, H)}
    for v in views:
        lt = v.trace.layer(v.layer)
        got = {}
        for q in quantities:
            try:
                a = np.asarray(lt[q], dtype=float)
            except KeyError:
                raise ValueError(f"view {v.name!r} has no quantity {q!r}; it has "
                                 f"{lt.quantities}") from None
            if a.ndim == 2:
                a = a[None]
            got[q] = a
        B = got[quantities[0]].shape[0]
        if len(v.texts) != B:
            raise ValueError(f"view {v.name!r}: {B} traced sequence(s) but "
                             f"{len(v.texts)} texts")
        if v.row_labels is not None and len(v.row_labels) != B:
            raise ValueError(f"view {v.name!r}: row_labels must hold {B} labels")
        arrays.append(got)
    sizes = {a[quantities[0]].shape[-1] for a in arrays}
    if len(sizes) != 1:
        raise ValueError(f"the models must have the same number of units, got "
                         f"{sorted(sizes)}")
    H = sizes.pop()
    q0, u0 = start if start is not None else (quantities[0], 0)
    if q0 not in quantities or not (isinstance(u0, int) and 0 <= u0 < H):
        raise ValueError(f"start must be (one of {list(quantities)}, a unit in "
                         f"[0, {H})), got {start!r}")
    kinds = [v.trace.kind for v in views]
    first = f"{viz.quantity_label(q0, kinds[0])}, unit {u0}"
    colours0 = viz.colour_range(q0, kinds[0])
    data = []
    for k, (v, a) in enumerate(zip(views, arrays)):
        data.append(go.Heatmap(
            z=_grid(a[q0][..., u0], v.texts),
            text=[[html.escape(c, quote=False) for c in t] for t in v.texts],
            texttemplate="%{text}", textfont=dict(size=12), xgap=1, ygap=1,
            hovertemplate=_hover(first), visible=k == 0, name=v.name, **colours0))
    labels = [list(v.row_labels) if v.row_labels is not None else
              [str(b + 1) for b in range(len(v.texts))] for v in views]
    model_buttons = [dict(
        method="update", label=v.name,
        args=[{"visible": [j == k for j in range(len(views))]},
              {"yaxis.tickvals": list(range(len(labels[k]))),
               "yaxis.ticktext": labels[k]}])
        for k, v in enumerate(views)]
    unit_entries = []
    for q in quantities:
        c = viz.colour_range(q, kinds[0])
        for u in range(H):
            label = f"{viz.quantity_label(q, kinds[0])}, unit {u}"
            unit_entries.append(dict(method="restyle", label=label, args=[{
                "z": [_grid(a[q][..., u], v.texts) for v, a in zip(views, arrays)],
                "zmin": [c["zmin"]] * len(views), "zmax": [c["zmax"]] * len(views),
                "colorscale": [c["colorscale"]] * len(views),
                "colorbar.title.text": [c["colorbar"]["title"]["text"]] * len(views),
                "hovertemplate": [_hover(label)] * len(views)}]))
    rows = max(len(t) for t in labels)
    rows_px = 26 * rows
    height = rows_px + 150 + 260  # menus above; room below for the open dropdown
    return go.Figure(data=data, layout=dict(
        template="none", font=dict(family="Helvetica, Arial, sans-serif", size=12),
        title=dict(text=title, x=0.01, xanchor="left", yref="paper", y=1,
                   yanchor="bottom", pad=dict(b=96)),
        height=height, margin=dict(l=60, r=30, t=150, b=40), plot_bgcolor="white",
        xaxis=dict(title=dict(text="step t"), showgrid=False, zeroline=False),
        yaxis=dict(autorange="reversed", showgrid=False, zeroline=False,
                   tickvals=list(range(len(labels[0]))), ticktext=labels[0],
                   domain=[round(1 - rows_px / (height - 190), 6), 1]),
        updatemenus=[
            dict(type="buttons", direction="right", buttons=model_buttons, active=0,
                 x=0, xanchor="left", y=1.0, yanchor="bottom", pad=dict(b=48),
                 showactive=True),
            dict(type="dropdown", direction="down", buttons=unit_entries,
                 active=list(quantities).index(q0) * H + u0,
                 x=0, xanchor="left", y=1.0, yanchor="bottom", pad=dict(b=8),
                 showactive=True),
        ],
    ))
