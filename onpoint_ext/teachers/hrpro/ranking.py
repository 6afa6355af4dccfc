"""Reliability ranking: one reliable proposal (RP) per point label (teachers-spec §1.8).

RP are the HR-Pro pseudo segments OnPoint trains on. For a point at ``t_i`` (seconds) of class
c, among the positive proposals of class c that contain ``t_i``, prefer those lying strictly
between the neighbouring points (any class; sentinels -1 and 1e5), then any containing one;
the highest positive score wins, or the point has no RP. Identical picks are merged.
"""
from __future__ import annotations

import numpy as np

from onpoint_ext.teachers.hrpro.proposals import Proposals

_BEFORE_FIRST, _AFTER_LAST = -1.0, 1e5


def reliable_proposals(proposals: Proposals, point_times: np.ndarray,
                       point_labels: np.ndarray) -> Proposals:
    """RP of one video.

    Args:
        proposals: the video's PP (seconds).
        point_times: (n,) point times in seconds; point_labels: (n,) class indices.

    Returns:
        at most one proposal per point, duplicates (same start, end, class) merged.
    """
    order = np.argsort(point_times, kind="stable")
    times = np.asarray(point_times, dtype=np.float64)[order]
    labels = np.asarray(point_labels, dtype=np.int64)[order]
    bounded = np.concatenate([[_BEFORE_FIRST], times, [_AFTER_LAST]])
    starts, ends = proposals.segments[:, 0], proposals.segments[:, 1]
    chosen = []
    for i, (time, label) in enumerate(zip(times, labels)):
        candidates = (proposals.labels == label) & (starts <= time) & (ends >= time)
        candidates &= proposals.scores > 0
        between = candidates & (starts > bounded[i]) & (ends < bounded[i + 2])
        pool = between if between.any() else candidates
        if pool.any():
            index = np.flatnonzero(pool)
            chosen.append(index[np.argmax(proposals.scores[index])])
    return merge_duplicates(proposals.take(np.array(chosen, dtype=np.int64)))


def merge_duplicates(proposals: Proposals) -> Proposals:
    """One proposal per distinct (start, end, class), the highest-scoring one, in time order."""
    if len(proposals.scores) == 0:
        return proposals
    order = np.lexsort((-proposals.scores, proposals.labels, proposals.segments[:, 1],
                        proposals.segments[:, 0]))
    ordered = proposals.take(order)
    key = np.column_stack([ordered.segments, ordered.labels])
    first = np.ones(len(ordered.scores), dtype=bool)
    first[1:] = np.any(key[1:] != key[:-1], axis=1)
    return ordered.take(first)
