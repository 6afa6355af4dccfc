"""Label propagation of TSASPC's iterative clustering (teachers-spec §2.5).

From the switch epoch on, every mini-batch grows each stamp's segment ``[l_i, r_i)`` into the
unlabelled gaps, by distance to the segment means of the (detached, L2-normalised) middle
representation. The labelled region only grows; the first / last segment reach the video ends.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def leading_true(flags: np.ndarray) -> int:
    """Number of leading True values of a 1-D bool array."""
    stops = np.flatnonzero(~flags)
    return int(stops[0]) if len(stops) else len(flags)


def propagate_intervals(middle: torch.Tensor, intervals: np.ndarray) -> np.ndarray:
    """Grow the segments of one video; returns new (n, 2) int64 ``[l_i, r_i)``.

    middle: (F, T) features (detached here, normalised over channels). Segment means ``mu_i``
    over the current intervals; in each gap ``[r_i, l_{i+1})`` segment i extends right while a
    step is at least as close to ``mu_i`` as to ``mu_{i+1}``, then segment i+1 extends left (not
    past the new ``r_i``) while a step is at least as close to ``mu_{i+1}``. Steps still in
    between stay unlabelled. ``l_0`` becomes 0 and ``r_{n-1}`` becomes T.
    """
    intervals = np.array(intervals, dtype=np.int64).reshape(-1, 2)
    if not len(intervals):
        return intervals
    features = F.normalize(middle.detach().float(), p=2, dim=0).t()  # (T, F)
    means = torch.stack([features[lo:hi].mean(dim=0) for lo, hi in intervals])
    distances = torch.cdist(features, means).cpu().numpy()  # (T, n)
    for i in range(len(intervals) - 1):
        gap = np.arange(intervals[i, 1], intervals[i + 1, 0])
        to_left = distances[gap, i] <= distances[gap, i + 1]
        intervals[i, 1] += leading_true(to_left)
        rest = np.arange(intervals[i, 1], intervals[i + 1, 0])[::-1]
        intervals[i + 1, 0] -= leading_true(distances[rest, i + 1] <= distances[rest, i])
    intervals[0, 0], intervals[-1, 1] = 0, len(features)
    return intervals
