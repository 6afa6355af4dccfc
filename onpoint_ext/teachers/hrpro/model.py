"""The registered HR-Pro stage-1 teacher: training losses, evaluation detections, pseudo labels.

One item = one whole video (variable T), so the model loops over the videos of a batch and
averages their losses: a batch of 16 videos is the reference's "16 videos, one optimizer step".
Stage 2 (instance-level completeness learning, spec §1.9) is not built: OnPoint needs only the
stage-1 CAS and the reliable proposals.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch

from oat.registry import MODELS
from onpoint_ext.teachers.hrpro.detections import soft_nms
from onpoint_ext.teachers.hrpro.losses import (
    background_loss, point_loss, prototype_loss, video_loss,
)
from onpoint_ext.teachers.hrpro.memory import PrototypeMemory
from onpoint_ext.teachers.hrpro.network import HRProOutput, video_scores
from onpoint_ext.teachers.hrpro.proposals import Proposals, positive_proposals
from onpoint_ext.teachers.hrpro.ranking import reliable_proposals
from onpoint_ext.teachers.hrpro.seeds import select_seeds
from onpoint_ext.teachers.teacher_model import PointTeacherModel, offline_prediction

DEFAULT_LOSS_WEIGHTS = dict(point=0.5, bkg=1.0, proto=1.0, vid=0.0)  # released config


@MODELS.register_module()
class HRProTeacher(PointTeacherModel):
    """HR-Pro stage 1 as an mmengine model.

    Args:
        network: config of :class:`HRProNetwork`.
        loss_weights: weights of ``point``, ``bkg``, ``proto``, ``vid`` (L_vid off by default).
        seed_thresholds: ``act`` / ``bkg`` thresholds of the seed selection (0.1 / 0.95).
        proto_temperature: tau of ``L_proto``; memory_momentum: EMA momentum of the prototypes.
        video_threshold: a class is "predicted" for a video when ``s_c >= video_threshold``.
        soft_nms_sigma, max_detections: evaluation detections (PP + soft-NMS).
    """

    def __init__(self, network: dict, loss_weights: dict | None = None,
                 seed_thresholds: dict | None = None, proto_temperature: float = 0.1,
                 memory_momentum: float = 0.999, video_threshold: float = 0.5,
                 soft_nms_sigma: float = 0.3, max_detections: int | None = None,
                 data_preprocessor: dict | None = None, init_cfg: dict | None = None):
        super().__init__(network, DEFAULT_LOSS_WEIGHTS, loss_weights, data_preprocessor, init_cfg)
        embed_dim = self.network.embedding[0].out_channels
        self.memory = PrototypeMemory(self.num_classes, embed_dim, memory_momentum)
        self.seed_thresholds = {"act": 0.1, "bkg": 0.95, **(seed_thresholds or {})}
        self.proto_temperature = proto_temperature
        self.video_threshold = video_threshold
        self.soft_nms_sigma = soft_nms_sigma
        self.max_detections = max_detections

    def run_network(self, features: torch.Tensor) -> HRProOutput:
        """(T, D_in) features of one video -> network outputs with the current prototypes."""
        # clone: the EMA update writes the buffer in place after this forward
        return self.network(features, self.memory.prototypes.clone())

    def video_cas(self, features: torch.Tensor) -> torch.Tensor:
        """``tensor`` mode: the fused CAS (T, C+1) of one video, with gradients."""
        return self.run_network(features).cas

    def loss(self, inputs: Sequence[torch.Tensor], samples: list[dict]) -> dict:
        """Mean over the videos of the weighted per-video losses (spec §1.4)."""
        totals: dict[str, torch.Tensor] = {}
        for features, sample in zip(inputs, samples):
            for name, value in self.video_losses(features, sample).items():
                totals[name] = totals.get(name, 0.0) + value
        return {name: value / len(inputs) for name, value in totals.items()}

    def video_losses(self, features: torch.Tensor, sample: dict) -> dict:
        """Weighted losses of one video; updates the prototype memory when training."""
        output = self.run_network(features)
        points = sample["point_matrix"].to(output.cas)
        labels = sample["video_labels"].to(output.cas)
        act_seed, bkg_seed = select_seeds(
            output.background.detach().cpu().numpy(), points.cpu().numpy(),
            self.seed_thresholds["act"], self.seed_thresholds["bkg"],
        )
        act_seed = torch.from_numpy(act_seed).to(points)
        bkg_seed = torch.from_numpy(bkg_seed).to(points)
        prototypes = self.memory.prototypes.clone()
        terms = dict(
            point=lambda: point_loss(output.cas, points),
            bkg=lambda: background_loss(output.cas, bkg_seed),
            proto=lambda: prototype_loss(output.embedded, prototypes, act_seed, bkg_seed, labels,
                                         self.proto_temperature),
            vid=lambda: video_loss(video_scores(output.scores[:, :-1], labels), labels),
        )
        losses = self.weighted_losses(terms)
        if self.training:
            self.memory.update(output.embedded, act_seed)
        return losses

    @torch.no_grad()
    def infer(self, features: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Fused CAS (T, C+1) probabilities and video scores ``s`` (C,) of one video, as numpy."""
        output = self.run_network(features)
        return (output.cas.float().cpu().numpy(),
                video_scores(output.scores[:, :-1]).float().cpu().numpy())

    def predicted_classes(self, scores: np.ndarray) -> list[int]:
        """Classes with ``s_c >= video_threshold``, else the single best class."""
        classes = np.flatnonzero(scores >= self.video_threshold)
        return classes.tolist() if len(classes) else [int(np.argmax(scores))]

    def detections(self, cas: np.ndarray, scores: np.ndarray, duration: float) -> Proposals:
        """Evaluation detections: PP of the predicted classes + per-class soft-NMS."""
        proposals = positive_proposals(cas, self.predicted_classes(scores), duration)
        return soft_nms(proposals, self.soft_nms_sigma, self.max_detections)

    @staticmethod
    def pseudo_segments(cas: np.ndarray, duration: float, point_times: np.ndarray,
                        point_labels: np.ndarray) -> Proposals:
        """RP of one training video: PP of its point classes, then one proposal per point.

        [our choice] PP for the classes of the video's points rather than its predicted classes
        (spec §1.7.1): the same RP whenever the prediction is right, never fewer otherwise.
        """
        classes = np.unique(np.asarray(point_labels, dtype=np.int64)).tolist()
        proposals = positive_proposals(cas, classes, duration)
        return reliable_proposals(proposals, point_times, point_labels)

    def teacher_outputs(self, features: torch.Tensor, sample: dict) -> tuple[np.ndarray,
                                                                              Proposals]:
        """What the teacher cache stores for one video: fused CAS (T, C+1) and its RP."""
        cas, _ = self.infer(features)
        return cas, self.pseudo_segments(cas, sample["duration"], sample["point_times"],
                                         sample["point_labels"])

    def predict_video(self, features: torch.Tensor, sample: dict) -> dict:
        """One video's detections in OAT's prediction dict form (offline: emitted at the end)."""
        cas, scores = self.infer(features)
        return offline_prediction(sample, self.detections(cas, scores, sample["duration"]))

    @torch.no_grad()
    def initialize_prototypes(self, items: Iterable[dict]) -> None:
        """Prototype init (spec §1.5): ``M_c`` = mean embedded feature over every point snippet
        of class c in ``items`` (dataset items), computed in eval mode."""
        was_training = self.training
        self.eval()
        sums = torch.zeros_like(self.memory.prototypes)
        counts = torch.zeros(self.num_classes, device=sums.device)
        for item in items:
            output = self.run_network(item["inputs"].to(sums.device))
            points = item["data_samples"]["point_matrix"].to(sums)
            sums += points.t() @ output.embedded
            counts += points.sum(dim=0)
        self.memory.initialize(sums, counts)
        self.train(was_training)
