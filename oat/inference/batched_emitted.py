"""The emitted segments of MANY streams, checked and updated with one vectorised call per step.

The many-stream twin of :class:`~oat.inference.nms.EmittedIndex` (same answers, same exact
forgetting rule, same ``checks_before_frontier`` counter, per stream). Streams are numbered
slots; segments live in one ``(slots, classes, capacity, 2)`` float64 array, whose capacity
follows the fullest (slot, class) row (doubling when full, halving when forgetting leaves it
less than a quarter full), so memory is bounded by what the streams hold.
"""
from __future__ import annotations

import numpy as np

from oat.inference.nms import check_forgetting


class BatchedEmittedIndex:
    """``[start, end]`` segments emitted per (slot, class); see the module docstring.

    Args: as :class:`~oat.inference.nms.EmittedIndex` (overlap ``threshold``, hull ``floor``,
    ``forget_after`` seconds or None = keep for ever, upstream).
    """

    def __init__(self, threshold: float = 0.3, floor: float = 1.0,
                 forget_after: float | None = None) -> None:
        check_forgetting(threshold, forget_after)
        self.threshold = threshold
        self.floor = floor
        self.forget_after = forget_after
        self._segments = np.zeros((1, 1, 8, 2))
        self._counts = np.zeros((1, 1), dtype=np.int64)
        self._frontiers = np.full((1, 1), -np.inf)  # latest end forgotten per (slot, class)
        self._earliest_end = np.full(1, np.inf)  # per slot: nothing to forget before it
        self.checks_before_frontier = np.zeros(1, dtype=np.int64)  # per slot

    def held(self, slot: int) -> int:
        """Segments held (emitted, not forgotten) for one slot."""
        return int(self._counts[slot].sum()) if slot < len(self._counts) else 0

    def clear(self, slot: int) -> None:
        """Forget everything of ``slot`` (a new or restarted stream)."""
        self._ensure(slot + 1, 1)
        self._counts[slot] = 0
        self._frontiers[slot] = -np.inf
        self._earliest_end[slot] = np.inf
        self.checks_before_frontier[slot] = 0

    def blocked(self, slots: np.ndarray, labels: np.ndarray, starts: np.ndarray,
                ends: np.ndarray) -> np.ndarray:
        """(n,) True where an emitted segment of the candidate's slot and class overlaps it by
        more than the threshold; counts candidates starting before their class's frontier."""
        self._ensure(int(slots.max()) + 1 if len(slots) else 1,
                     int(labels.max()) + 1 if len(labels) else 1)
        np.add.at(self.checks_before_frontier, slots, starts < self._frontiers[slots, labels])
        counts = self._counts[slots, labels]
        width = int(counts.max()) if len(counts) else 0
        if width == 0:
            return np.zeros(len(slots), dtype=bool)
        held = self._segments[slots, labels, :width]  # (n, width, 2)
        inner = np.minimum(ends[:, None], held[..., 1]) - np.maximum(starts[:, None], held[..., 0])
        hull = np.maximum(np.maximum(ends[:, None], held[..., 1])
                          - np.minimum(starts[:, None], held[..., 0]), self.floor)
        over = (inner / hull > self.threshold) & (np.arange(width) < counts[:, None])
        return over.any(axis=1)

    def add(self, slots: np.ndarray, labels: np.ndarray, starts: np.ndarray,
            ends: np.ndarray) -> None:
        """Record emitted segments (several may share a slot and class)."""
        if len(slots) == 0:
            return
        self._ensure(int(slots.max()) + 1, int(labels.max()) + 1)
        keys = slots * self._counts.shape[1] + labels
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
        rank = np.empty(len(keys), dtype=np.int64)
        rank[order] = np.arange(len(keys)) - np.flatnonzero(first)[np.cumsum(first) - 1]
        positions = self._counts[slots, labels] + rank
        self._resize(int(positions.max()) + 1)
        self._segments[slots, labels, positions, 0] = starts
        self._segments[slots, labels, positions, 1] = ends
        np.add.at(self._counts, (slots, labels), 1)
        np.minimum.at(self._earliest_end, slots, ends)

    def step_to(self, slots: np.ndarray, nows: np.ndarray) -> int:
        """The streams in ``slots`` reached times ``nows`` (seconds): with ``forget_after`` set,
        forget their segments that ended at or before ``now - forget_after``. Returns how many."""
        if self.forget_after is None or len(slots) == 0:
            return 0
        times = nows - self.forget_after
        due = times >= self._earliest_end[slots]
        if not due.any():
            return 0
        slots, times = slots[due], times[due]
        rows = self._segments[slots]  # (k, C, cap, 2)
        valid = np.arange(rows.shape[2]) < self._counts[slots][..., None]
        old = valid & (rows[..., 1] <= times[:, None, None])
        old_ends = np.where(old, rows[..., 1], -np.inf).max(axis=2)
        self._frontiers[slots] = np.maximum(self._frontiers[slots], old_ends)
        keep = valid & ~old
        order = np.argsort(~keep, axis=2, kind="stable")  # kept segments first
        self._segments[slots] = np.take_along_axis(rows, order[..., None], axis=2)
        self._counts[slots] = keep.sum(axis=2)
        self._earliest_end[slots] = np.where(keep, rows[..., 1], np.inf).min(axis=(1, 2))
        self._resize(0)
        return int(old.sum())

    def _ensure(self, num_slots: int, num_classes: int) -> None:
        """Grow the slot and class axes (new rows empty)."""
        slots, classes = self._counts.shape
        if num_slots <= slots and num_classes <= classes:
            return
        new_slots = max(slots, 2 * slots if num_slots > slots else slots, num_slots)
        new_classes = max(classes, num_classes)
        segments = np.zeros((new_slots, new_classes, self._segments.shape[2], 2))
        segments[:slots, :classes] = self._segments
        counts = np.zeros((new_slots, new_classes), dtype=np.int64)
        counts[:slots, :classes] = self._counts
        frontiers = np.full((new_slots, new_classes), -np.inf)
        frontiers[:slots, :classes] = self._frontiers
        self._segments, self._counts, self._frontiers = segments, counts, frontiers
        self._earliest_end = np.r_[self._earliest_end, np.full(new_slots - slots, np.inf)]
        self.checks_before_frontier = np.r_[self.checks_before_frontier,
                                            np.zeros(new_slots - slots, dtype=np.int64)]

    def _resize(self, needed: int) -> None:
        """Capacity >= ``needed`` and every held row: doubles when full, halves when the
        fullest row uses less than a quarter."""
        needed = max(needed, int(self._counts.max()))
        capacity = self._segments.shape[2]
        if needed > capacity:
            capacity = max(2 * capacity, needed)
        elif 4 * needed < capacity > 8:
            capacity = max(8, 2 * needed)
        else:
            return
        resized = np.zeros((*self._segments.shape[:2], capacity, 2))
        kept = min(capacity, self._segments.shape[2])
        resized[:, :, :kept] = self._segments[:, :, :kept]
        self._segments = resized
