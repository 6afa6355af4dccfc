"""HR-Pro's dataset: one whole video per item with its point labels on the teacher grid.

Inputs come from the canonical annotation file (video list, subset, duration, class names),
a canonical points CSV and the teacher feature store. Ground-truth segments are attached only
when ``with_ground_truth`` is set (evaluation); the training inputs never depend on them.
"""
from __future__ import annotations

import numpy as np
import torch

from oat.datasets.annotations import VideoAnnotation
from oat.datasets.points import points_to_multi_hot, read_points_csv
from oat.registry import DATASETS
from onpoint_ext.teachers.video_dataset import TeacherVideoDataset, points_by_video


@DATASETS.register_module()
class HRProVideoDataset(TeacherVideoDataset):
    """Whole videos with HR-Pro's point fields (see :class:`TeacherVideoDataset` for the item).

    ``data_samples`` adds ``point_times`` (n,) seconds, ``point_labels`` (n,), ``point_matrix``
    (T, C) tensor and ``video_labels`` (C,) tensor.

    Args:
        ann_file, feature_file, feat_dim, subset, with_ground_truth, holdout, holdout_fraction,
            holdout_seed, ann_options: see :class:`TeacherVideoDataset`.
        points_file: canonical points CSV; None means no points (e.g. a test split). A point
            must lie in ``[0, duration)`` of its video.
    """

    def __init__(self, ann_file: str, feature_file: str, feat_dim: int,
                 points_file: str | None = None, subset: str = "train",
                 with_ground_truth: bool = False, holdout: str = "all",
                 holdout_fraction: float = 0.1, holdout_seed: int = 0,
                 ann_options: dict | None = None):
        super().__init__(ann_file, feature_file, feat_dim, subset, with_ground_truth, holdout,
                         holdout_fraction, holdout_seed, ann_options)
        points = []
        if points_file is not None:
            points = self.checked_points(read_points_csv(points_file, self.collection.classes),
                                         points_file, end_inclusive=False)
        self.points = points_by_video(points)

    def point_fields(self, video: VideoAnnotation, num_steps: int) -> dict:
        """Point times and labels in time order, the point matrix and the video labels."""
        points = sorted(self.points.get(video.video_id, ()), key=lambda p: p.time)
        # P (T, C) on the teacher grid: step floor(time * T / duration); y = classes with points
        matrix = points_to_multi_hot(points, num_steps, video.duration,
                                     len(self.metainfo["classes"]))
        return dict(
            point_times=np.array([p.time for p in points], dtype=np.float64),
            point_labels=np.array([p.label for p in points], dtype=np.int64),
            point_matrix=torch.from_numpy(matrix),
            video_labels=torch.from_numpy((matrix > 0).any(axis=0).astype(np.float32)),
        )
