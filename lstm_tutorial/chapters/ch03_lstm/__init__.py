"""Chapter 3, the LSTM: everything the notebook ``03_lstm`` runs.

- ``diagrams``: the cell as four networks, the standard cell diagram, the
  sentence step-through;
- ``what_if``: gates forced by hand, the live what-if control;
- ``experiments``: the swap and forget-bias experiments;
- ``carousel``: the constant error carousel, measured (dc_T/dc_t vs dh_T/dh_t);
- ``toggle``: the push-button lamp, a gate that reads h_{t-1}, checked.
"""

from __future__ import annotations

from lstm_tutorial.chapters.ch03_lstm.carousel import carousel_gradients
from lstm_tutorial.chapters.ch03_lstm.diagrams import (
    NETWORK_COLOURS,
    four_networks_figure,
    lstm_cell_figure,
    start_at,
    word_step_through,
)
from lstm_tutorial.chapters.ch03_lstm.experiments import (
    VARIANTS,
    ForgetBiasConfig,
    SwapConfig,
    forget_bias_experiment,
    forget_bias_figure,
    sign_sources,
    summary_table,
    swap_experiment,
    swap_model,
)
from lstm_tutorial.chapters.ch03_lstm.toggle import (
    lamp_machine,
    toggle_agreement,
    without_recurrence,
)
from lstm_tutorial.chapters.ch03_lstm.what_if import (
    SentenceWhatIf,
    cell_vs_hidden_figure,
    gated_memory,
    weight_lines,
    what_if,
    what_if_figure,
)

__all__ = [
    "VARIANTS",
    "NETWORK_COLOURS",
    "four_networks_figure",
    "lstm_cell_figure",
    "start_at",
    "word_step_through",
    "gated_memory",
    "weight_lines",
    "cell_vs_hidden_figure",
    "what_if",
    "what_if_figure",
    "SentenceWhatIf",
    "SwapConfig",
    "swap_model",
    "swap_experiment",
    "sign_sources",
    "ForgetBiasConfig",
    "forget_bias_experiment",
    "summary_table",
    "forget_bias_figure",
    "carousel_gradients",
    "lamp_machine",
    "toggle_agreement",
    "without_recurrence",
]
