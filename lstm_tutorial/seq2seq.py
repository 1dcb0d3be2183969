"""An encoder-decoder LSTM, with or without attention, and its numpy replay.

The encoder reads the source one character at a time; the decoder writes the
answer one character at a time, starting from the encoder's final state and
from the end symbol ``$`` as its first input, until it writes ``$`` again.
Both are one-layer LSTMs (rows i | f | g | o, as torch). Per decoder step t,
with e_1..e_S the encoder's hidden states and s_t the decoder's:

    s_t, c_t = LSTM(onehot(y_{t-1}), s_{t-1}, c_{t-1})   # decoder step
    score_tj = e_j . s_t                                  # dot score (Luong)
    a_t = softmax(score_t)                                # (S,) weights, sum 1
    ctx_t = sum_j a_tj e_j                                # context (H,)
    q_t = tanh(W_c [ctx_t; s_t] + b_c)                    # attentional state
    logits_t = W_o q_t + b_o                              # next character

Without attention the decoder sees the source only through s_0 = e_S (the
bottleneck) and q_t = tanh(W_c s_t + b_c). ``Seq2Seq`` is the torch module
(trained with teacher forcing); ``replay`` runs the same equations in numpy
through ``steps.lstm_step`` and keeps every attention weight of every step.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .steps import lstm_step
from .text import encode

__all__ = ["END", "Seq2Seq", "Seq2SeqTrace", "replay", "greedy", "softmax",
           "save", "load"]

END = "$"  # first input of the decoder, and the symbol it ends with


class Seq2Seq(nn.Module):
    """Encoder-decoder LSTM over ``alphabet`` + ``$``; ``attention`` on or off.

    ``forward(src (B, S) long, src_len (B,), tgt_in (B, T) long)`` -> logits
    (B, T, V) and attention weights (B, T, S) (zeros without attention), with
    teacher forcing: tgt_in is ``$`` followed by the answer. Ids index
    ``symbols = alphabet + "$"``; padding positions (beyond src_len) are never
    attended to and the encoder's final state is taken at src_len.
    """

    def __init__(self, alphabet: str, hidden_size: int, attention: bool) -> None:
        super().__init__()
        if not isinstance(alphabet, str) or not alphabet or END in alphabet or (
                len(set(alphabet)) != len(alphabet)):
            raise ValueError(f"alphabet must be a non-empty str of distinct "
                             f"characters without {END!r}, got {alphabet!r}")
        if isinstance(hidden_size, bool) or not isinstance(hidden_size, int) or (
                hidden_size < 1):
            raise ValueError(f"hidden_size must be a positive int, got {hidden_size!r}")
        self.alphabet, self.symbols = alphabet, alphabet + END
        self.attention = bool(attention)
        V, H = len(self.symbols), hidden_size
        self.hidden_size = H
        self.encoder = nn.LSTM(V, H, batch_first=True)
        self.decoder = nn.LSTM(V, H, batch_first=True)
        self.combine = nn.Linear(2 * H if attention else H, H)  # W_c, b_c
        self.readout = nn.Linear(H, V)  # W_o, b_o

    # ----- ids ------------------------------------------------------------------
    def encode(self, text: str) -> np.ndarray:
        """A source text -> ids (S,); ValueError for an unknown character."""
        return encode(text, self.alphabet, owner="seq2seq source")

    def _onehot(self, ids: torch.Tensor) -> torch.Tensor:
        return F.one_hot(ids, len(self.symbols)).to(self.readout.weight.dtype)

    # ----- the two halves -------------------------------------------------------
    def encode_batch(self, src: torch.Tensor, src_len: torch.Tensor
                     ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Encoder states (B, S, H) (zeros past src_len) and its final (h, c)."""
        _check_batch(src, src_len, len(self.alphabet))
        packed = nn.utils.rnn.pack_padded_sequence(
            self._onehot(src), src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, state = self.encoder(packed)
        enc, _ = nn.utils.rnn.pad_packed_sequence(
            out, batch_first=True, total_length=src.shape[1])
        return enc, state

    def decode_steps(self, y_in: torch.Tensor, state: tuple[torch.Tensor, ...],
                     enc: torch.Tensor, src_len: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, ...]]:
        """Decoder over inputs y_in (B, T): logits (B, T, V), weights (B, T, S),
        final state. The decoder LSTM never sees the context (no input
        feeding), so all T steps run in one call."""
        s, state = self.decoder(self._onehot(y_in), state)  # (B, T, H)
        B, T, _ = s.shape
        if not self.attention:
            weights = s.new_zeros(B, T, enc.shape[1])
            return self.readout(torch.tanh(self.combine(s))), weights, state
        score = s @ enc.transpose(1, 2)  # (B, T, S): e_j . s_t
        pad = torch.arange(enc.shape[1])[None, :] >= src_len[:, None]  # (B, S)
        score = score.masked_fill(pad[:, None, :], float("-inf"))
        weights = torch.softmax(score, dim=-1)  # (B, T, S)
        ctx = weights @ enc  # (B, T, H)
        q = torch.tanh(self.combine(torch.cat([ctx, s], dim=-1)))  # (B, T, H)
        return self.readout(q), weights, state

    def forward(self, src: torch.Tensor, src_len: torch.Tensor,
                tgt_in: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        enc, state = self.encode_batch(src, src_len)
        logits, weights, _ = self.decode_steps(tgt_in, state, enc, src_len)
        return logits, weights


def _check_batch(src: torch.Tensor, src_len: torch.Tensor, n_chars: int) -> None:
    if not isinstance(src, torch.Tensor) or src.dtype != torch.int64 or src.dim() != 2:
        raise ValueError(f"src must be an int64 tensor (B, S), got {src!r:.80}")
    if not isinstance(src_len, torch.Tensor) or src_len.shape != src.shape[:1]:
        raise ValueError(f"src_len must be a tensor (B,) = ({src.shape[0]},), "
                         f"got {src_len!r:.80}")
    if src.numel() and (src.min() < 0 or src.max() >= n_chars):
        raise ValueError(f"src ids must be in [0, {n_chars}) (source characters)")
    if len(src_len) and (src_len.min() < 1 or src_len.max() > src.shape[1]):
        raise ValueError(f"src_len must be in [1, {src.shape[1]}], got "
                         f"{src_len.tolist()}")


@torch.no_grad()
def greedy(model: Seq2Seq, texts: list[str], max_len: int | None = None) -> list[str]:
    """Decode each source text greedily (each written character is read back),
    at most ``max_len`` characters (default: the longest text + 2). Returns
    what was written before ``$``; an answer that never wrote ``$`` ends in
    "…". Each answer is what ``replay(model, text, max_len)`` writes (the
    tests hold the two equal)."""
    if not texts or not all(isinstance(t, str) and t for t in texts):
        raise ValueError("texts must be a non-empty list of non-empty str")
    ids = [model.encode(t) for t in texts]
    S = max(len(i) for i in ids)
    src = torch.zeros(len(ids), S, dtype=torch.int64)
    for b, row in enumerate(ids):
        src[b, :len(row)] = torch.from_numpy(row)
    src_len = torch.tensor([len(i) for i in ids])
    enc, state = model.encode_batch(src, src_len)
    end = len(model.alphabet)
    y = torch.full((len(ids), 1), end, dtype=torch.int64)
    out = []
    for _ in range(max_len or S + 2):
        logits, _, state = model.decode_steps(y, state, enc, src_len)
        y = logits.argmax(-1)  # (B, 1)
        out.append(y[:, 0])
    rows = torch.stack(out, dim=1).tolist()
    answers = []
    for row in rows:
        text = "".join(model.symbols[k] for k in row)
        answers.append(text.split(END)[0] if END in text else text + "…")
    return answers


# ----- numpy replay ---------------------------------------------------------------


def softmax(z: np.ndarray) -> np.ndarray:
    """exp(z - max z) / sum exp(z - max z) over the last axis."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class Seq2SeqTrace:
    """Everything the replay computed for one source text.

    enc: (S, H) encoder states e_j; s: (T, H) decoder states s_t; a: (T, S)
    attention weights (all zero without attention); logits: (T, V); out: the
    characters written (the last one ``$`` if the decoder stopped).
    """

    source: str
    enc: np.ndarray
    s: np.ndarray
    a: np.ndarray
    logits: np.ndarray
    out: str
    steps: list[dict] = field(default_factory=list)  # lstm_step dicts, decoder

    @property
    def answer(self) -> str:
        """What the decoder wrote before ``$``."""
        return self.out.split(END)[0]


def _weights(model: Seq2Seq, dtype: type) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy().astype(dtype)
            for k, v in model.state_dict().items()}


def replay(model: Seq2Seq, text: str, max_len: int | None = None,
           dtype: type = np.float64) -> Seq2SeqTrace:
    """Run ``model`` on ``text`` in numpy, greedily, keeping every value.

    Encoder: e_j = lstm_step(onehot(x_j), ...).h; decoder as in the module
    docstring, at most ``max_len`` steps (default len(text) + 2).
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty str, got {text!r}")
    if max_len is not None and (isinstance(max_len, bool) or
                                not isinstance(max_len, int) or max_len < 1):
        raise ValueError(f"max_len must be a positive int, got {max_len!r}")
    w = _weights(model, dtype)
    V, H = len(model.symbols), model.hidden_size
    eye = np.eye(V, dtype=dtype)
    h, c = np.zeros(H, dtype), np.zeros(H, dtype)
    enc = []
    for k in model.encode(text):
        st = lstm_step(eye[k], h, c, w["encoder.weight_ih_l0"],
                       w["encoder.weight_hh_l0"], w["encoder.bias_ih_l0"],
                       w["encoder.bias_hh_l0"])
        h, c = st["h"], st["c"]
        enc.append(h)
    E = np.stack(enc)  # (S, H)
    W_c, b_c = w["combine.weight"], w["combine.bias"]
    W_o, b_o = w["readout.weight"], w["readout.bias"]
    y, out, steps, S_, A, L = V - 1, "", [], [], [], []
    for _ in range(max_len or len(text) + 2):
        st = lstm_step(eye[y], h, c, w["decoder.weight_ih_l0"],
                       w["decoder.weight_hh_l0"], w["decoder.bias_ih_l0"],
                       w["decoder.bias_hh_l0"])
        s = st["h"]  # (H,): the decoder's state s_t
        h, c = s, st["c"]
        if model.attention:
            a = softmax(E @ s)  # (S,): one weight per source position
            ctx = a @ E  # (H,): the context, a weighted mean of e_j
            q = np.tanh(W_c @ np.concatenate([ctx, s]) + b_c)  # (H,)
        else:
            a = np.zeros(len(E), dtype)  # no attention: nothing to weigh
            q = np.tanh(W_c @ s + b_c)  # (H,): s_t alone, the bottleneck
        logits = W_o @ q + b_o  # (V,): scores of the next character
        y = int(np.argmax(logits))
        steps.append(st)
        S_.append(s)
        A.append(a)
        L.append(logits)
        out += model.symbols[y]
        if model.symbols[y] == END:
            break
    return Seq2SeqTrace(text, E, np.stack(S_), np.stack(A), np.stack(L), out, steps)


# ----- weight files (no pickle) ---------------------------------------------------

_CONFIG = "__config__"


def save(model: Seq2Seq, path: str | os.PathLike, /, **meta: Any) -> None:
    """Write the model as one .npz: float32 arrays (state_dict names) and a
    JSON config (alphabet, hidden_size, attention) with ``meta``."""
    if not isinstance(model, Seq2Seq):
        raise ValueError(f"model must be a Seq2Seq, got {type(model).__name__}")
    config = {"alphabet": model.alphabet, "hidden_size": model.hidden_size,
              "attention": model.attention}
    try:
        text = json.dumps({"config": config, "meta": meta})
    except TypeError as e:
        raise ValueError(f"meta must be JSON-serialisable: {e}") from e
    arrays = {k: v.detach().cpu().numpy().astype(np.float32)
              for k, v in model.state_dict().items()}
    with open(path, "wb") as fh:
        np.savez(fh, **arrays, **{_CONFIG: np.array(text)})


def load(path: str | os.PathLike) -> tuple[Seq2Seq, dict[str, Any]]:
    """The Seq2Seq (float32, eval mode) and the meta written by :func:`save`;
    ValueError if the file is not such a file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = json.loads(str(data[_CONFIG]))
            arrays = {k: data[k] for k in data.files if k != _CONFIG}
        model = Seq2Seq(**stored["config"])
        model.load_state_dict({k: torch.from_numpy(a) for k, a in arrays.items()})
    except FileNotFoundError:
        raise
    except (OSError, zipfile.BadZipFile, KeyError, TypeError, RuntimeError,
            ValueError, EOFError) as e:
        raise ValueError(f"{path}: not a Seq2Seq weight file written by "
                         f"seq2seq.save ({e})") from e
    return model.eval(), stored["meta"]
