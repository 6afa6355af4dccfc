"""HR-Pro's dataset: one whole video per item with its point labels on the teacher grid.

Inputs come from the canonical annotation file (video list, subset, duration, class names),
a canonical points CSV and the teacher feature store. Ground-truth segments are attached only
when ``with_ground_truth`` is set (evaluation); the training inputs never depend on them.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch
from torch.utils.data import Dataset

from oat.datasets.points import PointLabel, points_to_multi_hot, read_points_csv
from oat.datasets.video_collection import VideoCollection
from oat.registry import DATASETS


@DATASETS.register_module()
class HRProVideoDataset(Dataset):
    """Items ``dict(inputs=(T, D_in) float32, data_samples=dict(...))``; batch them with
    ``collate_fn=dict(type="pseudo_collate")``.

    ``data_samples`` holds ``video_id``, ``duration`` (s), ``num_steps`` (T), ``point_times``
    (n,) seconds, ``point_labels`` (n,), ``point_matrix`` (T, C) tensor, ``video_labels`` (C,)
    tensor and, with ``with_ground_truth``, ``gt_segments`` (N, 2) seconds and ``gt_labels`` (N,).

    Args:
        ann_file: annotation file (canonical json or any format ``read_annotations`` reads).
        feature_file: teacher feature store (h5).
        feat_dim: expected teacher feature dimension, checked against the store.
        points_file: canonical points CSV; None means no points (e.g. a test split).
        subset, holdout, holdout_fraction, holdout_seed: video selection (``oat.datasets.splits``).
    """

    def __init__(self, ann_file: str, feature_file: str, feat_dim: int,
                 points_file: str | None = None, subset: str = "train",
                 with_ground_truth: bool = False, holdout: str = "all",
                 holdout_fraction: float = 0.1, holdout_seed: int = 0,
                 ann_options: dict | None = None):
        self.collection = VideoCollection(
            ann_file, feature_file, subset, feat_dim, holdout, holdout_fraction, holdout_seed,
            cache_features=False, ann_options=ann_options,
        )
        self.with_ground_truth = with_ground_truth
        self.points = self._group_points(points_file)
        self.metainfo = dict(classes=tuple(self.collection.classes))

    @property
    def annotations(self):
        """The :class:`oat.datasets.annotations.AnnotationSet` the videos come from."""
        return self.collection.annotations

    @property
    def video_ids(self) -> list[str]:
        """Ids of the dataset's videos, in item order."""
        return [video.video_id for video in self.collection.videos]

    def _group_points(self, points_file: str | None) -> dict[str, list[PointLabel]]:
        grouped: dict[str, list[PointLabel]] = defaultdict(list)
        if points_file is None:
            return grouped
        for point in read_points_csv(points_file, self.collection.classes):
            grouped[point.video_id].append(point)
        for video in self.collection.videos:
            for point in grouped.get(video.video_id, ()):
                if not 0.0 <= point.time < video.duration:
                    raise ValueError(
                        f"{points_file}: video {video.video_id!r}: point time {point.time} s is "
                        f"outside [0, duration={video.duration}) of {self.annotations.source}"
                    )
        return grouped

    def __len__(self) -> int:
        return len(self.collection.videos)

    def __getitem__(self, index: int) -> dict:
        video = self.collection.videos[index]
        num_steps = self.collection.num_steps[video.video_id]
        points = sorted(self.points.get(video.video_id, ()), key=lambda p: p.time)
        # P (T, C) on the teacher grid: step floor(time * T / duration); y = classes with points
        matrix = points_to_multi_hot(points, num_steps, video.duration,
                                     len(self.metainfo["classes"]))
        sample = dict(
            video_id=video.video_id,
            duration=float(video.duration),
            num_steps=num_steps,
            point_times=np.array([p.time for p in points], dtype=np.float64),
            point_labels=np.array([p.label for p in points], dtype=np.int64),
            point_matrix=torch.from_numpy(matrix),
            video_labels=torch.from_numpy((matrix > 0).any(axis=0).astype(np.float32)),
        )
        if self.with_ground_truth:
            segments = np.array([[s.start, s.end] for s in video.segments], dtype=np.float64)
            sample["gt_segments"] = segments.reshape(-1, 2)
            sample["gt_labels"] = np.array([s.label for s in video.segments], dtype=np.int64)
        features = torch.from_numpy(self.collection.features(video.video_id))
        return dict(inputs=features, data_samples=sample)
