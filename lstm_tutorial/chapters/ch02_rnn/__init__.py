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

from lstm_tutorial.chapters.ch02_rnn.backprop import (
    Latch,
    Step,
    bptt_figure,
    cliff_figure,
    clip_by_norm,
    descend,
    latch_forward,
    latch_loss_grad,
    latch_sensitivity,
    spectral_radius,
    with_spectral_radius,
)
from lstm_tutorial.chapters.ch02_rnn.fading import (
    RECALL_RESULTS,
    RecallConfig,
    RecallRun,
    WordRNN,
    continue_recall,
    fixed_point,
    france_led,
    gradient_figure,
    gradient_norms,
    led_heatmap,
    load_recall_runs,
    recall_confusion,
    recall_figure,
    recall_gradients,
    recall_model_sizes,
    recall_run,
    recall_sweep,
    recall_table,
    recall_test_texts,
    save_recall_runs,
)
from lstm_tutorial.chapters.ch02_rnn.learned import (
    STATE_CASES,
    machine_states,
    rnn_weights,
    state_table,
    state_vectors,
    weights_figure,
)
from lstm_tutorial.chapters.ch02_rnn.loop import (
    RNNSteps,
    as_model,
    rnn_forward,
    rnn_step_through,
    rnn_steps,
    short_number,
    state_machine_figure,
    unrolled_figure,
)
from lstm_tutorial.chapters.ch02_rnn.turnstile import (
    TURNSTILE_OUTPUTS,
    Margin,
    TurnstileBreaker,
    break_figure,
    turnstile_agreement,
    turnstile_random_agreement,
    turnstile_view_figure,
    weight_margins,
    weight_names,
    with_weights,
)
from lstm_tutorial.machines import Agreement, all_strings

__all__ = [
    "RECALL_RESULTS",
    "load_recall_runs",
    "save_recall_runs",
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
