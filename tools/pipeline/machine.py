"""Which machine a stage ran on, recorded with its result.

Same seed and same machine give bit-identical runs (``tests/reliability/test_determinism.py``);
across machines they need not: float32 kernels differ between CPU kinds (vector instruction
sets), library versions and thread counts, and a training run amplifies the last-bit
differences. A work dir filled by several sessions may hold stages from several machines; the
report says so.
"""
from __future__ import annotations

import os
import platform
from collections.abc import Mapping

import numpy as np
import torch

CPUINFO = "/proc/cpuinfo"


def cpu_model(cpuinfo: str = CPUINFO) -> str:
    """The CPU's model name (Linux ``/proc/cpuinfo``), else what :mod:`platform` knows."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine_description(env: Mapping[str, str]) -> str:
    """One line naming what decides a stage's float32 bits: CPU model and vector instruction set,
    core count, torch / numpy versions and the stage's ``OMP_NUM_THREADS`` (from ``env``)."""
    return (f"{cpu_model()} ({platform.machine()}, {os.cpu_count()} cores, "
            f"{torch.backends.cpu.get_cpu_capability()}), torch {torch.__version__}, "
            f"numpy {np.__version__}, OMP_NUM_THREADS={env.get('OMP_NUM_THREADS', 'unset')}")
