"""Reading both ways: a tagging task whose answer depends on later input.

Each text is T characters from ``ab()``. The tag of a letter is 1 if it lies
inside a bracket pair that closes (``(`` matched by a later ``)``, as in any
balanced-bracket check), else 0; brackets are tagged 0. At the ``a`` of
``"(a"`` a reader moving left to right cannot know the tag yet: it depends on
whether a ``)`` comes later. A one-way LSTM reads x_1..x_t before tagging
position t; a bidirectional LSTM runs a second LSTM from x_T back to x_t and
tags from both states, [h_t(forward); h_t(backward)].
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from torch import nn

from ...steps import lstm_step
from ...style import base_layout, title_dict
from ...text import encode

__all__ = ["ALPHABET", "PROBS", "tags", "BiConfig", "Tagger", "random_texts",
           "train_tagger", "test_set", "per_position", "per_position_counts",
           "p_closes", "one_way_best", "replay_directions", "directions_figure",
           "save_tagger", "load_tagger"]

ALPHABET = "ab()"
PROBS = (0.3, 0.3, 0.2, 0.2)  # how often each character is drawn


def tags(text: str) -> np.ndarray:
    """(T,) int: 1 for a letter inside a pair of brackets that closes, else 0.
    "a(b)(a" -> [0, 0, 1, 0, 0, 0]: the last "(" never closes."""
    encode(text, ALPHABET, owner="bracket task")  # unknown characters: ValueError
    stack, pairs = [], []
    for t, ch in enumerate(text):
        if ch == "(":
            stack.append(t)
        elif ch == ")" and stack:
            pairs.append((stack.pop(), t))
    out = np.zeros(len(text), dtype=np.int64)
    for lo, hi in pairs:
        out[lo + 1:hi] = 1
    out[[t for t, ch in enumerate(text) if ch in "()"]] = 0
    return out


def random_texts(rng: np.random.Generator, n: int, length: int) -> list[str]:
    """n random texts of ``length`` characters (probabilities ``PROBS``)."""
    ids = rng.choice(len(ALPHABET), size=(n, length), p=PROBS)
    return ["".join(ALPHABET[k] for k in row) for row in ids]


@dataclass(frozen=True)
class BiConfig:
    """One training run of a tagger."""

    bidirectional: bool = True
    hidden_size: int = 8  # units per direction
    length: int = 12  # T: characters per text
    seed: int = 0
    steps: int = 600  # Adam steps
    batch_size: int = 64
    lr: float = 0.01

    def to_dict(self) -> dict:
        return asdict(self)


class Tagger(nn.Module):
    """One-hot characters -> LSTM (one way or both) -> linear readout -> 2 tags.

    forward(ids (B, T)) -> logits (B, T, 2); with both directions the readout
    reads [h_fwd; h_bwd] (2H,)."""

    def __init__(self, hidden_size: int, bidirectional: bool) -> None:
        super().__init__()
        self.hidden_size, self.bidirectional = hidden_size, bidirectional
        self.rnn = nn.LSTM(len(ALPHABET), hidden_size, batch_first=True,
                           bidirectional=bidirectional)
        self.readout = nn.Linear(hidden_size * (2 if bidirectional else 1), 2)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.dim() != 2 or ids.dtype != torch.int64:
            raise ValueError(f"ids must be an int64 tensor (B, T), got {ids!r:.80}")
        x = F.one_hot(ids, len(ALPHABET)).to(self.readout.weight.dtype)
        h, _ = self.rnn(x)  # (B, T, H) or (B, T, 2H)
        return self.readout(h)


def save_tagger(model: Tagger, path: str | os.PathLike, /, **meta) -> None:
    """One .npz: float32 state_dict arrays and a JSON config (no pickle)."""
    config = {"hidden_size": model.hidden_size, "bidirectional": model.bidirectional}
    arrays = {k: v.detach().numpy().astype(np.float32)
              for k, v in model.state_dict().items()}
    arrays["__config__"] = np.array(json.dumps({"config": config, "meta": meta}))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def load_tagger(path: str | os.PathLike) -> tuple[Tagger, dict]:
    """The Tagger (eval mode) and meta written by :func:`save_tagger`."""
    with np.load(path, allow_pickle=False) as data:
        stored = json.loads(str(data["__config__"]))
        arrays = {k: torch.from_numpy(data[k]) for k in data.files
                  if k != "__config__"}
    model = Tagger(**stored["config"])
    model.load_state_dict(arrays)
    return model.eval(), stored["meta"]


def _batch(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    x = np.stack([encode(t, ALPHABET, owner="bracket task") for t in texts])
    y = np.stack([tags(t) for t in texts])
    return torch.from_numpy(x), torch.from_numpy(y)


def train_tagger(config: BiConfig) -> tuple[Tagger, dict]:
    """Train one tagger on fresh random texts each step; model and facts."""
    torch.manual_seed(config.seed)
    model = Tagger(config.hidden_size, config.bidirectional)
    rng = np.random.default_rng(config.seed)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    t0, losses = time.perf_counter(), []
    for _ in range(config.steps):
        x, y = _batch(random_texts(rng, config.batch_size, config.length))
        loss = F.cross_entropy(model(x).reshape(-1, 2), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return model, {"loss": float(np.mean(losses[-50:])),
                   "seconds": time.perf_counter() - t0}


def test_set(length: int, n: int = 2000, seed: int = 4242) -> list[str]:
    """The fixed test texts (the same for every model)."""
    return random_texts(np.random.default_rng(seed), n, length)


@torch.no_grad()
def per_position(model: Tagger, texts: list[str]) -> dict[str, list[float]]:
    """Accuracy at each position t over the texts: all characters, and the
    letters after an open "(" only (where the future decides; None at a
    position with no such letter)."""
    x, y = _batch(texts)
    right = (model(x).argmax(-1) == y).numpy()  # (N, T)
    hard = np.array([_open_before(t) for t in texts])  # (N, T)
    n_open = hard.sum(0)
    open_acc = [float(k / n) if n else None  # None: no such letter there
                for k, n in zip((right & hard).sum(0), n_open)]
    return {"all": right.mean(0).tolist(), "open": open_acc,
            "n_open": n_open.tolist()}


def per_position_counts(texts: list[str]) -> list[int]:
    """Per position: how many of the texts have a letter there after a still
    open "(" (the letters whose tag the future decides)."""
    return np.array([_open_before(t) for t in texts]).sum(0).tolist()


def _open_before(text: str) -> list[bool]:
    """Per position: a letter with an unclosed "(" before it (so far)."""
    depth, out = 0, []
    for ch in text:
        depth = depth + 1 if ch == "(" else max(depth - 1, 0) if ch == ")" else depth
        out.append(ch in "ab" and depth > 0)
    return out


def p_closes(n: int) -> float:
    """Probability that an open "(" is closed within the next n random
    characters: the walk +1 on ")", -1 on "(", 0 on a letter reaches +1.
    (The innermost open bracket closes first, so this is the chance that a
    letter after an open "(" ends up inside a pair, whatever the depth.)"""
    p_close, p_open = PROBS[3], PROBS[2]
    dist = {0: 1.0}  # level -> probability of being there, not yet closed
    closed = 0.0
    for _ in range(n):
        nxt: dict[int, float] = {}
        for level, p in dist.items():
            closed += p * p_close if level == 0 else 0.0
            if level < 0:
                nxt[level + 1] = nxt.get(level + 1, 0.0) + p * p_close
            nxt[level - 1] = nxt.get(level - 1, 0.0) + p * p_open
            nxt[level] = nxt.get(level, 0.0) + p * (1 - p_close - p_open)
        dist = nxt
    return closed


def one_way_best(texts: list[str]) -> dict[str, list[float]]:
    """The best any one-way reader can expect at each position t, on these
    texts: 1 where the prefix decides the tag; after an open "(" it can only
    guess the likelier outcome, right with probability max(P, 1 - P), P =
    ``p_closes(T - 1 - t)``."""
    T = len(texts[0])
    hard = np.array([_open_before(t) for t in texts])  # (N, T)
    guess = np.array([max(p, 1 - p) for p in map(p_closes, range(T - 1, -1, -1))])
    expected = np.where(hard, guess[None, :], 1.0)
    return {"all": expected.mean(0).tolist(), "open": guess.tolist()}


# ----- the two directions, in numpy ----------------------------------------------


def replay_directions(model: Tagger, text: str) -> dict[str, np.ndarray]:
    """h of the forward LSTM (T, H), read x_1..x_T, and of the backward one,
    read x_T..x_1 and stored at the position it had just read; float64."""
    w = {k: v.detach().double().numpy() for k, v in model.rnn.state_dict().items()}
    x = np.eye(len(ALPHABET))[encode(text, ALPHABET, owner="bracket task")]
    H = model.hidden_size
    out = {}
    for name, suffix, order in (("fwd", "", range(len(text))),
                                ("bwd", "_reverse", range(len(text) - 1, -1, -1))):
        if name == "bwd" and not model.bidirectional:
            break
        h, c, hs = np.zeros(H), np.zeros(H), np.zeros((len(text), H))
        for t in order:
            st = lstm_step(x[t], h, c, w[f"weight_ih_l0{suffix}"],
                           w[f"weight_hh_l0{suffix}"], w[f"bias_ih_l0{suffix}"],
                           w[f"bias_hh_l0{suffix}"])
            h, c = st["h"], st["c"]
            hs[t] = h
        out[name] = hs
    return out


def directions_figure(model: Tagger, text: str, title: str) -> go.Figure:
    """Step-through of both directions: at position t the forward LSTM has
    read x_1..x_t, the backward one x_T..x_t (the rest of each heatmap is
    blank); the strip at the bottom gives, at every position, the probability
    of tag 1 that the readout computes from the two states, above the true
    tag. A plotly slider (restyle) moves t, no kernel needed."""
    hs = replay_directions(model, text)
    T, H = len(text), model.hidden_size
    with torch.no_grad():
        x = torch.from_numpy(encode(text, ALPHABET, owner="bracket task"))[None]
        p = torch.softmax(model(x), -1)[0, :, 1].numpy()  # P(tag 1)
    truth = tags(text)
    cols = [f"{t + 1} {ch}" for t, ch in enumerate(text)]
    strip = np.stack([p, truth]).round(3).tolist()  # (2, T): P(tag 1), true tag

    def z_at(t: int) -> list:
        f = hs["fwd"].T.copy()
        f[:, t + 1:] = np.nan
        b = hs["bwd"].T.copy()
        b[:, :t] = np.nan
        return [f.round(3).tolist(), b.round(3).tolist(), strip]

    units = [f"unit {k}" for k in range(H)]
    common = dict(x=cols, xgap=1, ygap=1, type="heatmap")
    z0 = z_at(0)
    data = [
        dict(z=z0[0], y=units, zmin=-1, zmax=1, colorscale="RdBu", xaxis="x",
             yaxis="y", showscale=False, name="forward h",
             hovertemplate="forward, %{y}<br>%{x}: h = %{z:.3f}<extra></extra>",
             **common),
        dict(z=z0[1], y=units, zmin=-1, zmax=1, colorscale="RdBu", xaxis="x2",
             yaxis="y2", name="backward h", colorbar=dict(title="h", len=0.6),
             hovertemplate="backward, %{y}<br>%{x}: h = %{z:.3f}<extra></extra>",
             **common),
        dict(z=z0[2], y=["P(inside)", "true tag"], zmin=0, zmax=1,
             colorscale="Greens", xaxis="x3", yaxis="y3", showscale=False,
             texttemplate="%{z:.2f}", name="tag",
             hovertemplate="%{y} at %{x}: %{z:.3f}<extra></extra>", **common),
    ]
    steps = [dict(method="restyle", label=cols[t], args=[{"z": z_at(t)}, [0, 1, 2]])
             for t in range(T)]
    axis = dict(type="category", showgrid=False)
    layout = base_layout(
        title=title_dict(title), height=560, margin=dict(l=90, r=30, t=60, b=110),
        xaxis=dict(anchor="y", side="top", **axis),
        yaxis=dict(domain=[0.62, 1.0], title="forward (left to right)",
                   autorange="reversed", **axis),
        xaxis2=dict(anchor="y2", matches="x", showticklabels=False, **axis),
        yaxis2=dict(domain=[0.2, 0.58], title="backward (right to left)",
                    autorange="reversed", **axis),
        xaxis3=dict(anchor="y3", matches="x", **axis),
        yaxis3=dict(domain=[0.0, 0.14], autorange="reversed", **axis),
        sliders=[dict(active=0, steps=steps, x=0, len=1, y=0, yanchor="top",
                      pad=dict(t=40, b=10),
                      currentvalue=dict(prefix="position ", font=dict(size=14)))],
    )
    return go.Figure(data=data, layout=layout)
