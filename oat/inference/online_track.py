"""One video's state after the network: step counter, time base, decoder, post-processor.

Shared by the frame-by-frame :class:`~oat.inference.streaming.StreamingDetector` and the
batched :class:`~oat.inference.video_predictor.OnlineVideoPredictor`, so both turn network
outputs into emitted segments through the very same code.
"""
from __future__ import annotations

import numpy as np

from oat.inference.decoding import ProposalDecoder
from oat.inference.postprocessors import PostProcessor
from oat.inference.proposals import Proposals, TimeBase


class OnlineTrack:
    """Feeds the network outputs of consecutive steps of one video to its post-processor.

    Args:
        decoder: turns one step's anchor outputs into proposals.
        postprocessor: this video's own post-processor (see ``PostProcessor.spawn``); reset here.
        timebase: this video's step -> seconds mapping.
    """

    def __init__(
        self, decoder: ProposalDecoder, postprocessor: PostProcessor, timebase: TimeBase
    ) -> None:
        self.decoder = decoder
        self.postprocessor = postprocessor
        self.timebase = timebase
        self.restart()

    def restart(self) -> None:
        """Back to step 0 with an empty post-processor state (a stream that restarts)."""
        self.num_steps_seen = 0
        self.postprocessor.reset()

    def advance(self, probs: np.ndarray, reg: np.ndarray) -> Proposals:
        """Segments emitted at the next step, given its (A, C+1) probabilities and (A, 2) reg."""
        step = self.num_steps_seen
        proposals = self.decoder(probs, reg, step, self.timebase)
        emitted = self.postprocessor.step(proposals, float(self.timebase.to_seconds(step)))
        self.num_steps_seen = step + 1
        return emitted

    def finish(self) -> Proposals:
        """Segments emitted when the video ends (offline post-processing emits here)."""
        return self.postprocessor.finish()
