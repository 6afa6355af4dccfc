"""Whole videos for validation and test: one video per item, batch size 1.

The model simulates streaming inside ``predict`` (conventions §5) and returns the segments it
emitted, so evaluation sees exactly what an online run would emit.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from oat.datasets.video_collection import VideoCollection
from oat.registry import DATASETS


@DATASETS.register_module()
class OATVideoDataset(Dataset):
    """Items ``dict(inputs=(T, D_in), data_samples=dict(video_id, duration, num_steps,
    gt_segments (N, 2) seconds, gt_labels (N,)))``; use ``collate_fn=pseudo_collate``."""

    def __init__(
        self,
        ann_file: str,
        feature_file: str,
        feat_dim: int,
        subset: str = "test",
        holdout: str = "all",
        holdout_fraction: float = 0.1,
        holdout_seed: int = 0,
        steps_per_second: float | None = None,
        ann_options: dict | None = None,
    ):
        self.collection = VideoCollection(
            ann_file, feature_file, subset, feat_dim, holdout, holdout_fraction, holdout_seed,
            steps_per_second, cache_features=False, ann_options=ann_options,
        )
        self.metainfo = dict(classes=tuple(self.collection.classes))

    def __len__(self) -> int:
        return len(self.collection.videos)

    def __getitem__(self, index: int) -> dict:
        video = self.collection.videos[index]
        segments = np.array([[s.start, s.end] for s in video.segments], dtype=np.float64)
        meta = dict(
            video_id=video.video_id,
            duration=float(video.duration),
            num_steps=self.collection.num_steps[video.video_id],
            gt_segments=segments.reshape(-1, 2),
            gt_labels=np.array([s.label for s in video.segments], dtype=np.int64),
        )
        features = torch.from_numpy(self.collection.features(video.video_id))
        return dict(inputs=features, data_samples=meta)
