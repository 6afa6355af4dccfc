"""Frame-by-frame online detection over one or several live streams.

Each call to :meth:`StreamingDetector.step` brings ONE new feature vector per stepping
stream. The new frames are projected once (batched over streams), written into each
stream's bounded ring of projected features, and the windows of all stepping streams go
through the network as one batch. Decoded proposals go to each stream's own
post-processor, and whatever it releases is returned at once and never revised.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Optional, Sequence, Union

import torch
from torch import nn

from oat.inference.decoding import ProposalDecoder
from oat.inference.online_track import OnlineTrack
from oat.inference.postprocessors import PostProcessor
from oat.inference.proposals import Detection, Proposals, TimeBase
from oat.inference.window_runner import WindowRunner
from oat.registry import TASK_UTILS


class ProjectedRing:
    """The last ``W`` projected frames of one stream, oldest first, in bounded memory.

    Every frame is stored twice (rows ``p`` and ``p + W`` of a ``(2W, E)`` buffer), so the
    current window is always the contiguous slice ``[p, p + W)``: no copy, no allocation.
    Before the stream's start the window holds ``fill`` (the projection of a zero input
    frame), exactly what the batched path's zero front-padding becomes after projection.
    """

    def __init__(self, fill: torch.Tensor, window: int) -> None:
        self.window = window
        self._fill = fill
        self._buffer = fill.new_empty(2 * window, fill.shape[-1])
        self.clear()

    def clear(self) -> None:
        """Forget every frame (as at the start of a stream)."""
        self._buffer.copy_(self._fill.expand_as(self._buffer))
        self._next = 0

    def push(self, frame: torch.Tensor) -> None:
        """Append one (E,) projected frame, dropping the oldest."""
        self._buffer[self._next] = frame
        self._buffer[self._next + self.window] = frame
        self._next = (self._next + 1) % self.window

    def view(self) -> torch.Tensor:
        """The current (W, E) window, oldest frame first (a view into the ring)."""
        return self._buffer[self._next : self._next + self.window]


@dataclass
class _Stream:
    ring: Optional[ProjectedRing]  # created at the first step, once D_in is known
    track: OnlineTrack


class StreamingDetector:
    """Online detection for several streams, one feature vector per stream per step.

    Args:
        model: an OAT-style model (``project``/``encode``/``decode``/``predict_instances``,
            ``window``, ``anchors``); put in eval mode here.
        postprocessor: a post-processor config (built from ``TASK_UTILS``) or instance; each
            stream gets its own copy (``spawn``).
        score_threshold, class_rule: decoding options (see :class:`ProposalDecoder`).
        steps_per_second: time base of streams that are not started explicitly (live
            streams); without it, :meth:`start` must be called for each stream first.
    """

    def __init__(
        self,
        model: nn.Module,
        postprocessor: Union[dict, PostProcessor],
        score_threshold: float = 0.1,
        class_rule: str = "oat",
        steps_per_second: Optional[float] = None,
    ) -> None:
        self.runner = WindowRunner(model.eval())
        self.window = self.runner.window
        self.decoder = ProposalDecoder(self.runner.anchors, score_threshold, class_rule)
        if isinstance(postprocessor, dict):
            postprocessor = TASK_UTILS.build(postprocessor)
        self._postprocessor = postprocessor
        self.default_timebase = (
            TimeBase.from_rate(steps_per_second) if steps_per_second is not None else None
        )
        self._streams: dict[Hashable, _Stream] = {}
        self._zero_frames: dict[int, torch.Tensor] = {}
        self._batch: Optional[torch.Tensor] = None  # reused (S, W, E) window batch

    @property
    def stream_ids(self) -> list:
        """Ids of the open streams."""
        return list(self._streams)

    def start(self, stream_id: Hashable, timebase: TimeBase) -> None:
        """Open (or restart) ``stream_id`` with its step -> seconds mapping.

        For evaluation use ``TimeBase(num_steps, duration)`` so times match OAT's ``t*D/T``.
        """
        track = OnlineTrack(self.decoder, self._postprocessor.spawn(), timebase)
        self._streams[stream_id] = _Stream(ring=None, track=track)

    def reset(self, stream_id: Hashable) -> None:
        """Restart a stream that stopped: empty window, step 0, fresh emitted list."""
        stream = self._get(stream_id)
        stream.ring = None
        stream.track.restart()

    def postprocessor_of(self, stream_id: Hashable) -> PostProcessor:
        """The post-processor of one open stream (its state: e.g. the emitted list)."""
        return self._get(stream_id).track.postprocessor

    def finish(self, stream_id: Hashable) -> list[Detection]:
        """Close a stream; returns what its post-processor emits at the end."""
        stream = self._get(stream_id)
        del self._streams[stream_id]
        return list(stream.track.finish())

    def step(self, features: torch.Tensor, stream_ids: Sequence[Hashable]) -> list[list[Detection]]:
        """One step of each listed stream; ``features`` (S, D_in) holds one vector per stream.

        Returns, per stream (in ``stream_ids`` order), the segments emitted at this step as
        ``Detection(start_s, end_s, class, score, emit_time_s)``.
        """
        return [list(emitted) for emitted in self.step_proposals(features, stream_ids)]

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
            if stream_id not in self._streams:
                self._start_live(stream_id)
        streams = [self._streams[stream_id] for stream_id in stream_ids]
        with torch.inference_mode():
            frames = self.runner.project(features.to(self.runner.device, self.runner.dtype))
            for stream, frame in zip(streams, frames):
                if stream.ring is None:
                    stream.ring = ProjectedRing(self._zero_frame(features.shape[1]), self.window)
                stream.ring.push(frame)
            windows = self._batch_windows([stream.ring.view() for stream in streams])
            probs, reg = (output.cpu().numpy() for output in self.runner.predict(windows))
        return [stream.track.advance(probs[i], reg[i]) for i, stream in enumerate(streams)]

    def _batch_windows(self, views: list[torch.Tensor]) -> torch.Tensor:
        """(S, W, E) batch of the stepping streams' windows: the ring itself for one stream,
        else a copy into a buffer reused while the number of stepping streams stays the same."""
        if len(views) == 1:
            return views[0][None]
        if self._batch is None or self._batch.shape[0] != len(views):
            self._batch = views[0].new_empty(len(views), *views[0].shape)
        return torch.stack(views, out=self._batch)

    def _start_live(self, stream_id: Hashable) -> None:
        if self.default_timebase is None:
            raise KeyError(
                f"stream {stream_id!r} was not started: call start(stream_id, timebase) first "
                "or give the detector a steps_per_second for live streams"
            )
        self.start(stream_id, self.default_timebase)

    def _zero_frame(self, in_dim: int) -> torch.Tensor:
        """(E,) projection of a zero input frame (cached per input dimension)."""
        if in_dim not in self._zero_frames:
            self._zero_frames[in_dim] = self.runner.project_zeros(in_dim)
        return self._zero_frames[in_dim]

    def _get(self, stream_id: Hashable) -> _Stream:
        if stream_id not in self._streams:
            raise KeyError(f"unknown stream {stream_id!r}; open streams: {self.stream_ids}")
        return self._streams[stream_id]
