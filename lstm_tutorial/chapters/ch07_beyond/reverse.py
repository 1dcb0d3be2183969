"""Reversing strings with an encoder-decoder LSTM: training, accuracy by length.

A source is 1..L random letters; the answer is the same letters backwards:
``"abc" -> "cba"``. The model (``seq2seq.Seq2Seq``) is trained on lengths
1..L with teacher forcing and tested, greedily, on every length 1..2L.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import ipywidgets as W
import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F

from ...display import LiveFigure
from ...seq2seq import END, Seq2Seq, Seq2SeqTrace, greedy, replay
from ...style import base_layout, title_dict

__all__ = ["ReverseConfig", "batch", "train_reverser", "by_length",
           "test_texts", "random_texts", "alignment_z", "alignment_figure",
           "AlignmentControl"]


@dataclass(frozen=True)
class ReverseConfig:
    """One training run of the reverser."""

    attention: bool = True  # dot-product attention over the encoder states
    alphabet: str = "abcdefghij"  # source letters
    max_len: int = 8  # L: training sources have 1..L letters
    hidden_size: int = 32  # H, encoder and decoder
    seed: int = 0  # torch init and numpy batches
    steps: int = 1500  # Adam steps
    batch_size: int = 64  # random sources per step
    lr: float = 0.005  # Adam step size
    clip: float = 1.0  # max gradient norm

    def __post_init__(self) -> None:
        for name in ("max_len", "hidden_size", "steps", "batch_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or (
                self.seed < 0):
            raise ValueError(f"seed must be an int >= 0, got {self.seed!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def random_texts(rng: np.random.Generator, alphabet: str, n: int, lo: int,
                 hi: int) -> list[str]:
    """n random sources, lengths uniform in lo..hi."""
    lengths = rng.integers(lo, hi + 1, size=n)
    return ["".join(rng.choice(list(alphabet), size=k)) for k in lengths]


def batch(model: Seq2Seq, texts: list[str]
          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """src (B, S), src_len (B,), decoder inputs (B, S+1) = $ + reversed, and
    targets (B, S+1) = reversed + $, padded with -100 (not scored)."""
    B, S = len(texts), max(len(t) for t in texts)
    end = model.symbols.index(END)
    src = torch.zeros(B, S, dtype=torch.int64)
    y_in = torch.full((B, S + 1), end, dtype=torch.int64)
    y_out = torch.full((B, S + 1), -100, dtype=torch.int64)
    for b, t in enumerate(texts):
        ids = torch.from_numpy(model.encode(t))
        src[b, :len(t)] = ids
        rev = ids.flip(0)
        y_in[b, 1:len(t) + 1] = rev
        y_out[b, :len(t)] = rev
        y_out[b, len(t)] = end
    return src, torch.tensor([len(t) for t in texts]), y_in, y_out


def train_reverser(config: ReverseConfig) -> tuple[Seq2Seq, dict]:
    """Train one reverser; the model (eval mode) and {"loss", "seconds"}."""
    torch.manual_seed(config.seed)
    model = Seq2Seq(config.alphabet, config.hidden_size, config.attention)
    rng = np.random.default_rng(config.seed)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    t0, losses = time.perf_counter(), []
    model.train()
    for _ in range(config.steps):
        texts = random_texts(rng, config.alphabet, config.batch_size, 1,
                             config.max_len)
        src, src_len, y_in, y_out = batch(model, texts)
        logits, _ = model(src, src_len, y_in)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                               y_out.reshape(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
        opt.step()
        losses.append(loss.item())
    model.eval()
    return model, {"loss": float(np.mean(losses[-50:])),
                   "seconds": time.perf_counter() - t0}


def test_texts(alphabet: str, length: int, n: int = 200, seed: int = 777
               ) -> list[str]:
    """The fixed test sources of one length (the same for every model)."""
    rng = np.random.default_rng(seed + length)
    return random_texts(rng, alphabet, n, length, length)


def by_length(model: Seq2Seq, lengths: list[int], n: int = 200) -> dict[int, float]:
    """Fraction of the ``n`` test sources of each length reversed exactly."""
    out = {}
    for k in lengths:
        texts = test_texts(model.alphabet, k, n)
        got = greedy(model, texts)
        out[k] = sum(g == t[::-1] for g, t in zip(got, texts)) / len(texts)
    return out


# ----- the alignment figure ----------------------------------------------------


def alignment_z(trace: Seq2SeqTrace, t: int) -> list:
    """The heatmap at decoder step t: rows 1..t+1 of a, the later rows blank."""
    a = trace.a.copy()
    a[t + 1:] = np.nan  # steps not yet taken
    return a.round(3).tolist()


def alignment_figure(trace: Seq2SeqTrace, title: str, step: int | None = None,
                     frames: bool = False) -> go.Figure:
    """Heatmap of the attention weights a_tj: rows are decoder steps t (the
    character written), columns source positions j (the character read).

    The page's figure has a plotly slider over the steps (each step restyles
    the heatmap's z, so it works with no kernel) and opens on the last step.
    ``frames=True`` instead carries one plotly frame per step and no slider,
    for a ``display.LiveFigure`` that follows an ipywidgets step slider.
    """
    T, S = trace.a.shape
    rows = [f"{t + 1}: wrote '{ch}'" for t, ch in enumerate(trace.out)]
    cols = [f"{j + 1}: '{ch}'" for j, ch in enumerate(trace.source)]
    last = T - 1 if step is None else step
    if not 0 <= last < T:
        raise ValueError(f"step must be in [0, {T}), got {step}")
    fig = go.Figure(go.Heatmap(
        z=alignment_z(trace, last), x=cols, y=rows, zmin=0, zmax=1,
        colorscale="Blues", colorbar={"title": {"text": "a"}, "len": 0.8},
        texttemplate="%{z:.2f}" if S <= 12 else None, textfont={"size": 10},
        hovertemplate="decoder step %{y}<br>source %{x}<br>a = %{z:.3f}"
                      "<extra></extra>", xgap=1, ygap=1))
    fig.update_layout(**base_layout(
        title=title_dict(title), height=225 + 28 * T,
        margin={"l": 120, "r": 30, "t": 135, "b": 90 if not frames else 30},
        xaxis={"title": {"text": "source position j: character read"},
               "side": "top", "type": "category", "fixedrange": True},
        yaxis={"title": {"text": "decoder step t"}, "autorange": "reversed",
               "type": "category", "fixedrange": True}))
    if frames:
        fig.frames = [go.Frame(name=str(t), data=[go.Heatmap(z=alignment_z(trace, t))],
                               traces=[0]) for t in range(T)]
    else:
        fig.update_layout(sliders=[{
            "active": last, "x": 0, "len": 1, "y": 0, "yanchor": "top",
            "pad": {"t": 10, "b": 10},
            "currentvalue": {"prefix": "decoder step "},
            "steps": [{"label": f"{t + 1}: '{trace.out[t]}'", "method": "restyle",
                       "args": [{"z": [alignment_z(trace, t)]}, [0]]}
                      for t in range(T)]}])
    return fig


class AlignmentControl:
    """Live in Jupyter: type a source, see the trained model's alignment.

    A text box (the source), an integer step slider (the decoder step, drawn
    in the browser from the figure's frames) and a ``display.LiveFigure``.
    ``widget`` is the whole control; ``set_source(text)`` does what typing does.
    """

    def __init__(self, model: Seq2Seq, source: str) -> None:
        self.model = model
        self.text = W.Text(value=source, description="source",
                           continuous_update=False)
        self.step = W.IntSlider(value=0, min=0, max=1, description="decoder step",
                                style={"description_width": "initial"},
                                continuous_update=True)
        self.status = W.HTML("")
        self.output = LiveFigure(control=self.step)
        self.text.observe(lambda change: self.set_source(change["new"]),
                          names="value")
        self.widget = W.VBox([self.text, self.step, self.status, self.output])
        self.set_source(source)

    def set_source(self, text: str) -> None:
        """Replay the model on ``text`` and redraw; a bad text says why."""
        try:
            trace = replay(self.model, text)
        except ValueError as err:
            self.status.value = f"<span style='color:#b2182b'>{err}</span>"
            return
        self.trace = trace
        right = trace.answer == text[::-1]
        self.status.value = (f"wrote <b>{trace.answer}</b> "
                             f"({'right' if right else 'wrong'}: the reverse is "
                             f"{text[::-1]})")
        T = len(trace.out)
        fig = alignment_figure(trace, f"attention weights reversing '{text}'",
                               frames=True)
        self.step.max = T - 1
        self.step.value = min(self.step.value, T - 1)
        self.output.update(fig)
