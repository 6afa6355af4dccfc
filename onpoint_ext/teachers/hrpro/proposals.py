"""Stage-1 "positive proposals" PP: multi-threshold runs of the CAS with outer-inner contrast
scores (teachers-spec §1.7).

For each class, the class column ``a`` of the fused CAS and the class-agnostic actionness
``u = 1 - b`` are up-sampled x2; every maximal run above each of 10 thresholds on ``a`` and 9 on
``u`` is a candidate, scored by outer-inner contrast (OIC). PP is the union of all candidates,
duplicates included, no NMS. Times are seconds on the teacher grid (``oat.datasets.timebase``).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from oat.datasets.timebase import steps_to_seconds
from onpoint_ext.teachers.cache import TeacherSegments

ACTION_THRESHOLDS = tuple(round(0.025 * i, 3) for i in range(10))  # 0, 0.025, ..., 0.225
ACTIONNESS_THRESHOLDS = tuple(round(0.5 + 0.025 * i, 3) for i in range(9))  # 0.5, ..., 0.7


class Proposals(TeacherSegments):
    """Temporal proposals of one video: segments (K, 2) seconds, labels (K,) class indices
    (0..C-1), scores (K,); :class:`TeacherSegments` plus selection helpers."""

    __slots__ = ()

    @classmethod
    def empty(cls) -> Proposals:
        """No proposals."""
        return cls(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), np.zeros(0))

    @classmethod
    def concatenate(cls, parts: Iterable[Proposals]) -> Proposals:
        """All rows of several proposal sets, in order."""
        parts = list(parts)
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate(column) for column in zip(*parts)))

    def take(self, index) -> Proposals:
        """Rows selected by an index array or boolean mask."""
        return Proposals(self.segments[index], self.labels[index], self.scores[index])


def upsample_twice(values: np.ndarray) -> np.ndarray:
    """(T,) -> (2T,): half-step i covers steps ``[i/2, (i+1)/2)`` and is read at its centre.

    Step k's value sits at its centre k + 0.5 (``oat.datasets.timebase``), so half-steps 2k and
    2k+1 (centres k + 0.25, k + 0.75) are ``0.75 v_k + 0.25 v_{k-1}`` and
    ``0.75 v_k + 0.25 v_{k+1}`` (linear interpolation between centres; the edges hold the end
    value). This keeps each half-step's content in place.
    """
    values = np.asarray(values, dtype=np.float64)
    positions = np.arange(2 * len(values)) / 2.0 - 0.25  # half-step centres, in step-value index
    return np.interp(positions, np.arange(len(values)), values)


def runs_of(mask: np.ndarray) -> np.ndarray:
    """Maximal runs of True in a (N,) bool mask -> (R, 2) int rows ``[first, last]`` inclusive."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.diff(padded)
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1], axis=1)


def outer_inner_contrast(signal: np.ndarray, runs: np.ndarray) -> np.ndarray:
    """OIC score per run: mean inside ``[i, j]`` minus the mean over the outer margins.

    With n = j - i + 1 the outer region is ``[max(0, floor(i - n/4)), i)`` and
    ``(j, min(N - 1, floor(j + n/4))]``; an empty outer region counts as 0. (R,) float64.
    """
    if len(runs) == 0:
        return np.zeros(0)
    last = len(signal) - 1
    prefix = np.concatenate([[0.0], np.cumsum(signal)])
    first_idx, last_idx = runs[:, 0], runs[:, 1]
    length = last_idx - first_idx + 1
    inner = (prefix[last_idx + 1] - prefix[first_idx]) / length
    left = np.maximum(0, np.floor(first_idx - length / 4).astype(np.int64))
    right = np.minimum(last, np.floor(last_idx + length / 4).astype(np.int64))
    outer_sum = (prefix[first_idx] - prefix[left]) + (prefix[right + 1] - prefix[last_idx + 1])
    outer_count = (first_idx - left) + (right - last_idx)
    outer = np.where(outer_count > 0, outer_sum / np.maximum(outer_count, 1), 0.0)
    return inner - outer


def positive_proposals(cas: np.ndarray, classes: Iterable[int], duration: float,
                       action_thresholds: Iterable[float] = ACTION_THRESHOLDS,
                       actionness_thresholds: Iterable[float] = ACTIONNESS_THRESHOLDS,
                       ) -> Proposals:
    """PP of one video for the given classes.

    Args:
        cas: (T, C+1) fused CAS probabilities, background LAST.
        classes: class indices to generate proposals for.
        duration: video duration in seconds (maps steps to seconds per video).
    """
    num_steps = cas.shape[0]
    actionness = upsample_twice(1.0 - cas[:, -1])
    parts = []
    for c in classes:
        activation = upsample_twice(cas[:, c])
        for threshold in action_thresholds:
            keep = (activation >= threshold) & (activation > 0)
            parts.append(_score_runs(np.where(keep, activation, 0.0), keep, c))
        for threshold in actionness_thresholds:
            keep = (actionness >= threshold) & (actionness > 0)
            parts.append(_score_runs(activation, keep, c))
    proposals = Proposals.concatenate(parts)
    # up-sampled position i covers steps [i/2, (i+1)/2)
    half_steps = proposals.segments * 0.5 + np.array([0.0, 0.5])
    return proposals._replace(segments=steps_to_seconds(half_steps, num_steps, duration))


def _score_runs(signal: np.ndarray, keep: np.ndarray, label: int) -> Proposals:
    """Runs of ``keep`` as proposals in up-sampled index units ``[i, j]``, scored on ``signal``."""
    runs = runs_of(keep)
    return Proposals(runs.astype(np.float64).reshape(-1, 2),
                     np.full(len(runs), label, dtype=np.int64),
                     outer_inner_contrast(signal, runs))
