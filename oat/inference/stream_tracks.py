"""What happens to the network outputs of many live streams: decoding and post-processing.

Two interchangeable implementations behind one small interface (``open``, ``restart``,
``close``, ``postprocessor_of``, ``advance``), used by
:class:`~oat.inference.streaming.StreamingDetector`:

- :class:`PerStreamTracks`: one :class:`~oat.inference.online_track.OnlineTrack` (decoder +
  its own post-processor copy) per stream, a Python loop over the stepping streams. Works for
  every post-processor; the reference path.
- :class:`BatchedONMSTracks`: MATR's online NMS (:class:`OnlineNMS`) for all streams with one
  vectorised decoding and one vectorised post-processing call per step
  (:class:`~oat.inference.batched_onms.BatchedOnlineNMS`); same emissions as the reference.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import numpy as np

from oat.inference.batched_onms import BatchedOnlineNMS
from oat.inference.decoding import ProposalDecoder
from oat.inference.online_track import OnlineTrack
from oat.inference.postprocessors import OnlineNMS, PostProcessor
from oat.inference.proposals import Proposals, TimeBase


class PerStreamTracks:
    """One :class:`OnlineTrack` per stream (any post-processor; a loop over streams)."""

    def __init__(self, decoder: ProposalDecoder, postprocessor: PostProcessor) -> None:
        self.decoder = decoder
        self.postprocessor = postprocessor
        self._tracks: dict[Hashable, OnlineTrack] = {}

    def open(self, stream_id: Hashable, timebase: TimeBase) -> None:
        self._tracks[stream_id] = OnlineTrack(self.decoder, self.postprocessor.spawn(), timebase)

    def restart(self, stream_id: Hashable) -> None:
        self._tracks[stream_id].restart()

    def close(self, stream_id: Hashable) -> Proposals:
        return self._tracks.pop(stream_id).finish()

    def postprocessor_of(self, stream_id: Hashable) -> PostProcessor:
        return self._tracks[stream_id].postprocessor

    def advance(self, stream_ids: Sequence[Hashable], probs: np.ndarray, reg: np.ndarray
                ) -> list[Proposals]:
        """Emitted segments per stream, given (S, A, C+1) probabilities and (S, A, 2) reg."""
        return [self._tracks[stream_id].advance(probs[i], reg[i])
                for i, stream_id in enumerate(stream_ids)]


class BatchedONMSTracks:
    """All streams' decoding and online NMS in one vectorised call per step.

    Each open stream owns a slot (reused after ``close``) with its step counter and
    ``D / T`` time scale in arrays.
    """

    def __init__(self, decoder: ProposalDecoder, settings: OnlineNMS) -> None:
        if type(settings) is not OnlineNMS:
            raise TypeError(f"BatchedONMSTracks batches OnlineNMS only, got {type(settings)}")
        self.decoder = decoder
        self.nms = BatchedOnlineNMS(settings)
        self._slots: dict[Hashable, int] = {}
        self._free: list[int] = []
        self._steps = np.zeros(0, dtype=np.int64)
        self._scales = np.zeros(0, dtype=np.float64)

    def open(self, stream_id: Hashable, timebase: TimeBase) -> None:
        slot = self._slots.get(stream_id)
        if slot is None:
            slot = self._free.pop() if self._free else len(self._steps)
            self._slots[stream_id] = slot
        if slot >= len(self._steps):
            self._steps = np.r_[self._steps, np.zeros(slot + 1 - len(self._steps), np.int64)]
            self._scales = np.r_[self._scales, np.zeros(slot + 1 - len(self._scales))]
        self._scales[slot] = timebase.duration / timebase.num_steps
        self.restart(stream_id)

    def restart(self, stream_id: Hashable) -> None:
        slot = self._slots[stream_id]
        self._steps[slot] = 0
        self.nms.reset(slot)

    def close(self, stream_id: Hashable) -> Proposals:
        """Online NMS emits nothing at the end of a stream; the slot is freed."""
        slot = self._slots.pop(stream_id)
        self.nms.reset(slot)
        self._free.append(slot)
        return Proposals.empty()

    def postprocessor_of(self, stream_id: Hashable) -> "StreamONMSState":
        """A snapshot of one stream's state: ``emitted`` (``len``: segments held,
        ``checks_before_frontier``), as read on a per-stream :class:`OnlineNMS`."""
        slot = self._slots[stream_id]
        return StreamONMSState(HeldSegments(
            self.nms.emitted.held(slot), int(self.nms.emitted.checks_before_frontier[slot])))

    def advance(self, stream_ids: Sequence[Hashable], probs: np.ndarray, reg: np.ndarray
                ) -> list[Proposals]:
        """Emitted segments per stream (in ``stream_ids`` order) after one step of each."""
        slots = np.fromiter((self._slots[stream_id] for stream_id in stream_ids), np.int64,
                            len(stream_ids))
        steps = self._steps[slots]
        proposals, rows = self.decoder.decode_many(probs, reg, steps, self._scales[slots])
        nows = steps.astype(np.float64) * self._scales[slots]
        emitted, emitted_rows = self.nms.step(proposals, slots[rows], slots, nows)
        self._steps[slots] = steps + 1
        return split_by_stream(emitted, emitted_rows, len(slots))


@dataclass(frozen=True)
class HeldSegments:
    """One stream's emitted-segment index, as counts: ``len()`` = segments held."""

    count: int
    checks_before_frontier: int

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True)
class StreamONMSState:
    """Read-only state of one stream of :class:`BatchedONMSTracks` (``emitted``)."""

    emitted: HeldSegments


def split_by_stream(emitted: Proposals, rows: np.ndarray, num_streams: int) -> list[Proposals]:
    """Per stream row ``0..num_streams-1`` its part of ``emitted`` (grouped by ascending row)."""
    result = [_EMPTY] * num_streams
    if len(emitted) == 0:
        return result
    boundaries = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1], True]).tolist()
    for first, last in zip(boundaries[:-1], boundaries[1:]):
        result[int(rows[first])] = emitted.take(slice(first, last))
    return result


_EMPTY = Proposals.empty()
