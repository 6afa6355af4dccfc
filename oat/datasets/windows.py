"""Training windows (oat-spec §2.1): every step of every video ends one window of W steps.

Windows index into the per-video feature arrays; no window is materialised before it is asked
for. Steps before 0 are zero vectors (front padding only, no mask). Anchor targets are computed
once per video (``oat.datasets.targets.anchor_targets``) and sliced per window.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from oat.datasets.video_collection import VideoCollection
from oat.registry import DATASETS


@DATASETS.register_module()
class OATWindowDataset(Dataset):
    """One item per (video, end step ``t``): ``dict(inputs=(W, D_in), data_samples=dict(...))``.

    ``data_samples`` holds ``cls_target (A, C+1)`` and ``reg_target (A, 2)`` when
    ``with_targets`` is true; point-supervised training sets it false so that ground-truth
    segments are never turned into targets (a wrapper adds its own).
    """

    def __init__(
        self,
        ann_file: str,
        feature_file: str,
        window: int,
        anchors: tuple[int, ...],
        feat_dim: int,
        subset: str = "train",
        holdout: str = "exclude",
        holdout_fraction: float = 0.1,
        holdout_seed: int = 0,
        pos_threshold: float = 0.5,
        with_targets: bool = True,
        steps_per_second: float | None = None,
        ann_options: dict | None = None,
    ):
        self.collection = VideoCollection(
            ann_file, feature_file, subset, feat_dim, holdout, holdout_fraction, holdout_seed,
            steps_per_second, ann_options=ann_options,
        )
        self.window = int(window)
        self.anchors = tuple(int(a) for a in anchors)
        self.pos_threshold = pos_threshold
        self.with_targets = with_targets
        self.video_ids = [v.video_id for v in self.collection.videos]
        lengths = np.array([self.collection.num_steps[v] for v in self.video_ids], dtype=np.int64)
        self._starts = np.concatenate([[0], np.cumsum(lengths)])
        self._targets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.metainfo = dict(classes=tuple(self.collection.classes))

    def __len__(self) -> int:
        return int(self._starts[-1])

    def locate(self, index: int) -> tuple[str, int]:
        """(video id, end step ``t``) of window ``index``."""
        if not 0 <= index < len(self):
            raise IndexError(f"window {index} out of range (0..{len(self) - 1})")
        video_pos = int(np.searchsorted(self._starts, index, side="right") - 1)
        return self.video_ids[video_pos], int(index - self._starts[video_pos])

    def video_info(self, video_id: str) -> dict:
        """``dict(num_steps, duration)`` of one video (duration in seconds)."""
        video = self.collection.annotations.videos[video_id]
        return dict(num_steps=self.collection.num_steps[video_id], duration=video.duration)

    def window_features(self, video_id: str, end_step: int) -> np.ndarray:
        """Float32 ``(W, D_in)``: steps ``end_step-W+1 .. end_step``, zeros before step 0."""
        features = self.collection.features(video_id)
        first = end_step - self.window + 1
        if first >= 0:
            return features[first : end_step + 1]
        out = np.zeros((self.window, features.shape[1]), dtype=np.float32)
        out[-first:] = features[: end_step + 1]
        return out

    def video_targets(self, video_id: str) -> tuple[np.ndarray, np.ndarray]:
        """Per-step anchor targets of one video: ``cls (T, A, C+1)``, ``reg (T, A, 2)``."""
        if video_id not in self._targets:
            from oat.datasets.targets import anchor_targets

            video = self.collection.annotations.videos[video_id]
            self._targets[video_id] = anchor_targets(
                self.collection.gt_steps(video), self.collection.num_steps[video_id],
                self.anchors, self.collection.annotations.num_classes, self.pos_threshold,
            )
        return self._targets[video_id]

    def __getitem__(self, index: int) -> dict:
        video_id, t = self.locate(index)
        samples = {}
        if self.with_targets:
            cls, reg = self.video_targets(video_id)
            samples = dict(cls_target=torch.from_numpy(cls[t]), reg_target=torch.from_numpy(reg[t]))
        return dict(inputs=torch.from_numpy(self.window_features(video_id, t)), data_samples=samples)
