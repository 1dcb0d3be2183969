"""Chapter 1: synthetic movies; label every frame with what is happening.

A movie is a sequence of scenes; each scene is one activity (swimming, bathing,
shopping, ...) that lasts a random number of frames. A frame shows one *shot*, a
small set of visible objects, drawn from the shots its activity produces. Some
shots are ambiguous on their own: water is seen while swimming at the beach and
while bathing at home; bacon in hand while shopping and while cooking; two people
while talking and while fighting. Earlier frames of the same scene (sand, a
towel, a shop shelf, a stove) tell them apart, but only to a model that remembers.

The generator is a hidden Markov model, so every limit is computed exactly:

    y_1 ~ pi,   y_t | y_{t-1} ~ A[y_{t-1}],   s_t | y_t ~ B[y_t],   x_t = F[s_t]

with activities ``y``, shots ``s``, and the shot's binary object vector ``x``
(``F`` is the shot-by-object matrix). ``pi`` is the stationary distribution of
``A``, so every frame's label has the same marginal ``pi``.

- ``per_frame_ceiling``: the best accuracy any classifier of a single frame can
  reach, sum over shots of max over activities of ``pi[y] B[y, s]``.
- ``empirical_ceiling``: the same bound on a finite data set: for each distinct
  frame, the count of its most common label. No per-frame classifier can beat it
  on that data set.
- ``label_frequencies``: a sample's own P(y | s). Cross-entropy training of a
  per-frame model fits these, not the generator's ``posterior``.
- ``filtered_accuracy``: the accuracy of the Bayes-optimal *causal* predictor,
  argmax ``P(y_t | x_1..x_t)`` by the forward algorithm: what memory can buy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from lstm_tutorial.models import FeedForward

ACTIVITIES = ("swimming", "bathing", "shopping", "cooking", "eating", "talking",
              "fighting")
OBJECTS = ("water", "sand", "towel", "bacon", "shelf", "stove", "fork", "plate",
           "mouth open", "two people", "fist")

# shot name -> objects visible in it
SHOTS: dict[str, tuple[str, ...]] = {
    "someone in water": ("water",),
    "beach": ("sand", "water"),
    "towel": ("towel",),
    "bacon in hand": ("bacon",),
    "shop shelf": ("shelf",),
    "stove": ("stove",),
    "fork and plate": ("fork", "plate"),
    "plate": ("plate",),
    "close-up, mouth open": ("mouth open",),
    "two people": ("two people",),
    "fist": ("fist", "two people"),
}

# activity -> {shot: probability}; the ambiguous shots are shared
EMISSIONS: dict[str, dict[str, float]] = {
    "swimming": {"someone in water": 0.7, "beach": 0.3},
    "bathing": {"someone in water": 0.7, "towel": 0.3},
    "shopping": {"bacon in hand": 0.6, "shop shelf": 0.4},
    "cooking": {"bacon in hand": 0.6, "stove": 0.4},
    "eating": {"fork and plate": 0.6, "plate": 0.2, "close-up, mouth open": 0.2},
    "talking": {"close-up, mouth open": 0.6, "two people": 0.4},
    "fighting": {"two people": 0.5, "fist": 0.5},
}

# the story: which scene tends to follow which (rows need not sum to 1)
STORY: dict[str, dict[str, float]] = {
    "swimming": {"talking": 1, "eating": 1, "bathing": 1},
    "bathing": {"eating": 1, "talking": 1},
    "shopping": {"cooking": 3, "talking": 1},
    "cooking": {"eating": 3, "shopping": 1},
    "eating": {"talking": 2, "swimming": 1, "shopping": 1},
    "talking": {"fighting": 1, "swimming": 1, "shopping": 1, "eating": 1},
    "fighting": {"bathing": 1, "talking": 1},
}


@dataclass(frozen=True)
class FramesConfig:
    """How the movies are made."""

    mean_scene_length: float = 8.0  # frames per scene on average (geometric)
    movie_length: int = 40  # frames per movie


class MovieModel:
    """The hidden Markov model behind the movies (see the module docstring).

    Attributes: ``A`` (K, K) scene transitions, ``B`` (K, S) shot probabilities,
    ``F`` (S, D) objects visible in each shot, ``pi`` (K,) stationary distribution.
    """

    def __init__(self, config: FramesConfig = FramesConfig()) -> None:
        if config.mean_scene_length < 1:
            raise ValueError(
                f"mean_scene_length must be >= 1 frame, got {config.mean_scene_length}"
            )
        if config.movie_length < 1:
            raise ValueError(f"movie_length must be >= 1, got {config.movie_length}")
        self.config = config
        self.activities = ACTIVITIES
        self.shots = tuple(SHOTS)
        self.objects = OBJECTS
        K, S, D = len(ACTIVITIES), len(SHOTS), len(OBJECTS)

        stay = 1.0 - 1.0 / config.mean_scene_length  # P(scene goes on)
        self.A = np.zeros((K, K))
        for k, name in enumerate(ACTIVITIES):
            nxt = np.array([STORY[name].get(other, 0.0) for other in ACTIVITIES])
            self.A[k] = (1 - stay) * nxt / nxt.sum()
            self.A[k, k] = stay

        self.B = np.zeros((K, S))
        for k, name in enumerate(ACTIVITIES):
            for shot, p in EMISSIONS[name].items():
                self.B[k, self.shots.index(shot)] = p

        self.F = np.zeros((S, D))
        for s, shot in enumerate(self.shots):
            for obj in SHOTS[shot]:
                self.F[s, OBJECTS.index(obj)] = 1.0

        # stationary distribution: the left eigenvector of A for eigenvalue 1
        w, v = np.linalg.eig(self.A.T)
        pi = np.real(v[:, np.argmin(np.abs(w - 1.0))])
        self.pi = pi / pi.sum()

    def sample(self, n_movies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Draw movies: shot ids ``s`` (n, T) and activity labels ``y`` (n, T)."""
        if n_movies < 1:
            raise ValueError(f"n_movies must be >= 1, got {n_movies}")
        rng = np.random.default_rng(seed)
        T = self.config.movie_length
        y = np.empty((n_movies, T), dtype=np.int64)
        s = np.empty((n_movies, T), dtype=np.int64)
        y[:, 0] = rng.choice(len(self.pi), size=n_movies, p=self.pi)
        for t in range(1, T):
            u = rng.random(n_movies)[:, None]
            y[:, t] = (u > np.cumsum(self.A[y[:, t - 1]], axis=1)).sum(axis=1)
        u = rng.random((n_movies, T))[..., None]
        s[:] = (u > np.cumsum(self.B[y], axis=-1)).sum(axis=-1)
        return s, y

    def frames(self, s: np.ndarray) -> np.ndarray:
        """Object vectors ``x = F[s]``: (..., D) floats in {0, 1}."""
        return self.F[s]

    def story(self) -> np.ndarray:
        """P(next scene's activity | this scene's activity, the scene ends): (K, K).

        Row k of ``A`` with the stay probability removed and renormalised; the
        diagonal is 0 (a scene never follows itself).
        """
        nxt = self.A.copy()
        np.fill_diagonal(nxt, 0.0)
        return nxt / nxt.sum(axis=1, keepdims=True)

    def posterior(self) -> np.ndarray:
        """P(y | s) for every shot: (S, K), pi_y B[y, s] / sum_y' pi_y' B[y', s]."""
        joint = (self.pi[:, None] * self.B).T  # (S, K)
        return joint / joint.sum(axis=1, keepdims=True)

    def loss_floor(self) -> float:
        """The lowest cross-entropy any per-frame model can reach, H(y | s) in nats.

        A model that outputs exactly P(y | s) attains it; the loss of a trained
        classifier can only approach it from above (on average over frames).
        """
        p_s = (self.pi[:, None] * self.B).sum(axis=0)  # (S,)
        post = self.posterior()
        with np.errstate(divide="ignore", invalid="ignore"):
            ent = -np.where(post > 0, post * np.log(post), 0.0).sum(axis=1)
        return float((p_s * ent).sum())

    def per_frame_ceiling(self) -> float:
        """Best accuracy of any single-frame classifier: sum_s max_y pi_y B[y, s]."""
        return float((self.pi[:, None] * self.B).max(axis=0).sum())

    def per_frame_predictions(self, s: np.ndarray) -> np.ndarray:
        """The best single-frame guess: argmax_y pi_y B[y, s_t], shape of ``s``."""
        best = (self.pi[:, None] * self.B).argmax(axis=0)  # (S,)
        return best[_check_shots(s, len(self.shots))]

    def filtered_predictions(self, s: np.ndarray) -> np.ndarray:
        """argmax_y P(y_t | s_1..s_t) by the forward algorithm, (n, T).

        alpha_1 = pi * B[:, s_1];  alpha_t = (alpha_{t-1} A) * B[:, s_t],
        normalised at each step.
        """
        s = _check_shots(s, len(self.shots))
        if s.ndim != 2:
            raise ValueError(f"shots must be (n_movies, T), got shape {s.shape}")
        guesses = np.empty(s.shape, dtype=np.int64)
        alpha = self.pi * self.B[:, s[:, 0]].T  # (n, K)
        for t in range(s.shape[1]):
            if t > 0:
                alpha = (alpha @ self.A) * self.B[:, s[:, t]].T
            alpha /= alpha.sum(axis=1, keepdims=True)
            guesses[:, t] = alpha.argmax(axis=1)
        return guesses

    def filtered_accuracy(self, s: np.ndarray, y: np.ndarray) -> float:
        """Accuracy of the forward algorithm's guesses on movies (s, y)."""
        s, y = _check_pair(s, y)
        return float((self.filtered_predictions(s) == y).mean())

    def movie_figure(self, s: np.ndarray, y: np.ndarray,
                     guesses: dict[str, np.ndarray]) -> go.Figure:
        """One movie as coloured strips: the true activity and each guess per frame.

        s, y: (T,) shot ids and labels; guesses: row name -> (T,) labels.
        """
        s = _check_shots(s, len(self.shots))
        rows = {"true activity": np.asarray(y), **guesses}
        for name, row in rows.items():
            if np.shape(row) != s.shape or s.ndim != 1:
                raise ValueError(
                    f"{name!r} must be a (T,) array like the shots {s.shape}, "
                    f"got {np.shape(row)}"
                )
        K = len(self.activities)
        palette = ["#1f77b4", "#17becf", "#ff7f0e", "#d62728", "#2ca02c",
                   "#9467bd", "#8c564b"]
        scale = []
        for k, colour in enumerate(palette[:K]):  # one flat band per activity
            scale += [[k / K, colour], [(k + 1) / K, colour]]
        names = list(rows)[::-1]  # top row first
        z = np.array([rows[n] for n in names])
        shot_names = np.array(self.shots)[s]
        text = np.array([[f"frame {t}<br>shot: {shot_names[t]}<br>{n}: "
                          f"{self.activities[v]}" + ("" if n == "true activity" else
                          (" (right)" if v == y[t] else " (wrong)"))
                          for t, v in enumerate(rows[n])] for n in names])
        marks = np.array([["" if n == "true activity" or v == y[t] else "x"
                           for t, v in enumerate(rows[n])] for n in names])
        fig = go.Figure(go.Heatmap(
            z=z, y=names, colorscale=scale, zmin=-0.5, zmax=K - 0.5,
            text=marks, texttemplate="%{text}", hovertext=text,
            hovertemplate="%{hovertext}<extra></extra>", xgap=1, ygap=3,
            showscale=False,
        ))
        for k, name in enumerate(self.activities):  # legend entries, in order
            fig.add_scatter(x=[None], y=[None], mode="markers", name=name,
                            marker=dict(symbol="square", size=12, color=palette[k]))
        fig.update_layout(
            title="One movie, frame by frame (x = wrong guess)",
            xaxis_title="frame t", height=330, template="plotly_white",
            margin=dict(l=200), legend=dict(orientation="h", y=-0.35),
            xaxis=dict(showgrid=False), yaxis=dict(showgrid=False),
        )
        return fig


