"""Post-processors: the incremental interface, offline OAT-NMS and MATR's online NMS.

Every post-processor handles ONE video (stream) at a time and sees that stream's decoded
proposals step by step: ``reset()`` starts a new video, ``step(proposals, now)`` gets the raw
decoded proposals of one step (not yet NMS'ed) and returns what is emitted at that step,
``finish()`` returns what is emitted when the video ends. Emitted proposals are never revised.
:meth:`PostProcessor.spawn` gives an independent copy for another stream (shared settings and
weights, fresh state).
"""
from __future__ import annotations

import copy

import numpy as np

from oat.inference.nms import EmittedIndex, classwise_nms
from oat.inference.proposals import Proposals
from oat.registry import TASK_UTILS


class PostProcessor:
    """Base class of the incremental post-processing interface (see module docstring)."""

    def reset(self) -> None:
        """Forget the current video; the next ``step`` belongs to a new one."""
        raise NotImplementedError

    def step(self, proposals: Proposals, now: float) -> Proposals:
        """Emitted proposals after one step.

        Args:
            proposals: the raw decoded proposals of this step (seconds).
            now: generation time of this step in seconds (``t * D / T``).
        """
        raise NotImplementedError

    def finish(self) -> Proposals:
        """Proposals emitted when the video ends (online post-processors emit none here)."""
        return Proposals.empty()

    def spawn(self) -> "PostProcessor":
        """A copy with the same settings (and shared weights) and a fresh state."""
        clone = copy.copy(self)
        clone.reset()
        return clone


@TASK_UTILS.register_module()
class OfflineNMS(PostProcessor):
    """OAT-NMS (``pptype=nms``, oat-spec §6.3a): NOT causal, kept for comparison.

    Collects every decoded proposal of the video and runs class-wise NMS once at the end;
    later proposals can suppress earlier ones (quirk 10). All survivors are output with
    their generation time, best score first.
    """

    def __init__(self, nms_threshold: float = 0.3, overlap_floor: float = 1.0) -> None:
        self.nms_threshold = nms_threshold
        self.overlap_floor = overlap_floor
        self.reset()

    def reset(self) -> None:
        self._collected: list[Proposals] = []

    def step(self, proposals: Proposals, now: float) -> Proposals:
        self._collected.append(proposals)
        return Proposals.empty()

    def finish(self) -> Proposals:
        collected = Proposals.concat(self._collected)
        self._collected = []
        return collected.take(classwise_nms(collected, self.nms_threshold, self.overlap_floor))


@TASK_UTILS.register_module()
class StepNMS(PostProcessor):
    """Class-wise NMS within each step only; emits every survivor at once.

    No suppression across steps, so the same action is emitted again and again: not a useful
    detector by itself, but the per-step view OAT-OSN's SuppressNet is trained on (§6.4).
    """

    def __init__(self, nms_threshold: float = 0.3, overlap_floor: float = 1.0) -> None:
        self.nms_threshold = nms_threshold
        self.overlap_floor = overlap_floor

    def reset(self) -> None:
        """Stateless."""

    def step(self, proposals: Proposals, now: float) -> Proposals:
        return proposals.take(classwise_nms(proposals, self.nms_threshold, self.overlap_floor))


@TASK_UTILS.register_module()
class OnlineNMS(PostProcessor):
    """MATR's online NMS applied per step ("OAT-ONMS", oat-spec §8.2/8.3).

    Per step: round ``cur``/start/end to 2 decimals and the score to 4 (as MATR writes its
    prediction lines, before its in-step NMS); class-wise NMS within the step; then drop every
    survivor ending after ``cur`` (quirk 13: the in-step NMS runs BEFORE this filter, so a
    future-ending proposal can suppress a valid one and then be dropped itself); finally emit,
    best score first, each candidate that overlaps no already emitted proposal of its class by
    more than ``nms_threshold``. An earlier emission therefore wins over a later higher score.

    Args:
        round_values: MATR's rounding (quirk 14). False compares raw float values.
        nms_before_end_filter: upstream order (quirk 13); False drops future ends first, so
            they can no longer suppress valid proposals of their step.
        defer_future_ends: our variant (off = upstream): hold proposals ending after ``cur``
            and offer them again at the first step whose time reaches their end (emitted then,
            with that step's time) instead of dropping them.
        forget_after: seconds; None (upstream) keeps every emitted segment of the video. For
            endless live streams: forget emitted segments that ended longer ago, exactly (see
            :class:`~oat.inference.nms.EmittedIndex`; ``emitted.checks_before_frontier``).
    """

    def __init__(
        self,
        nms_threshold: float = 0.3,
        overlap_floor: float = 1.0,
        round_values: bool = True,
        nms_before_end_filter: bool = True,
        defer_future_ends: bool = False,
        forget_after: float | None = None,
    ) -> None:
        self.nms_threshold = nms_threshold
        self.overlap_floor = overlap_floor
        self.round_values = round_values
        self.nms_before_end_filter = nms_before_end_filter
        self.defer_future_ends = defer_future_ends
        self.forget_after = forget_after
        self.reset()

    def reset(self) -> None:
        self.emitted = EmittedIndex(self.nms_threshold, self.overlap_floor, self.forget_after)
        self._pending = Proposals.empty()

    def step(self, proposals: Proposals, now: float) -> Proposals:
        if self.round_values:
            proposals = round_like_matr(proposals)
            now = round(float(now), 2)
        if not self.nms_before_end_filter:
            ended = proposals.emit_times >= proposals.ends
            future, proposals = proposals.take(~ended), proposals.take(ended)
        survivors = proposals.take(classwise_nms(proposals, self.nms_threshold, self.overlap_floor))
        if self.nms_before_end_filter:
            ended = survivors.emit_times >= survivors.ends
            future, survivors = survivors.take(~ended), survivors.take(ended)
        if self.defer_future_ends:
            survivors = Proposals.concat([self._release_pending(now), survivors])
            self._pending = Proposals.concat([self._pending, future])
        emitted = self._emit_new(survivors)
        self.emitted.step_to(now)
        return emitted

    def _release_pending(self, now: float) -> Proposals:
        """Held proposals whose end time has been reached, re-stamped with time ``now``."""
        due = self._pending.ends <= now
        released = self._pending.take(due)
        self._pending = self._pending.take(~due)
        return Proposals(*released.columns()[:4], np.full(len(released), now))

    def _emit_new(self, candidates: Proposals) -> Proposals:
        """Candidates (best score first) that overlap nothing emitted before; records them."""
        order = np.argsort(-candidates.scores, kind="stable")
        emitted = []
        for index in order.tolist():
            label = int(candidates.labels[index])
            start, end = float(candidates.starts[index]), float(candidates.ends[index])
            if not self.emitted.overlaps(label, start, end):
                self.emitted.add(label, start, end)
                emitted.append(index)
        return candidates.take(np.asarray(emitted, dtype=np.int64))


def round_like_matr(proposals: Proposals) -> Proposals:
    """Times to 2 decimals and scores to 4 with Python's ``round`` (MATR's text lines)."""

    def rounded(values: np.ndarray, digits: int) -> np.ndarray:
        return np.array([round(value, digits) for value in values.tolist()], dtype=np.float64)

    return Proposals(
        starts=rounded(proposals.starts, 2),
        ends=rounded(proposals.ends, 2),
        labels=proposals.labels,
        scores=rounded(proposals.scores, 4),
        emit_times=rounded(proposals.emit_times, 2),
    )
