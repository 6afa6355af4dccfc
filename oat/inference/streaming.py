"""Frame-by-frame online detection over one or several live streams.

Each call to :meth:`StreamingDetector.step` brings ONE new feature vector per stepping
stream. The new frames are projected once (batched over streams), written into each
stream's bounded ring of projected features, and the windows of all stepping streams go
through the network as one batch. Decoding and post-processing follow
(:mod:`oat.inference.stream_tracks`: MATR's online NMS for all streams in one vectorised
call, any other post-processor per stream); whatever is released is returned at once and
never revised.
"""
from __future__ import annotations

from typing import Hashable, Optional, Sequence, Union

import torch
from torch import nn

from oat.inference.decoding import ProposalDecoder
from oat.inference.postprocessors import OnlineNMS, PostProcessor
from oat.inference.proposals import Detection, Proposals, TimeBase
from oat.inference.stream_tracks import BatchedONMSTracks, PerStreamTracks
from oat.inference.window_runner import WindowRunner
from oat.registry import TASK_UTILS


class ProjectedRings:
    """The last ``W`` projected frames of many streams, oldest first, in bounded memory.

    One ``(slots, 2W, E)`` buffer: a frame of slot ``k`` is stored twice (rows ``p`` and
    ``p + W``), so a window is always the contiguous run ``[p, p + W)`` and pushing the new
    frames of all stepping streams is one indexed write. Before a stream's start its window
    holds ``fill`` (the projection of a zero input frame), exactly what the batched path's
    zero front-padding becomes after projection. Slots are reused; the buffer only grows
    (doubling) with the number of streams open at once.
    """

    def __init__(self, fill: torch.Tensor, window: int) -> None:
        self.window = window
        self._fill = fill
        self._buffer = fill.new_empty(0, 2 * window, fill.shape[-1])
        self._next = torch.zeros(0, dtype=torch.long, device=fill.device)
        self._offsets = torch.arange(window, device=fill.device)

    def clear(self, slot: int) -> None:
        """Slot ``slot`` holds a new stream: every frame is ``fill``."""
        if slot >= len(self._buffer):
            grown = max(slot + 1, 2 * len(self._buffer))
            buffer = self._fill.new_empty(grown, *self._buffer.shape[1:])
            buffer[: len(self._buffer)] = self._buffer
            self._buffer = buffer
            self._next = torch.cat([self._next, self._next.new_zeros(grown - len(self._next))])
        self._buffer[slot] = self._fill
        self._next[slot] = 0

    def push(self, slots: torch.Tensor, frames: torch.Tensor) -> None:
        """Append one (E,) frame to each slot in ``slots (S,)`` (``frames (S, E)``)."""
        positions = self._next[slots]
        self._buffer[slots, positions] = frames
        self._buffer[slots, positions + self.window] = frames
        self._next[slots] = (positions + 1) % self.window

    def windows(self, slots: torch.Tensor) -> torch.Tensor:
        """(S, W, E) current windows of ``slots``, oldest frame first (a copy)."""
        rows = self._next[slots, None] + self._offsets
        return self._buffer[slots[:, None], rows]


