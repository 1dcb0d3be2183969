"""Importing the package pins torch's numerical paths (same numbers on any CPU)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_import_pins_torch_to_the_baseline_kernels():
    code = ("import torch, lstm_tutorial; torch.zeros(2) + 1; "
            "print(torch.backends.cpu.get_cpu_capability())")
    env = {k: v for k, v in os.environ.items()
           if k not in ("ATEN_CPU_CAPABILITY", "MKL_CBWR")}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[-1] == "DEFAULT"


def test_a_setting_in_the_environment_is_kept():
    code = "import os, lstm_tutorial; print(os.environ['MKL_CBWR'])"
    env = dict(os.environ, MKL_CBWR="AVX2")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[-1] == "AVX2"
