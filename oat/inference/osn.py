"""OAT-OSN: online post-processing with SuppressNet (oat-spec §6.3b)."""
from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from oat.inference.nms import EmittedIndex, classwise_nms
from oat.inference.postprocessors import PostProcessor
from oat.inference.proposals import Proposals
from oat.inference.suppressnet import SuppressNet, load_suppressnet
from oat.registry import TASK_UTILS


@TASK_UTILS.register_module()
class OATOSN(PostProcessor):
    """OAT's default online post-processor (``pptype=net``).

    Per step: class-wise NMS on the step's proposals; shift the score queue ``Q (L, C)`` up
    one row and write each survivor's score into the new last row (in score-descending order,
    so when two survivors share a class the LOWER score remains: quirk 11); ``s =
    SuppressNet(Q)``; for each class ``c`` (ascending) with ``s[c] > sup_threshold``, emit each
    survivor of class ``c`` (score order) unless an already emitted proposal of this video and
    class overlaps it by more than ``nms_threshold``. The emitted list never expires (unless
    ``forget_after`` is set).

    Args:
        num_classes: C, action classes without background (the queue width).
        checkpoint: path of SuppressNet weights (``tools/train_osn.py`` output or upstream's).
        network: an already built SuppressNet, instead of ``checkpoint`` (tests, tools).
        queue_length: L (upstream: the window W, 64); by default taken from the weights.
        keep_last_written_score: upstream's queue write order (True); False keeps the highest
            score of a class instead.
        forget_after: seconds; None (upstream) keeps every emitted segment. See
            :class:`~oat.inference.nms.EmittedIndex` (exact forgetting for live streams).
    """

    def __init__(
        self,
        num_classes: int,
        checkpoint: Optional[str] = None,
        network: Optional[SuppressNet] = None,
        queue_length: Optional[int] = None,
        sup_threshold: float = 0.1,
        nms_threshold: float = 0.3,
        overlap_floor: float = 1.0,
        keep_last_written_score: bool = True,
        forget_after: float | None = None,
    ) -> None:
        if (checkpoint is None) == (network is None):
            raise ValueError("OATOSN needs exactly one of `checkpoint` (a path) or `network`")
        self.network = network.eval() if network is not None else load_suppressnet(
            checkpoint, queue_length
        )
        if queue_length is not None and self.network.queue_length != queue_length:
            raise ValueError(
                f"OATOSN queue_length={queue_length} but the SuppressNet expects "
                f"{self.network.queue_length}"
            )
        self.num_classes = num_classes
        self.queue_length = self.network.queue_length
        self.sup_threshold = sup_threshold
        self.nms_threshold = nms_threshold
        self.overlap_floor = overlap_floor
        self.keep_last_written_score = keep_last_written_score
        self.forget_after = forget_after
        self.reset()

    def reset(self) -> None:
        self._queue = np.zeros((self.queue_length, self.num_classes), dtype=np.float32)
        self.emitted = EmittedIndex(self.nms_threshold, self.overlap_floor, self.forget_after)

    @property
    def queue(self) -> np.ndarray:
        """The current score queue (L, C), newest row last (a read-only view)."""
        view = self._queue.view()
        view.flags.writeable = False
        return view

    def step(self, proposals: Proposals, now: float) -> Proposals:
        survivors = proposals.take(classwise_nms(proposals, self.nms_threshold, self.overlap_floor))
        self._push_scores(survivors)
        with torch.inference_mode():
            emit_probs = self.network(torch.from_numpy(self._queue)[None])[0].numpy()
        emitted = []
        # float64 comparison: upstream compared numpy float32 scalars with a Python float
        for label in np.nonzero(emit_probs.astype(np.float64) > self.sup_threshold)[0].tolist():
            for index in np.nonzero(survivors.labels == label)[0].tolist():
                start, end = float(survivors.starts[index]), float(survivors.ends[index])
                if not self.emitted.overlaps(label, start, end):
                    self.emitted.add(label, start, end)
                    emitted.append(index)
        self.emitted.step_to(now)
        return survivors.take(np.asarray(emitted, dtype=np.int64))

    def _push_scores(self, survivors: Proposals) -> None:
        """Shift the queue one step and write this step's survivor scores in its last row."""
        self._queue[:-1] = self._queue[1:]
        newest = self._queue[-1]
        newest[:] = 0.0
        for label, score in zip(survivors.labels.tolist(), survivors.scores.tolist()):
            if label >= self.num_classes:
                raise ValueError(f"OATOSN: label {label} >= num_classes={self.num_classes}")
            newest[label] = score if self.keep_last_written_score else max(newest[label], score)
