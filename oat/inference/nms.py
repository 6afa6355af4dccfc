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


class EmittedIndex:
    """The segments already emitted for one video, grouped by class.

    Answers "does this candidate overlap an emitted segment of its class by more than the
    threshold?" with one vectorised comparison. Grows with the number of emitted segments
    only (by spec the emitted list of a video never expires); storage doubles when full.
    """

    def __init__(self, threshold: float = 0.3, floor: float = 1.0) -> None:
        self.threshold = threshold
        self.floor = floor
        self._segments: dict[int, np.ndarray] = {}  # label -> (capacity, 2) [start, end]
        self._counts: dict[int, int] = {}

    def overlaps(self, label: int, start: float, end: float) -> bool:
        """True when an emitted segment of ``label`` overlaps ``[start, end]`` by > threshold."""
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
