"""Chapter 5: the GRU, the peephole LSTM and the LSTM's family, head to head.

- ``path``: from the LSTM to the GRU in three steps (couple the gates, merge the
  states, add the reset), each replayed in numpy; parameter counts.
- ``counting``: can a GRU count? The hand-set GRU counter's float limit, and the
  units of trained models that count up and back down.
- ``timing``: the interval task where peepholes should help.
- ``family``: Greff's variants in miniature: table, figure, step times.
- ``results``: the shipped results of ``scripts/ch05_*.py``, read back.
"""

from .counting import (
    KIND_NAMES,
    counters,
    counting_units,
    creep_figure,
    exact_at,
    gru_stall,
    limits_figure,
    limits_table,
    step_through,
)
from .family import (
    SHORT_TASK_NAMES,
    TASK_NAMES,
    beyond,
    family_figure,
    family_table,
    step_times,
)
from .path import PATH, param_count, replay_gap
from .results import load
from .timing import by_interval_figure, interval_exact, limit_of

__all__ = [
    "KIND_NAMES",
    "PATH",
    "SHORT_TASK_NAMES",
    "TASK_NAMES",
    "beyond",
    "by_interval_figure",
    "counters",
    "counting_units",
    "creep_figure",
    "exact_at",
    "family_figure",
    "family_table",
    "gru_stall",
    "interval_exact",
    "limit_of",
    "limits_figure",
    "limits_table",
    "load",
    "param_count",
    "replay_gap",
    "step_through",
    "step_times",
]
