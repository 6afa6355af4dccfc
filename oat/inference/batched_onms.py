"""MATR's online NMS for many streams at once: one vectorised call per step over all streams.

:class:`BatchedOnlineNMS` keeps the state of many streams (numbered slots) and, per call,
takes the raw decoded proposals of every stepping stream as ONE flat :class:`Proposals` plus a
``(K,)`` slot column. Its output equals, stream by stream, what the per-stream reference
:class:`~oat.inference.postprocessors.OnlineNMS` with the same settings emits (same rows,
order and bits; pinned by a property test over random streams), with no Python loop over
streams: the in-step class-wise NMS and the emission check run for all (stream, class) groups
together (:mod:`oat.inference.grouped_nms`, :class:`~oat.inference.batched_emitted.
BatchedEmittedIndex`).
"""
from __future__ import annotations

import numpy as np

from oat.inference.batched_emitted import BatchedEmittedIndex
from oat.inference.grouped_nms import greedy_keep, round_half_even
from oat.inference.postprocessors import OnlineNMS
from oat.inference.proposals import Proposals


class BatchedOnlineNMS:
    """Online NMS state of many streams; settings as :class:`OnlineNMS` (``settings``)."""

    def __init__(self, settings: OnlineNMS) -> None:
        self.settings = settings
        self.emitted = BatchedEmittedIndex(settings.nms_threshold, settings.overlap_floor,
                                           settings.forget_after)
        self._pending = Proposals.empty()  # deferred future ends of all slots
        self._pending_slots = np.zeros(0, dtype=np.int64)

    def reset(self, slot: int) -> None:
        """Slot ``slot`` starts a new stream (empty emitted list, nothing deferred)."""
        self.emitted.clear(slot)
        other = self._pending_slots != slot
        self._pending, self._pending_slots = self._pending.take(other), self._pending_slots[other]

    def step(self, proposals: Proposals, slots: np.ndarray, step_slots: np.ndarray,
             nows: np.ndarray) -> tuple[Proposals, np.ndarray]:
        """One step of the streams ``step_slots (S,)`` at times ``nows (S,)`` seconds.

        Args:
            proposals: raw decoded proposals of this step, all streams, each stream's rows in
                its decoder order (streams may be interleaved).
            slots: (K,) slot of each proposal (one of ``step_slots``).
        Returns:
            (emitted proposals, their (E,) rows: positions in ``step_slots``), grouped by
            ascending row, each stream's segments in its emission order.
        """
        config = self.settings
        position = np.full(int(step_slots.max()) + 1 if len(step_slots) else 1, -1)
        position[step_slots] = np.arange(len(step_slots))
        if config.round_values:
            proposals = Proposals(round_half_even(proposals.starts, 2),
                                  round_half_even(proposals.ends, 2), proposals.labels,
                                  round_half_even(proposals.scores, 4),
                                  round_half_even(proposals.emit_times, 2))
            nows = round_half_even(nows, 2)
        rows = position[slots]
        if not config.nms_before_end_filter:
            ended = proposals.emit_times >= proposals.ends
            future, future_rows = proposals.take(~ended), rows[~ended]
            proposals, rows = proposals.take(ended), rows[ended]
        order = np.lexsort((-proposals.scores, rows))  # by stream, best score first (stable)
        proposals, rows = proposals.take(order), rows[order]
        kept = greedy_keep(self._groups(rows, proposals.labels), np.ones(len(rows), dtype=bool),
                           proposals.starts, proposals.ends, config.nms_threshold,
                           config.overlap_floor)
        proposals, rows = proposals.take(kept), rows[kept]
        if config.nms_before_end_filter:
            ended = proposals.emit_times >= proposals.ends
            future, future_rows = proposals.take(~ended), rows[~ended]
            proposals, rows = proposals.take(ended), rows[ended]
        if config.defer_future_ends:
            released, released_rows = self._release_pending(position, nows)
            proposals = Proposals.concat([released, proposals])
            rows = np.concatenate([released_rows, rows])
            self._pending = Proposals.concat([self._pending, future])
            self._pending_slots = np.concatenate([self._pending_slots, step_slots[future_rows]])
        emitted, emitted_rows = self._emit_new(proposals, rows, step_slots)
        self.emitted.step_to(step_slots, nows)
        return emitted, emitted_rows

    def _release_pending(self, position: np.ndarray, nows: np.ndarray
                         ) -> tuple[Proposals, np.ndarray]:
        """Held proposals of the stepping streams whose end has been reached, re-stamped."""
        slots = self._pending_slots
        stepping = slots < len(position)
        rows = np.where(stepping, position[np.minimum(slots, len(position) - 1)], -1)
        stepping &= rows >= 0
        due = np.zeros(len(slots), dtype=bool)
        due[stepping] = self._pending.ends[stepping] <= nows[rows[stepping]]
        released = self._pending.take(due)
        released_rows = rows[due]
        self._pending, self._pending_slots = self._pending.take(~due), slots[~due]
        return Proposals(*released.columns()[:4], nows[released_rows]), released_rows

    def _emit_new(self, candidates: Proposals, rows: np.ndarray, step_slots: np.ndarray
                  ) -> tuple[Proposals, np.ndarray]:
        """Candidates (per stream, best score first) overlapping nothing emitted; recorded."""
        order = np.lexsort((-candidates.scores, rows))
        candidates, rows = candidates.take(order), rows[order]
        slots = step_slots[rows]
        fresh = ~self.emitted.blocked(slots, candidates.labels, candidates.starts,
                                      candidates.ends)
        kept = greedy_keep(self._groups(rows, candidates.labels), fresh, candidates.starts,
                           candidates.ends, self.settings.nms_threshold,
                           self.settings.overlap_floor)
        emitted = candidates.take(kept)
        self.emitted.add(slots[kept], emitted.labels, emitted.starts, emitted.ends)
        return emitted, rows[kept]

    @staticmethod
    def _groups(rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """(n,) one integer per (stream row, class) pair."""
        width = int(labels.max()) + 1 if len(labels) else 1
        return rows * width + labels
