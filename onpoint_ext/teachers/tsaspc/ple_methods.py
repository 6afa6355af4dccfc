"""The three timestamp-constrained clusterings of Pseudo-Label Ensembling (teachers-spec §2.2).

Each takes the features of one stream ``(L, D)`` and the stamps (n,) (strictly ascending step
indices) and returns a full labelling ``owner`` (L,) int64: the index ``i`` of the stamp whose
segment each frame joins (``NO_OWNER`` everywhere when there is no stamp). Every stamp stays
inside its own segment and segments are contiguous and ordered, so segment ``i`` is one run of
frames containing stamp ``i``.

Distances are Euclidean on raw features. Block sums of the pairwise distance matrix come from
one integral image (:class:`DistanceTable`), so k-medoids and agglomerative clustering cost
O(L) per step and O(L^2) memory (fine at snippet rate: L = 1400 -> 16 MB).
"""
from __future__ import annotations

import numpy as np

NO_OWNER = -1


class DistanceTable:
    """Integral image ``S[a, b] = sum_{i<a, j<b} ||x_i - x_j||`` of one stream's features.

    ``block(a0, a1, b0, b1)`` = sum of distances between frames ``[a0, a1)`` and ``[b0, b1)``;
    ``row_prefix(i, k)`` = sum of distances from frame ``i`` to frames ``[0, k)``. Index
    arguments may be numpy arrays (broadcast).
    """

    def __init__(self, features: np.ndarray):
        x = np.asarray(features, dtype=np.float64)
        squared = (x * x).sum(axis=1)
        distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2.0 * x @ x.T, 0.0))
        np.fill_diagonal(distances, 0.0)
        self.num_frames = len(x)
        self.integral = np.zeros((len(x) + 1, len(x) + 1))
        self.integral[1:, 1:] = distances.cumsum(axis=0).cumsum(axis=1)

    def block(self, a0, a1, b0, b1):
        s = self.integral
        return s[a1, b1] - s[a0, b1] - s[a1, b0] + s[a0, b0]

    def row_prefix(self, i, k):
        return self.integral[i + 1, k] - self.integral[i, k]


def owners_from_boundaries(boundaries: np.ndarray, num_frames: int) -> np.ndarray:
    """Boundaries ``b_0 < ... < b_{n-2}`` (frame ``b_j`` starts segment ``j+1``) -> owner (L,)."""
    owner = np.zeros(num_frames, dtype=np.int64)
    for boundary in boundaries:
        owner[boundary:] += 1
    return owner


def energy_split(features: np.ndarray, stamps: np.ndarray) -> np.ndarray:
    """Li et al.'s energy split: per stamp pair, the boundary minimising the summed distance of
    frames to their segment centre, found forward and backward, then averaged (integer mean).

    Forward, pair ``(t_j, t_{j+1})``, candidate ``b`` in ``(t_j, t_{j+1}]``: the left centre is
    the mean of ``[previous forward boundary, b)`` and its cost sums frames ``[t_j, b)``; the
    right centre and cost use ``[b, t_{j+1}]``. Backward mirrors it (the right centre runs to
    the previous backward boundary). Ties take the earliest candidate.
    """
    features = np.asarray(features, dtype=np.float64)
    stamps = np.asarray(stamps, dtype=np.int64)
    num_frames = len(features)
    if not len(stamps):
        return np.full(num_frames, NO_OWNER, dtype=np.int64)
    prefix = np.zeros((num_frames + 1, features.shape[1]))
    prefix[1:] = features.cumsum(axis=0)

    def spread(lo: int, hi: int, centre_lo: int, centre_hi: int) -> float:
        centre = (prefix[centre_hi] - prefix[centre_lo]) / (centre_hi - centre_lo)
        return float(np.linalg.norm(features[lo:hi] - centre, axis=1).sum())

    forward, left_edge = [], 0
    for start, stop in zip(stamps[:-1], stamps[1:] + 1):
        costs = [spread(start, b, left_edge, b) + spread(b, stop, b, stop)
                 for b in range(start + 1, stop)]
        left_edge = start + 1 + int(np.argmin(costs))
        forward.append(left_edge)
    backward, right_edge = [], num_frames
    for start, stop in zip(stamps[-2::-1], stamps[:0:-1] + 1):
        costs = [spread(start, b, start, b) + spread(b, stop, b, right_edge)
                 for b in range(start + 1, stop)]
        right_edge = start + 1 + int(np.argmin(costs))
        backward.append(right_edge)
    boundaries = (np.array(forward, dtype=np.int64) + np.array(backward[::-1], dtype=np.int64)) // 2
    return owners_from_boundaries(boundaries, num_frames)