def empirical_ceiling(s: np.ndarray, y: np.ndarray, n_labels: int) -> float:
    """Best accuracy any function of the single frame can reach on (s, y).

    Frames with the same shot id look identical, so a per-frame classifier gives
    them one label; the best it can do is the majority label of each shot.
    """
    s, y = _check_pair(s, y)
    counts = np.zeros((int(s.max()) + 1, n_labels), dtype=np.int64)
    np.add.at(counts, (s.ravel(), y.ravel()), 1)
    return float(counts.max(axis=1).sum() / y.size)


def label_frequencies(s: np.ndarray, y: np.ndarray, n_labels: int) -> np.ndarray:
    """The sample's own P(y | s): for each shot id, the share of each label, (S, K).

    S = s.max() + 1; a shot that never occurs gets a row of zeros.
    """
    s, y = _check_pair(s, y)
    counts = np.zeros((int(s.max()) + 1, n_labels))
    np.add.at(counts, (s.ravel(), y.ravel()), 1)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def empirical_loss_floor(s: np.ndarray, y: np.ndarray, n_labels: int) -> float:
    """Lowest cross-entropy any per-frame model can reach on (s, y), in nats.

    It is reached by predicting, for each shot, the label frequencies of that
    shot in (s, y) itself: the conditional entropy of y given s in the data.
    """
    freq = label_frequencies(s, y, n_labels)
    s, y = np.asarray(s), np.asarray(y)
    return float(-np.log(freq[s.ravel(), y.ravel()]).mean())


