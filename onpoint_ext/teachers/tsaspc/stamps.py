"""Timestamps on the teacher grid: action points plus optional background points -> one
ascending list of distinct step indices with their classes (background = C, LAST).

TSASPC's timestamps are frame indices, one per segment. Ours come from point times (seconds):
step ``floor(t * T / duration)`` (``oat.datasets.timebase``), clipped to ``[0, T-1]``.
[our choice] When several points land on one step, one stamp is kept: an action point wins over
a background point, then the earlier point wins. Built from point times only, never from
segment boundaries.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from oat.datasets.timebase import seconds_to_steps


class Timestamps(NamedTuple):
    """Timestamps of one video: ``steps`` (n,) int64, strictly ascending teacher steps;
    ``labels`` (n,) int64 classes in ``0..C`` (``C`` = background)."""

    steps: np.ndarray
    labels: np.ndarray


def timestamps_on_grid(times: np.ndarray, labels: np.ndarray, num_steps: int, duration: float,
                       background_label: int) -> Timestamps:
    """Map points (seconds, classes in ``0..C``) onto the grid and keep one stamp per step.

    Args:
        times: (n,) point times in seconds.
        labels: (n,) classes; ``background_label`` (= C) marks background points.
        num_steps, duration: the video's teacher grid (T steps over ``duration`` seconds).
    """
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if len(times) != len(labels):
        raise ValueError(f"timestamps: {len(times)} times but {len(labels)} labels")
    if not len(times):
        return Timestamps(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    steps = np.floor(seconds_to_steps(times, num_steps, duration)).astype(np.int64)
    steps = np.clip(steps, 0, num_steps - 1)
    # lexsort: last key is primary -> by step, then action before background, then time
    order = np.lexsort((times, labels == background_label, steps))
    steps, labels = steps[order], labels[order]
    first = np.ones(len(steps), dtype=bool)
    first[1:] = steps[1:] != steps[:-1]
    return Timestamps(steps[first], labels[first])


def frame_targets(intervals: np.ndarray, stamp_labels: np.ndarray, num_steps: int,
                  ignore_index: int = -100) -> np.ndarray:
    """(T,) int64 CE targets: class of stamp i on ``[l_i, r_i)``, ``ignore_index`` elsewhere.

    intervals: (n, 2) int ``[l_i, r_i)`` steps, one per stamp.
    """
    targets = np.full(num_steps, ignore_index, dtype=np.int64)
    for (left, right), label in zip(np.asarray(intervals).reshape(-1, 2), stamp_labels):
        targets[left:right] = label
    return targets
