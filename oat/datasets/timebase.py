"""The one mapping between seconds and feature steps, used everywhere (oat-spec §1.4).

OAT assumes no fixed rate: a video with ``num_steps`` features and annotated ``duration``
seconds places step ``t`` at ``t * duration / num_steps`` seconds (the start of its chunk, no
half-step centring).
"""
from __future__ import annotations

import numpy as np


def seconds_to_steps(seconds, num_steps: int, duration: float):
    """Seconds -> continuous step coordinates (``x * T / D``, no rounding)."""
    _check(num_steps, duration)
    return np.asarray(seconds, dtype=np.float64) * (num_steps / duration)


def steps_to_seconds(steps, num_steps: int, duration: float):
    """Continuous step coordinates -> seconds (``x * D / T``)."""
    _check(num_steps, duration)
    return np.asarray(steps, dtype=np.float64) * (duration / num_steps)


def _check(num_steps: int, duration: float) -> None:
    if num_steps <= 0 or not duration > 0:
        raise ValueError(f"need num_steps > 0 and duration > 0, got {num_steps} and {duration}")
