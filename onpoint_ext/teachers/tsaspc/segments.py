"""TSASPC's pseudo segments (teachers-spec §2.7): maximal runs of one non-background argmax class.

[choice, spec §2.7] The score of a run is the mean probability of its class over the run; runs
shorter than ``min_steps`` are dropped (1 = keep all, the default).
"""
from __future__ import annotations

import numpy as np

from oat.datasets.timebase import steps_to_seconds
from onpoint_ext.teachers.cache import TeacherSegments


def argmax_runs(cas: np.ndarray, duration: float, min_steps: int = 1) -> TeacherSegments:
    """Runs of the per-step argmax of ``cas`` (T, C+1) probabilities (background LAST).

    Returns segments (K, 2) seconds ``[start, end)`` on the grid of ``cas``
    (``oat.datasets.timebase``), labels (K,) in ``0..C-1``, scores (K,), in time order.
    """
    cas = np.asarray(cas)
    num_steps, background = cas.shape[0], cas.shape[1] - 1
    predicted = cas.argmax(axis=1)
    starts = np.flatnonzero(np.diff(predicted, prepend=-1))
    ends = np.append(starts[1:], num_steps)
    labels = predicted[starts]
    keep = (labels != background) & (ends - starts >= min_steps)
    starts, ends, labels = starts[keep], ends[keep], labels[keep]
    scores = np.array([cas[s:e, c].mean() for s, e, c in zip(starts, ends, labels)],
                      dtype=np.float64)
    segments = steps_to_seconds(np.stack([starts, ends], axis=1), num_steps, duration)
    return TeacherSegments(segments.reshape(-1, 2), labels.astype(np.int64), scores)
