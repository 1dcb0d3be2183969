"""The chapter 1 movie model: its limits are computed, so check them independently."""

import itertools

import numpy as np
import pytest
import torch

from lstm_tutorial.chapters import ch01_feedforward as frames


@pytest.fixture(scope="module")
def movies() -> frames.MovieModel:
    return frames.MovieModel()


def test_model_is_a_proper_hmm(movies):
    np.testing.assert_allclose(movies.A.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(movies.B.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(movies.pi @ movies.A, movies.pi, atol=1e-12)
    assert movies.pi.min() > 0
    assert movies.F.shape == (len(movies.shots), len(movies.objects))


def test_ambiguous_shots_are_shared(movies):
    water = movies.shots.index("someone in water")
    bacon = movies.shots.index("bacon in hand")
    act = movies.activities
    assert set(np.flatnonzero(movies.B[:, water])) == {act.index("swimming"),
                                                        act.index("bathing")}
    assert set(np.flatnonzero(movies.B[:, bacon])) == {act.index("shopping"),
                                                        act.index("cooking")}


def test_ceiling_matches_brute_force_over_all_classifiers(movies):
    # Every deterministic per-shot classifier is a map shots -> labels; the best
    # one's expected accuracy is the ceiling. Enumerate the ambiguous shots only
    # (elsewhere one label has all the mass).
    joint = movies.pi[:, None] * movies.B  # P(y, s)
    ambiguous = [s for s in range(joint.shape[1]) if (joint[:, s] > 0).sum() > 1]
    fixed = sum(joint[:, s].max() for s in range(joint.shape[1]) if s not in ambiguous)
    options = [np.flatnonzero(joint[:, s]) for s in ambiguous]
    best = max(sum(joint[k, s] for k, s in zip(choice, ambiguous))
               for choice in itertools.product(*options))
    assert movies.per_frame_ceiling() == pytest.approx(fixed + best, abs=1e-12)


def test_sampling_is_seeded_and_follows_the_model(movies):
    s1, y1 = movies.sample(2000, seed=7)
    s2, y2 = movies.sample(2000, seed=7)
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(y1, y2)
    freq = np.bincount(y1.ravel(), minlength=len(movies.pi)) / y1.size
    np.testing.assert_allclose(freq, movies.pi, atol=0.01)
    # no shot is ever drawn from an activity that cannot produce it
    assert np.all(movies.B[y1, s1] > 0)


def test_empirical_ceiling_on_a_hand_checked_example():
    s = np.array([[0, 0, 0, 1], [1, 1, 0, 2]])
    y = np.array([[0, 1, 0, 2], [2, 1, 0, 1]])
    # shot 0: labels 0,1,0,0 -> 3 right; shot 1: 2,2,1 -> 2; shot 2: 1 -> 1
    assert frames.empirical_ceiling(s, y, n_labels=3) == pytest.approx(6 / 8)


def test_memory_beats_the_per_frame_ceiling(movies):
    s, y = movies.sample(300, seed=3)
    per_frame = frames.empirical_ceiling(s, y, len(movies.activities))
    assert movies.filtered_accuracy(s, y) > per_frame + 0.05
    # the per-frame guesses reach the empirical ceiling only when each shot's
    # majority label is the model's best label; they can never exceed it
    guesses = movies.per_frame_predictions(s)
    assert (guesses == y).mean() <= per_frame + 1e-12


def test_feedforward_reaches_the_ceiling_and_no_further(movies):
    torch.set_num_threads(1)  # a small net: one thread is several times faster
    s, y = movies.sample(200, seed=0)
    st, yt = movies.sample(200, seed=1)
    D = len(movies.objects)
    net, losses = frames.train_feedforward(
        movies.frames(s).reshape(-1, D), y.ravel(), len(movies.activities),
        frames.TrainConfig(epochs=200, seed=0))
    assert losses[-1] < losses[0]
    acc = frames.accuracy(net, movies.frames(st).reshape(-1, D), yt.ravel())
    ceiling = frames.empirical_ceiling(st, yt, len(movies.activities))
    assert acc <= ceiling + 1e-12
    assert acc > ceiling - 0.01


def test_training_is_deterministic(movies):
    s, y = movies.sample(50, seed=0)
    x = movies.frames(s).reshape(-1, len(movies.objects))
    cfg = frames.TrainConfig(epochs=20, seed=4)
    net1, l1 = frames.train_feedforward(x, y.ravel(), 7, cfg)
    net2, l2 = frames.train_feedforward(x, y.ravel(), 7, cfg)
    assert l1 == l2
    for p1, p2 in zip(net1.parameters(), net2.parameters()):
        assert torch.equal(p1, p2)


def test_movie_figure_rows_and_marks(movies):
    s, y = movies.sample(1, seed=2)
    guess = y[0].copy()
    guess[5] = (guess[5] + 1) % len(movies.activities)
    fig = movies.movie_figure(s[0], y[0], {"guess": guess})
    heat = fig.data[0]
    assert list(heat.y) == ["guess", "true activity"]
    np.testing.assert_array_equal(np.asarray(heat.z)[1], y[0])
    marks = np.asarray(heat.text)
    assert marks[0, 5] == "x" and (marks[0] == "x").sum() == 1


@pytest.mark.parametrize("call, match", [
    (lambda m: m.sample(0, seed=0), "n_movies must be >= 1"),
    (lambda m: m.filtered_accuracy(np.zeros((2, 3), int), np.zeros((3, 2), int)),
     r"\(n_movies, T\)"),
    (lambda m: m.per_frame_predictions(np.array([0, 99])),
     r"shot ids must be in 0\.\.10"),
    (lambda m: m.per_frame_predictions(np.array([0.5])), "integer array"),
    (lambda m: m.movie_figure(np.array([0, 1]), np.array([0, 1]), {"g": np.array([0])}),
     "must be a \\(T,\\) array"),
    (lambda m: frames.MovieModel(frames.FramesConfig(mean_scene_length=0.5)),
     "mean_scene_length must be >= 1"),
    (lambda m: frames.FeedForward(3, 4, 2, activation="swish"),
     "activation must be one of"),
    (lambda m: frames.train_feedforward(np.zeros((4, 3)), np.zeros(5), 2),
     r"x must be \(N, D\) and y \(N,\)"),
])
def test_bad_input_is_explained(movies, call, match):
    with pytest.raises(ValueError, match=match):
        call(movies)


def test_trainer_control_trains_and_reports(movies):
    s, y = movies.sample(60, seed=0)
    st, yt = movies.sample(30, seed=1)
    box = frames.trainer_control(movies, s, y, st, yt)
    activation, n_hidden, _ = box.children[0].children
    activation.value, n_hidden.value = "relu", 8
    box.train()
    text = "".join(o.get("text", "") for o in box.out.outputs)
    assert text.startswith("relu, 8 hidden units: test accuracy 0.")
    ceiling = frames.empirical_ceiling(st, yt, len(movies.activities))
    assert f"(per-frame ceiling {ceiling:.4f})" in text


def test_posterior_and_loss_floor_agree_with_samples(movies):
    s, y = movies.sample(3000, seed=11)
    post = movies.posterior()
    np.testing.assert_allclose(post.sum(axis=1), 1.0, atol=1e-12)
    counts = np.zeros_like(post)
    np.add.at(counts, (s.ravel(), y.ravel()), 1)
    freq = counts / counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(freq, post, atol=0.02)
    # the cross-entropy of the true posterior on samples estimates H(y | s)
    ce = -np.log(post[s.ravel(), y.ravel()]).mean()
    assert movies.loss_floor() == pytest.approx(ce, abs=0.01)
    # and a trained network's loss cannot go below it (up to sampling noise)
    _, losses = frames.train_feedforward(
        movies.frames(s[:300]).reshape(-1, len(movies.objects)), y[:300].ravel(),
        len(movies.activities), frames.TrainConfig(epochs=100))
    assert losses[-1] > movies.loss_floor() - 0.02


def test_empirical_loss_floor_hand_checked():
    s = np.array([[0, 0, 1, 1]])
    y = np.array([[0, 1, 2, 2]])
    # shot 0: labels half and half -> log 2 each; shot 1: always 2 -> 0
    expected = 2 * np.log(2) / 4
    assert frames.empirical_loss_floor(s, y, 3) == pytest.approx(expected, abs=1e-12)


def test_label_frequencies_hand_checked():
    s = np.array([[0, 0, 0, 2]])
    y = np.array([[1, 1, 0, 2]])
    freq = frames.label_frequencies(s, y, 3)
    np.testing.assert_allclose(freq, [[1 / 3, 2 / 3, 0], [0, 0, 0], [0, 0, 1]],
                               atol=1e-12)


def test_story_is_the_transitions_without_staying(movies):
    story = movies.story()
    np.testing.assert_allclose(story.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(np.diag(story), 0.0)
    act = movies.activities
    # shopping is followed by cooking 3 times in 4 (the STORY weights 3 : 1)
    assert story[act.index("shopping"), act.index("cooking")] == pytest.approx(0.75)
    # and A = s I + (1 - s) story for the stay probability s
    stay = 1 - 1 / movies.config.mean_scene_length
    np.testing.assert_allclose(movies.A, stay * np.eye(len(act)) + (1 - stay) * story,
                               atol=1e-12)


def test_fit_trains_any_module_and_matches_train_feedforward(movies):
    s, y = movies.sample(50, seed=0)
    x = movies.frames(s).reshape(-1, len(movies.objects))
    cfg = frames.TrainConfig(epochs=30, seed=2)
    _, losses = frames.train_feedforward(x, y.ravel(), 7, cfg)
    torch.manual_seed(cfg.seed)
    same = frames.FeedForward(x.shape[1], cfg.n_hidden, 7, cfg.activation)
    assert frames.fit(same, x, y.ravel(), cfg) == losses
    torch.manual_seed(0)
    linear = torch.nn.Linear(x.shape[1], 7)
    lin_losses = frames.fit(linear, x, y.ravel(), cfg)
    assert len(lin_losses) == 30 and lin_losses[-1] < lin_losses[0] - 0.3
    with pytest.raises(ValueError, match=r"x must be \(N, D\)"):
        frames.fit(linear, x, y.ravel()[:-1], cfg)