def _first_argmin_per_group(values: np.ndarray, group_starts: np.ndarray) -> np.ndarray:
    """Index (into ``values``) of the first minimum of each contiguous group."""
    minima = np.minimum.reduceat(values, group_starts)
    lengths = np.diff(np.append(group_starts, len(values)))
    positions = np.where(values == np.repeat(minima, lengths), np.arange(len(values)), len(values))
    return np.minimum.reduceat(positions, group_starts)


def constrained_k_medoids(features: np.ndarray, stamps: np.ndarray, max_iters: int = 300,
                          tol: float = 1e-4, table: DistanceTable | None = None) -> np.ndarray:
    """Constrained k-medoids: medoids start at the stamps; alternate (i) per stamp pair the
    boundary minimising the summed distance of the frames between them to their two medoids,
    (ii) each medoid <- the frame of its segment with the smallest summed distance to the
    segment, changed only when that improves by more than ``tol``; until no medoid moves or
    ``max_iters`` rounds."""
    stamps = np.asarray(stamps, dtype=np.int64)
    table = table or DistanceTable(features)
    num_frames, frames = table.num_frames, np.arange(table.num_frames)
    if not len(stamps):
        return np.full(num_frames, NO_OWNER, dtype=np.int64)
    # candidate boundaries b in (t_j, t_{j+1}] of every pair j, flattened
    gaps = np.diff(stamps)
    pair = np.repeat(np.arange(len(gaps)), gaps)
    group_starts = np.concatenate([[0], np.cumsum(gaps)[:-1]]).astype(np.int64)
    candidate = stamps[pair] + 1 + np.arange(len(pair)) - group_starts[pair]
    medoids = stamps.copy()
    boundaries = np.zeros(0, dtype=np.int64)
    for _ in range(max_iters):
        if len(gaps):
            left, right = medoids[pair], medoids[pair + 1]
            cost = (table.row_prefix(left, candidate) - table.row_prefix(left, stamps[pair])
                    + table.row_prefix(right, stamps[pair + 1] + 1)
                    - table.row_prefix(right, candidate))
            boundaries = candidate[_first_argmin_per_group(cost, group_starts)]
        edges = np.concatenate([[0], boundaries, [num_frames]]).astype(np.int64)
        segment = owners_from_boundaries(boundaries, num_frames)
        within = table.row_prefix(frames, edges[segment + 1]) - table.row_prefix(frames,
                                                                                  edges[segment])
        best = _first_argmin_per_group(within, edges[:-1])
        current = (table.row_prefix(medoids, edges[1:]) - table.row_prefix(medoids, edges[:-1]))
        moved = within[best] < current - tol
        if not moved.any():
            break
        medoids = np.where(moved, best, medoids)
    return owners_from_boundaries(boundaries, num_frames)


def temporal_agglomerative(features: np.ndarray, stamps: np.ndarray,
                           table: DistanceTable | None = None) -> np.ndarray:
    """Temporal agglomerative clustering: from single frames, repeatedly merge the adjacent pair
    of clusters with the smallest average linkage (mean pairwise distance) until one cluster
    per stamp remains. Two clusters that both hold a stamp never merge (the reference sets the
    distance between stamp frames to 1e9). Ties take the earliest pair."""
    stamps = np.asarray(stamps, dtype=np.int64)
    table = table or DistanceTable(features)
    num_frames = table.num_frames
    if not len(stamps):
        return np.full(num_frames, NO_OWNER, dtype=np.int64)
    starts = np.arange(num_frames)
    ends = starts + 1
    has_stamp = np.zeros(num_frames, dtype=bool)
    has_stamp[stamps] = True

    def linkage(i: int) -> float:
        if has_stamp[i] and has_stamp[i + 1]:
            return np.inf
        total = table.block(starts[i], ends[i], starts[i + 1], ends[i + 1])
        return total / ((ends[i] - starts[i]) * (ends[i + 1] - starts[i + 1]))

    links = np.array([linkage(i) for i in range(num_frames - 1)])
    while len(starts) > len(stamps):
        i = int(np.argmin(links))
        ends[i], has_stamp[i] = ends[i + 1], has_stamp[i] | has_stamp[i + 1]
        starts, ends = np.delete(starts, i + 1), np.delete(ends, i + 1)
        has_stamp, links = np.delete(has_stamp, i + 1), np.delete(links, i)
        for j in (i - 1, i):
            if 0 <= j < len(starts) - 1:
                links[j] = linkage(j)
    return owners_from_boundaries(starts[1:], num_frames)
