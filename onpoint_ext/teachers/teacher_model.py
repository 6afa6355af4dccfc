"""What the teachers' models share: the mmengine plumbing around a whole-video teacher.

HR-Pro and TSASPC take a batch as a list of whole videos (variable T) with one meta dict per
video, validate their loss weights the same way, drop a loss whose weight is 0, and predict
offline (every segment is emitted at the end of its video). A teacher subclasses
:class:`PointTeacherModel` and implements :meth:`~PointTeacherModel.video_cas`,
:meth:`~PointTeacherModel.loss` and :meth:`~PointTeacherModel.predict_video`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from mmengine.model import BaseModel

from oat.models.detector import per_video_samples
from oat.registry import MODELS
from onpoint_ext.teachers.cache import TeacherSegments


class PointTeacherModel(BaseModel):
    """Base of the point-supervised teachers (not registered itself).

    Args:
        network: config of the teacher's network (a MODELS type with ``num_classes``).
        default_loss_weights: every loss the teacher knows, with its default weight.
        loss_weights: overrides of some of ``default_loss_weights`` (0 drops a loss); an
            unknown name is a ValueError.
    """

    def __init__(self, network: dict, default_loss_weights: Mapping[str, float],
                 loss_weights: dict | None, data_preprocessor: dict | None,
                 init_cfg: dict | None):
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.network = MODELS.build(network)
        self.num_classes = self.network.num_classes
        self.loss_weights = {**default_loss_weights, **(loss_weights or {})}
        unknown = set(self.loss_weights) - set(default_loss_weights)
        if unknown:
            raise ValueError(f"{type(self).__name__}: unknown loss weights {sorted(unknown)}; "
                             f"expected keys {sorted(default_loss_weights)}")

    def forward(self, inputs: Sequence[torch.Tensor], data_samples=None, mode: str = "tensor"):
        """``inputs``: list of (T, D_in) videos; ``data_samples``: list of dicts or the dict of
        lists that ``pseudo_collate`` makes. Modes: ``loss`` -> dict of weighted losses,
        ``predict`` -> list of detection dicts, ``tensor`` -> list of (T, C+1) CAS."""
        if mode == "tensor":
            return [self.video_cas(features) for features in inputs]
        samples = per_video_samples(data_samples, len(inputs))
        if mode == "loss":
            return self.loss(inputs, samples)
        if mode == "predict":
            return [self.predict_video(f, s) for f, s in zip(inputs, samples)]
        raise ValueError(f"{type(self).__name__}: unknown mode {mode!r}; "
                         f"expected loss, predict or tensor")

    def video_cas(self, features: torch.Tensor) -> torch.Tensor:
        """``tensor`` mode of one video: (T, D_in) features -> (T, C+1) CAS, background LAST."""
        raise NotImplementedError(f"{type(self).__name__} must implement video_cas")

    def loss(self, inputs: Sequence[torch.Tensor], samples: list[dict]) -> dict:
        """``loss`` mode: dict of weighted losses of a batch of videos."""
        raise NotImplementedError(f"{type(self).__name__} must implement loss")

    def predict_video(self, features: torch.Tensor, sample: dict) -> dict:
        """``predict`` mode of one video: its detections (:func:`offline_prediction`)."""
        raise NotImplementedError(f"{type(self).__name__} must implement predict_video")

    def weighted_losses(self, terms: Mapping[str, Callable[[], torch.Tensor]]
                        ) -> dict[str, torch.Tensor]:
        """``loss_<name>`` = weight * term for every loss with a positive weight; the term of a
        loss with weight 0 is never computed."""
        return {f"loss_{name}": weight * terms[name]()
                for name, weight in self.loss_weights.items() if weight > 0}


def offline_prediction(sample: dict, found: TeacherSegments) -> dict:
    """One video's segments in OAT's prediction dict form, all emitted at the video's end
    (an offline teacher sees the whole video first); ground truth passes through from
    ``sample`` (empty when it has none)."""
    return dict(
        video_id=sample["video_id"],
        segments=found.segments,
        labels=found.labels,
        scores=found.scores,
        emit_times=np.full(len(found.scores), float(sample["duration"])),
        gt_segments=sample.get("gt_segments", np.zeros((0, 2))),
        gt_labels=sample.get("gt_labels", np.zeros(0, dtype=np.int64)),
    )
