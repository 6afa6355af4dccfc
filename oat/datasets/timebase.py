"""The one mapping between seconds and feature steps, used everywhere (oat-spec §1.4).

OAT assumes no fixed rate: a video with ``num_steps`` features and annotated ``duration``
seconds gives every step the same length ``dt = duration / num_steps``, and step ``t`` COVERS
``[t, t + 1) * dt`` seconds. Continuous step coordinates map linearly (``x * dt``), so step ``t``
starts at ``t * dt``; a segment ``[s, e)`` in seconds covers the steps it overlaps. When a
per-step value is read as a sample at one instant (resampling one grid onto another), that
instant is the step's centre ``(t + 0.5) * dt`` (:func:`step_centres`): the value describes the
whole interval, so the centre is where it is unbiased.
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


def step_centres(num_steps: int, duration: float) -> np.ndarray:
    """(num_steps,) float64 seconds of every step's centre, ``(t + 0.5) * duration / num_steps``."""
    return steps_to_seconds(np.arange(num_steps) + 0.5, num_steps, duration)


def _check(num_steps: int, duration: float) -> None:
    if num_steps <= 0 or not duration > 0:
        raise ValueError(f"need num_steps > 0 and duration > 0, got {num_steps} and {duration}")
