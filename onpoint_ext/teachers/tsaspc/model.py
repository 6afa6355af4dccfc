"""The registered TSASPC teacher: PLE intervals, iterative-clustering losses, CAS and segments.

A batch is a list of whole videos; they are zero-padded to the longest one and masked
(teachers-spec §2.6). The model keeps each training video's current segments ``[l_i, r_i)``
(``segment_state``): PLE (§2.2) computes them from the raw features the first time a video is
seen, and label propagation (§2.5) grows them once ``propagate_labels`` is on
(``TSASPCLabelScheduleHook`` switches it and saves the state in checkpoints).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from oat.registry import MODELS
from onpoint_ext.teachers.cache import TeacherSegments
from onpoint_ext.teachers.teacher_model import PointTeacherModel, offline_prediction
from onpoint_ext.teachers.tsaspc.losses import (
    IGNORE_INDEX, classification_loss, clustering_loss, confidence_loss, smoothing_loss,
)
from onpoint_ext.teachers.tsaspc.network import MSTCNOutput
from onpoint_ext.teachers.tsaspc.ple import PLE_METHODS, pseudo_label_intervals
from onpoint_ext.teachers.tsaspc.propagation import propagate_intervals
from onpoint_ext.teachers.tsaspc.segments import argmax_runs
from onpoint_ext.teachers.tsaspc.stamps import frame_targets

DEFAULT_LOSS_WEIGHTS = dict(cls=1.0, smooth=0.15, conf=0.075, cluster=0.15)  # spec §2.4


@MODELS.register_module()
class TSASPCTeacher(PointTeacherModel):
    """TSASPC (Du et al., IJCAI 2023) on MS-TCN as an mmengine model.

    Args:
        network: config of :class:`TSASPCNetwork`.
        loss_weights: weights of ``cls``, ``smooth``, ``conf``, ``cluster`` (0 drops a loss).
        smooth_clamp: truncation of the smoothing MSE (16).
        ple: PLE options ``num_streams`` (2: rgb / flow halves), ``methods``, ``max_iters``,
            ``tol`` (see :func:`pseudo_label_intervals`).
        min_segment_steps: pseudo segments shorter than this many steps are dropped.
    """

    def __init__(self, network: dict, loss_weights: dict | None = None,
                 smooth_clamp: float = 16.0, ple: dict | None = None, min_segment_steps: int = 1,
                 data_preprocessor: dict | None = None, init_cfg: dict | None = None):
        super().__init__(network, DEFAULT_LOSS_WEIGHTS, loss_weights, data_preprocessor, init_cfg)
        self.smooth_clamp = smooth_clamp
        self.ple = {**dict(num_streams=2, methods=PLE_METHODS, max_iters=300, tol=1e-4),
                    **(ple or {})}
        self.min_segment_steps = min_segment_steps
        self.propagate_labels = False  # before the switch epoch: CE on the stamps only
        self.segment_state: dict[str, np.ndarray] = {}

    def run_network(self, inputs: Sequence[torch.Tensor]) -> tuple[MSTCNOutput, torch.Tensor]:
        """Pad a list of (T_b, D_in) videos -> network output and the (B, L) mask."""
        lengths = [len(x) for x in inputs]
        features = inputs[0].new_zeros(len(inputs), inputs[0].shape[1], max(lengths))
        mask = features.new_zeros(len(inputs), max(lengths))
        for b, x in enumerate(inputs):
            features[b, :, : len(x)] = x.t()
            mask[b, : len(x)] = 1.0
        return self.network(features, mask[:, None]), mask

    def video_cas(self, features: torch.Tensor) -> torch.Tensor:
        """``tensor`` mode: the CAS (T, C+1) of one video (:meth:`infer`, no gradients)."""
        return torch.from_numpy(self.infer(features))

    def current_intervals(self, features: torch.Tensor, sample: dict) -> np.ndarray:
        """The stored segments of a training video; PLE on its raw features when first seen."""
        video_id = sample["video_id"]
        if video_id not in self.segment_state:
            self.segment_state[video_id] = pseudo_label_intervals(
                features.detach().cpu().numpy(), sample["stamp_steps"], **self.ple)
        return self.segment_state[video_id]

    def loss(self, inputs: Sequence[torch.Tensor], samples: list[dict]) -> dict:
        """Weighted ``L_cls``, ``L_sm``, ``L_conf``, ``L_clu`` of one batch (spec §2.4) plus the
        share of labelled steps (``label_rate``, a diagnostic)."""
        output, mask = self.run_network(inputs)
        intervals = [self.current_intervals(x, s) for x, s in zip(inputs, samples)]
        if self.propagate_labels:
            intervals = [propagate_intervals(output.middle[b, :, : len(x)], spans)
                         for b, (x, spans) in enumerate(zip(inputs, intervals))]
            self.segment_state.update({s["video_id"]: spans
                                       for s, spans in zip(samples, intervals)})
        targets = torch.full(mask.shape, IGNORE_INDEX, dtype=torch.long, device=mask.device)
        for b, (x, s, spans) in enumerate(zip(inputs, samples, intervals)):
            if self.propagate_labels:
                targets[b, : len(x)] = torch.from_numpy(frame_targets(spans, s["stamp_labels"],
                                                                      len(x)))
            else:
                targets[b, torch.as_tensor(s["stamp_steps"])] = torch.as_tensor(s["stamp_labels"])
        steps = [s["stamp_steps"] for s in samples]
        terms = dict(
            cls=lambda: classification_loss(output.logits, targets),
            smooth=lambda: smoothing_loss(output.logits, mask, self.smooth_clamp),
            conf=lambda: confidence_loss(output.logits, steps,
                                         [s["stamp_labels"] for s in samples],
                                         [len(x) for x in inputs]),
            cluster=lambda: clustering_loss(output.middle, intervals, steps),
        )
        losses = self.weighted_losses(terms)
        losses["label_rate"] = (targets != IGNORE_INDEX).sum() / mask.sum()
        return losses

    @torch.no_grad()
    def infer(self, features: torch.Tensor) -> np.ndarray:
        """CAS of one video: softmax of the last stage, (T, C+1) float32, background LAST."""
        output, _ = self.run_network([features])
        return F.softmax(output.logits[-1, 0], dim=0).t().float().cpu().numpy()

    def teacher_outputs(self, features: torch.Tensor, sample: dict
                        ) -> tuple[np.ndarray, TeacherSegments]:
        """What the teacher cache stores for one video: CAS (T, C+1) and its argmax runs."""
        cas = self.infer(features)
        return cas, argmax_runs(cas, sample["duration"], self.min_segment_steps)

    def predict_video(self, features: torch.Tensor, sample: dict) -> dict:
        """One video's pseudo segments in OAT's prediction dict form (offline: emitted at the
        end of the video)."""
        _, found = self.teacher_outputs(features, sample)
        return offline_prediction(sample, found)

