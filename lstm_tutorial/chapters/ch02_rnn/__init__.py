"""Chapter 2, recurrent networks: everything the notebook ``02_rnn`` runs.

One module per part of the chapter:

- ``loop``: the equation as a plain loop, the diagrams, step-throughs;
- ``turnstile``: the hand-set turnstile on every string, weights changed;
- ``learned``: the hand-set turnstile next to a trained one;
- ``fading``: the France LED, gradient norms and the long-gap recall sweep;
- ``backprop``: backpropagation through time drawn, exploding gradients and
  gradient clipping.
"""

from __future__ import annotations

from lstm_tutorial.chapters.ch02_rnn.loop import (
    rnn_forward,
    unrolled_figure,
    state_machine_figure,
    RNNSteps,
    as_model,
    rnn_steps,
    short_number,
    rnn_step_through,
)
from lstm_tutorial.chapters.ch02_rnn.turnstile import (
    TURNSTILE_OUTPUTS,
    Agreement,
    all_strings,
    turnstile_agreement,
    turnstile_random_agreement,
    weight_names,
    with_weights,
    Margin,
    weight_margins,
    break_figure,
    turnstile_view_figure,
    TurnstileBreaker,
)
from lstm_tutorial.chapters.ch02_rnn.learned import (
    rnn_weights,
    weights_figure,
    machine_states,
    STATE_CASES,
    state_vectors,
    state_table,
)
from lstm_tutorial.chapters.ch02_rnn.fading import (
    WordRNN,
    france_led,
    led_heatmap,
    fixed_point,
    gradient_norms,
    RecallConfig,
    RecallRun,
    recall_test_texts,
    recall_run,
    recall_sweep,
    recall_model_sizes,
    recall_confusion,
    recall_gradients,
    continue_recall,
    recall_table,
    recall_figure,
    gradient_figure,
)
from lstm_tutorial.chapters.ch02_rnn.backprop import (
    bptt_figure,
    spectral_radius,
    with_spectral_radius,
    Latch,
    latch_forward,
    latch_loss_grad,
    latch_sensitivity,
    clip_by_norm,
    Step,
    descend,
    cliff_figure,
)

__all__ = [
    "rnn_forward",
    "unrolled_figure",
    "state_machine_figure",
    "RNNSteps",
    "as_model",
    "rnn_steps",
    "short_number",
    "rnn_step_through",
    "TURNSTILE_OUTPUTS",
    "Agreement",
    "all_strings",
    "turnstile_agreement",
    "turnstile_random_agreement",
    "weight_names",
    "with_weights",
    "Margin",
    "weight_margins",
    "break_figure",
    "turnstile_view_figure",
    "TurnstileBreaker",
    "rnn_weights",
    "weights_figure",
    "machine_states",
    "STATE_CASES",
    "state_vectors",
    "state_table",
    "WordRNN",
    "france_led",
    "led_heatmap",
    "fixed_point",
    "gradient_norms",
    "RecallConfig",
    "RecallRun",
    "recall_test_texts",
    "recall_run",
    "recall_sweep",
    "recall_model_sizes",
    "recall_confusion",
    "recall_gradients",
    "continue_recall",
    "recall_table",
    "recall_figure",
    "gradient_figure",
    "bptt_figure",
    "spectral_radius",
    "with_spectral_radius",
    "Latch",
    "latch_forward",
    "latch_loss_grad",
    "latch_sensitivity",
    "clip_by_norm",
    "Step",
    "descend",
    "cliff_figure",
]