def _check_shots(s: np.ndarray, n_shots: int) -> np.ndarray:
    s = np.asarray(s)
    if s.size == 0 or not np.issubdtype(s.dtype, np.integer):
        raise ValueError(f"shots must be a non-empty integer array, got {s.dtype} "
                         f"of shape {s.shape}")
    if s.min() < 0 or s.max() >= n_shots:
        raise ValueError(f"shot ids must be in 0..{n_shots - 1}, got {s.min()}.."
                         f"{s.max()}")
    return s


def _check_pair(s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s, y = np.asarray(s), np.asarray(y)
    if s.ndim != 2 or s.shape != y.shape or s.size == 0:
        raise ValueError(
            "shots and labels must be two non-empty (n_movies, T) arrays of one "
            f"shape, got {s.shape} and {y.shape}"
        )
    return s, y


@dataclass(frozen=True)
class TrainConfig:
    """Full-batch training of the feedforward classifier."""

    n_hidden: int = 16
    activation: str = "tanh"
    epochs: int = 150
    lr: float = 0.05
    seed: int = 0


def train_feedforward(
    x: np.ndarray, y: np.ndarray, n_labels: int, config: TrainConfig = TrainConfig()
) -> tuple[FeedForward, list[float]]:
    """Fit a FeedForward net to frames x (N, D) and labels y (N,) with Adam.

    Returns the model and the cross-entropy loss after each epoch.
    """
    x = _check_frames(x, y)
    torch.manual_seed(config.seed)
    model = FeedForward(x.shape[1], config.n_hidden, n_labels, config.activation)
    return model, fit(model, x, y, config)


def fit(model: nn.Module, x: np.ndarray, y: np.ndarray,
        config: TrainConfig = TrainConfig()) -> list[float]:
    """Train any classifier of frames x (N, D) -> scores (N, K) on labels y (N,).

    Full-batch Adam on the cross-entropy, ``config.epochs`` steps of size
    ``config.lr`` (the other fields of ``config`` are not used: the model is
    already built). Returns the loss after each epoch; the model is changed
    in place.
    """
    x = _check_frames(x, y)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    xt = torch.as_tensor(x, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.long)
    losses = []
    for _ in range(config.epochs):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def _check_frames(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(
            f"x must be (N, D) and y (N,), got x {x.shape} and y {y.shape}"
        )
    return x


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of frames whose argmax score is the true label."""
    with torch.no_grad():
        scores = model(torch.as_tensor(x, dtype=torch.float32))
    return float((scores.argmax(-1).numpy() == np.asarray(y)).mean())


def trainer_control(
    movies: MovieModel, s_train: np.ndarray, y_train: np.ndarray,
    s_test: np.ndarray, y_test: np.ndarray,
) -> Any:
    """A live control: pick the activation and hidden size, train, compare.

    Returns an ipywidgets VBox whose button trains a fresh FeedForward net on
    the training movies and prints its test accuracy next to the test ceiling.
    """

    D, K = len(movies.objects), len(movies.activities)
    x_tr = movies.frames(s_train).reshape(-1, D)
    x_te = movies.frames(s_test).reshape(-1, D)
    ceiling = empirical_ceiling(s_test, y_test, K)
    whole = {"description_width": "initial"}  # labels never cut short
    activation = widgets.Dropdown(options=["tanh", "sigmoid", "relu"], value="tanh",
                                  description="activation", style=whole)
    n_hidden = widgets.IntSlider(value=16, min=1, max=64, description="hidden units",
                                 style=whole)
    button = widgets.Button(description="train", button_style="primary")
    out = widgets.Output()

    def train(_: Any = None) -> None:
        out.outputs = ()  # replace, not append (works with or without a kernel)
        out.append_stdout("training...\n")
        cfg = TrainConfig(n_hidden=n_hidden.value, activation=activation.value)
        net, _ = train_feedforward(x_tr, y_train.ravel(), K, cfg)
        acc = accuracy(net, x_te, y_test.ravel())
        out.outputs = ()
        out.append_stdout(f"{cfg.activation}, {cfg.n_hidden} hidden units: test "
                          f"accuracy {acc:.4f}   (per-frame ceiling {ceiling:.4f})\n")

    button.on_click(train)
    box = widgets.VBox([widgets.HBox([activation, n_hidden, button]), out])
    box.train = train  # so tests (and readers) can press the button in code
    box.out = out
    return box
