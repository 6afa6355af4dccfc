"""Class-wise greedy NMS with OAT's hull-floored overlap (oat-spec §2.5, §6.3, quirk 4)."""
from __future__ import annotations

import numpy as np

from oat.inference.proposals import Proposals


def hull_overlap(start: float, end: float, starts, ends, floor: float = 1.0) -> np.ndarray:
    """Overlap of ``[start, end]`` with each ``[starts[i], ends[i]]``.

    ``(min(e1, e2) - max(s1, s2)) / max(max(e1, e2) - min(s1, s2), floor)``: the usual tIoU
    when the intervals overlap, negative when they do not; the hull (span) is floored at
    ``floor`` (1 second in NMS/ONMS, 1 step in training and OSN data).
    """
    starts = np.asarray(starts, dtype=np.float64)
    ends = np.asarray(ends, dtype=np.float64)
    inner = np.minimum(end, ends) - np.maximum(start, starts)
    hull = np.maximum(np.maximum(end, ends) - np.minimum(start, starts), floor)
    return inner / hull


def classwise_nms(proposals: Proposals, threshold: float = 0.3, floor: float = 1.0) -> np.ndarray:
    """Indices of the proposals kept by greedy class-wise NMS, best score first.

    Sort by score descending (stable: ties keep input order, like Python's ``sorted``), walk
    the list, and let each kept proposal delete every later proposal of the same class whose
    overlap with it is ``> threshold`` (upstream's ``soft_nms`` option is a hard threshold).
    """
    order = np.argsort(-proposals.scores, kind="stable")
    starts, ends = proposals.starts[order], proposals.ends[order]
    labels = proposals.labels[order]
    alive = np.ones(len(order), dtype=bool)
    for i in range(len(order)):
        if not alive[i]:
            continue
        rivals = np.nonzero(alive[i + 1 :] & (labels[i + 1 :] == labels[i]))[0] + i + 1
        if len(rivals):
            overlap = hull_overlap(starts[i], ends[i], starts[rivals], ends[rivals], floor)
            alive[rivals[overlap > threshold]] = False
    return order[alive]


def check_forgetting(threshold: float, forget_after: float | None) -> None:
    """Forgetting old emitted segments is exact only for ``forget_after >= 0`` and an overlap
    ``threshold >= 0`` (a segment that ended that long ago can no longer overlap a new one)."""
    if forget_after is not None and (forget_after < 0 or threshold < 0):
        raise ValueError(f"forget_after={forget_after} needs forget_after >= 0 and an overlap "
                         f"threshold >= 0 (got {threshold}) to be exact")


class EmittedIndex:
    """The segments already emitted for one video, grouped by class.

    Answers "does this candidate overlap an emitted segment of its class by more than the
    threshold?" with one vectorised comparison. By spec the emitted list of a video never
    expires, so it grows with the number of emitted segments (16 bytes each; storage doubles
    when full) and every check costs O(emitted segments of the class).

    ``forget_after`` (seconds, default None = never, upstream) bounds both for endless live
    streams: :meth:`step_to` then drops the segments that ended more than ``forget_after``
    seconds ago. This is exact, never a guess: with ``threshold >= 0`` an overlap
    ``> threshold`` needs a positive intersection, so a forgotten segment (end ``<= f``, the
    class's *frontier*: the latest end forgotten) can change the answer only for a candidate
    that starts before ``f``. Such checks are counted in :attr:`checks_before_frontier`; while
    it is 0, every answer equals the one of an index that keeps everything. No value of
    ``forget_after`` is safe a priori: a decoded proposal starts at ``t + L_a * (r0 -
    exp(r1))`` steps, the regression is not clipped, and OAT's target rules let the largest
    anchor learn instances of any length. Choose it well above the longest action expected
    (e.g. several windows) and read the counter.
    """

    def __init__(
        self, threshold: float = 0.3, floor: float = 1.0, forget_after: float | None = None
    ) -> None:
        check_forgetting(threshold, forget_after)
        self.threshold = threshold
        self.floor = floor
        self.forget_after = forget_after
        self._segments: dict[int, np.ndarray] = {}  # label -> (capacity, 2) [start, end]
        self._counts: dict[int, int] = {}
        self._frontiers: dict[int, float] = {}  # label -> latest end of a forgotten segment
        self._earliest_end = np.inf  # of the segments held: nothing to forget before it
        self.checks_before_frontier = 0

    def __len__(self) -> int:
        """Number of segments held (emitted and not forgotten)."""
        return sum(self._counts.values())

    def overlaps(self, label: int, start: float, end: float) -> bool:
        """True when an emitted segment of ``label`` overlaps ``[start, end]`` by > threshold."""
        if start < self._frontiers.get(label, -np.inf):
            self.checks_before_frontier += 1
        count = self._counts.get(label, 0)
        if count == 0:
            return False
        emitted = self._segments[label][:count]
        overlap = hull_overlap(start, end, emitted[:, 0], emitted[:, 1], self.floor)
        return bool((overlap > self.threshold).any())

    def add(self, label: int, start: float, end: float) -> None:
        """Record an emitted segment."""
        count = self._counts.get(label, 0)
        storage = self._segments.get(label)
        if storage is None or count == len(storage):
            grown = np.empty((max(8, 2 * count), 2), dtype=np.float64)
            if storage is not None:
                grown[:count] = storage
            storage = self._segments[label] = grown
        storage[count] = (start, end)
        self._counts[label] = count + 1
        self._earliest_end = min(self._earliest_end, end)

    def step_to(self, now: float) -> int:
        """The stream reached time ``now`` (seconds): with ``forget_after`` set, forget the
        segments that ended at or before ``now - forget_after``. Returns how many were dropped."""
        if self.forget_after is None:
            return 0
        return self.forget_ending_before(now - self.forget_after)

    def forget_ending_before(self, time: float) -> int:
        """Drop the segments whose end is ``<= time`` (see the class docstring); returns how many.

        A class's storage shrinks when it is less than a quarter full, so memory stays bounded
        by the number of segments ending after ``time``.
        """
        if self.threshold < 0:
            raise ValueError(f"forgetting emitted segments is exact only for an overlap "
                             f"threshold >= 0, got {self.threshold}")
        if time < self._earliest_end:
            return 0
        dropped = 0
        for label, count in self._counts.items():
            if count == 0:
                continue
            held = self._segments[label][:count]
            old = held[:, 1] <= time
            num_old = int(old.sum())
            if num_old == 0:
                continue
            frontier = float(held[old, 1].max())
            self._frontiers[label] = max(self._frontiers.get(label, -np.inf), frontier)
            kept = held[~old]
            if 4 * len(kept) < len(self._segments[label]) > 8:
                self._segments[label] = np.empty((max(8, 2 * len(kept)), 2), dtype=np.float64)
            self._segments[label][: len(kept)] = kept
            self._counts[label] = len(kept)
            dropped += num_old
        ends = [self._segments[label][:count, 1].min()
                for label, count in self._counts.items() if count]
        self._earliest_end = float(min(ends)) if ends else np.inf
        return dropped