class StreamingDetector:
    """Online detection for several streams, one feature vector per stream per step.

    Args:
        model: an OAT-style model (``project``/``encode``/``decode``/``predict_instances``,
            ``window``, ``anchors``); put in eval mode here.
        postprocessor: a post-processor config (built from ``TASK_UTILS``) or instance; each
            stream gets its own state.
        score_threshold, class_rule: decoding options (see :class:`ProposalDecoder`).
        steps_per_second: time base of streams that are not started explicitly (live
            streams); without it, :meth:`start` must be called for each stream first.
        batched_postprocessing: True (default): MATR's online NMS (``OnlineNMS``) runs for all
            stepping streams in one vectorised call (:class:`BatchedONMSTracks`; one stream
            is a batch of one); other post-processors always run per stream. False: the
            per-stream reference path for every post-processor (same emissions).
    """

    def __init__(
        self,
        model: nn.Module,
        postprocessor: Union[dict, PostProcessor],
        score_threshold: float = 0.1,
        class_rule: str = "oat",
        steps_per_second: Optional[float] = None,
        batched_postprocessing: bool = True,
    ) -> None:
        self.runner = WindowRunner(model.eval())
        self.window = self.runner.window
        decoder = ProposalDecoder(self.runner.anchors, score_threshold, class_rule)
        if isinstance(postprocessor, dict):
            postprocessor = TASK_UTILS.build(postprocessor)
        self.tracks = (BatchedONMSTracks(decoder, postprocessor)
                       if batched_postprocessing and type(postprocessor) is OnlineNMS
                       else PerStreamTracks(decoder, postprocessor))
        self.default_timebase = (
            TimeBase.from_rate(steps_per_second) if steps_per_second is not None else None
        )
        self._slots: dict[Hashable, int] = {}  # stream -> its slot in the rings
        self._fresh: set[int] = set()  # slots whose ring must be emptied before their next step
        self._rings: Optional[ProjectedRings] = None  # created at the first step (D_in known)

    @property
    def stream_ids(self) -> list:
        """Ids of the open streams."""
        return list(self._slots)

    def start(self, stream_id: Hashable, timebase: TimeBase) -> None:
        """Open (or restart) ``stream_id`` with its step -> seconds mapping.

        For evaluation use ``TimeBase(num_steps, duration)`` so times match OAT's ``t*D/T``.
        """
        if stream_id not in self._slots:
            used = set(self._slots.values())
            self._slots[stream_id] = next(k for k in range(len(used) + 1) if k not in used)
        self._fresh.add(self._slots[stream_id])
        self.tracks.open(stream_id, timebase)

    def reset(self, stream_id: Hashable) -> None:
        """Restart a stream that stopped: empty window, step 0, fresh emitted list."""
        self._fresh.add(self._slots[self._known(stream_id)])
        self.tracks.restart(stream_id)

    def postprocessor_of(self, stream_id: Hashable):
        """The post-processing state of one open stream (``.emitted``: ``len`` = segments
        held, ``checks_before_frontier``): its :class:`PostProcessor` on the per-stream path,
        a snapshot (:class:`~oat.inference.stream_tracks.StreamONMSState`) when batched."""
        return self.tracks.postprocessor_of(self._known(stream_id))

    def finish(self, stream_id: Hashable) -> list[Detection]:
        """Close a stream; returns what its post-processor emits at the end."""
        self._fresh.discard(self._slots.pop(self._known(stream_id)))
        return list(self.tracks.close(stream_id))

    def step(self, features: torch.Tensor, stream_ids: Sequence[Hashable]) -> list[list[Detection]]:
        """One step of each listed stream; ``features`` (S, D_in) holds one vector per stream.

        Returns, per stream (in ``stream_ids`` order), the segments emitted at this step as
        ``Detection(start_s, end_s, class, score, emit_time_s)``.
        """
        return [list(emitted) if len(emitted) else []
                for emitted in self.step_proposals(features, stream_ids)]

    def step_proposals(
        self, features: torch.Tensor, stream_ids: Sequence[Hashable]
    ) -> list[Proposals]:
        """As :meth:`step`, returning each stream's emitted segments as :class:`Proposals`."""
        if features.dim() != 2 or features.shape[0] != len(stream_ids):
            raise ValueError(
                f"step expects features (S, D_in) with S = len(stream_ids) = {len(stream_ids)}, "
                f"got {tuple(features.shape)}"
            )
        if len(set(stream_ids)) != len(stream_ids):
            raise ValueError(f"a stream may step only once per call, got ids {list(stream_ids)}")
        for stream_id in stream_ids:
            if stream_id not in self._slots:
                self._start_live(stream_id)
        with torch.inference_mode():
            frames = self.runner.project(features.to(self.runner.device, self.runner.dtype))
            rings = self._rings_for(features.shape[1])
            slots = torch.tensor([self._slots[stream_id] for stream_id in stream_ids],
                                 device=frames.device)
            rings.push(slots, frames)
            probs, reg = (output.cpu().numpy()
                          for output in self.runner.predict(rings.windows(slots)))
        return self.tracks.advance(stream_ids, probs, reg)

    def _rings_for(self, in_dim: int) -> ProjectedRings:
        """The rings (created at the first step, when D_in is known), fresh slots emptied."""
        if self._rings is None:
            self._rings = ProjectedRings(self.runner.project_zeros(in_dim), self.window)
        for slot in self._fresh:
            self._rings.clear(slot)
        self._fresh.clear()
        return self._rings

    def _start_live(self, stream_id: Hashable) -> None:
        if self.default_timebase is None:
            raise KeyError(
                f"stream {stream_id!r} was not started: call start(stream_id, timebase) first "
                "or give the detector a steps_per_second for live streams"
            )
        self.start(stream_id, self.default_timebase)

    def _known(self, stream_id: Hashable) -> Hashable:
        if stream_id not in self._slots:
            raise KeyError(f"unknown stream {stream_id!r}; open streams: {self.stream_ids}")
        return stream_id
