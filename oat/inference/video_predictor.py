"""Whole-video online inference for evaluation: the model's ``video_predictor``."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from oat.inference.decoding import ProposalDecoder
from oat.inference.online_track import OnlineTrack
from oat.inference.proposals import Proposals, TimeBase
from oat.inference.window_runner import WindowRunner
from oat.registry import TASK_UTILS


@TASK_UTILS.register_module()
class OnlineVideoPredictor:
    """Simulates streaming over a whole video and returns what would have been emitted.

    Equivalent to stepping the video frame by frame through
    :class:`~oat.inference.streaming.StreamingDetector` (same decoding, same post-processor
    code), but faster: the zero-front-padded video is projected once, the ``T`` windows are
    cut from it with ``unfold`` and run ``chunk_size`` at a time. Outputs agree with the
    frame-by-frame path up to float rounding of batched matrix products.

    Args:
        postprocessor: post-processor config (``TASK_UTILS``), e.g. ``dict(type="OnlineNMS")``.
        score_threshold, class_rule: decoding options (see :class:`ProposalDecoder`).
        chunk_size: windows per network call.
    """

    def __init__(
        self,
        postprocessor: dict,
        score_threshold: float = 0.1,
        class_rule: str = "oat",
        chunk_size: int = 256,
    ) -> None:
        self.postprocessor = TASK_UTILS.build(postprocessor)
        self.score_threshold = score_threshold
        self.class_rule = class_rule
        self.chunk_size = chunk_size

    def __call__(self, model: nn.Module, features: torch.Tensor, meta: dict) -> dict:
        """Online predictions for one video.

        Args:
            model: OAT-style model (stage methods); run in eval mode, restored afterwards.
            features: (T, D_in) input features of the whole video.
            meta: ``video_id``, ``duration`` (s), ``num_steps`` (T), ``gt_segments`` (N, 2) s,
                ``gt_labels`` (N,).

        Returns:
            dict(video_id, segments (K, 2) s, labels (K,) int64, scores (K,), emit_times (K,) s,
            gt_segments, gt_labels), numpy arrays, in emission order.
        """
        num_steps = int(meta["num_steps"])
        if features.dim() != 2 or features.shape[0] != num_steps:
            raise ValueError(
                f"video {meta.get('video_id')!r}: features {tuple(features.shape)} do not match "
                f"num_steps={num_steps} (expected (T, D_in))"
            )
        runner = WindowRunner(model)
        decoder = ProposalDecoder(runner.anchors, self.score_threshold, self.class_rule)
        timebase = TimeBase(num_steps, float(meta["duration"]))
        track = OnlineTrack(decoder, self.postprocessor.spawn(), timebase)
        was_training = model.training
        model.eval()
        try:
            with torch.inference_mode():
                emitted = self._run(runner, track, features.to(runner.device, runner.dtype))
        finally:
            model.train(was_training)
        emitted = Proposals.concat(emitted)
        return dict(
            video_id=meta["video_id"],
            segments=np.stack([emitted.starts, emitted.ends], axis=1).reshape(-1, 2),
            labels=emitted.labels,
            scores=emitted.scores,
            emit_times=emitted.emit_times,
            gt_segments=meta.get("gt_segments"),
            gt_labels=meta.get("gt_labels"),
        )

    def _run(self, runner: WindowRunner, track: OnlineTrack, features: torch.Tensor) -> list:
        """Emitted :class:`Proposals` of every step, then of the end of the video."""
        window = runner.window
        padding = features.new_zeros(window - 1, features.shape[1])
        projected = runner.project(torch.cat([padding, features]))  # (T + W - 1, E)
        windows = projected.unfold(0, window, 1).transpose(1, 2)  # (T, W, E) view
        emitted = []
        for first in range(0, len(windows), self.chunk_size):
            chunk = windows[first : first + self.chunk_size].contiguous()
            probs, reg = (output.cpu().numpy() for output in runner.predict(chunk))
            emitted.extend(track.advance(p, r) for p, r in zip(probs, reg))
        emitted.append(track.finish())
        return emitted
