"""TSASPC's dataset: one whole video per item with its timestamps on the teacher grid.

Inputs come from the annotation file (video list, subset, duration, class names), a canonical
points CSV (action points), an optional background points CSV (``background_points``) and the
teacher feature store. Ground-truth segments are attached only with ``with_ground_truth``
(evaluation); the training items never depend on them.
"""
from __future__ import annotations

import numpy as np

from oat.datasets.annotations import VideoAnnotation
from oat.datasets.points import read_points_csv
from oat.registry import DATASETS
from onpoint_ext.teachers.tsaspc.background_points import read_background_points
from onpoint_ext.teachers.tsaspc.stamps import timestamps_on_grid
from onpoint_ext.teachers.video_dataset import TeacherVideoDataset, points_by_video


@DATASETS.register_module()
class TSASPCVideoDataset(TeacherVideoDataset):
    """Whole videos with TSASPC's timestamps (see :class:`TeacherVideoDataset` for the item).

    ``data_samples`` adds ``stamp_steps`` (n,) int64 strictly ascending teacher steps and
    ``stamp_labels`` (n,) int64 in ``0..C`` (``C`` = background). A point of either CSV must
    lie in ``[0, duration]`` of its video.

    Args:
        ann_file, feature_file, feat_dim, subset, with_ground_truth, holdout, holdout_fraction,
            holdout_seed, ann_options: see :class:`TeacherVideoDataset`.
        points_file: canonical points CSV of the action points; None: no stamps (test split).
        background_points: background points CSV (``background_points.py``); None switches
            background timestamps off (spec §2.8).
    """

    def __init__(self, ann_file: str, feature_file: str, feat_dim: int,
                 points_file: str | None = None, background_points: str | None = None,
                 subset: str = "train", with_ground_truth: bool = False, holdout: str = "all",
                 holdout_fraction: float = 0.1, holdout_seed: int = 0,
                 ann_options: dict | None = None):
        super().__init__(ann_file, feature_file, feat_dim, subset, with_ground_truth, holdout,
                         holdout_fraction, holdout_seed, ann_options)
        classes = self.collection.classes
        points = []
        if points_file:
            points += self.checked_points(read_points_csv(points_file, classes), points_file,
                                          end_inclusive=True)
        if background_points:
            points += self.checked_points(read_background_points(background_points, classes),
                                          background_points, end_inclusive=True)
        self.points = points_by_video(points)

    def point_fields(self, video: VideoAnnotation, num_steps: int) -> dict:
        """The video's action and background points as timestamps on the teacher grid."""
        points = self.points.get(video.video_id, ())
        stamps = timestamps_on_grid(
            np.array([p.time for p in points], dtype=np.float64),
            np.array([p.label for p in points], dtype=np.int64),
            num_steps, video.duration, background_label=len(self.metainfo["classes"]),
        )
        return dict(stamp_steps=stamps.steps, stamp_labels=stamps.labels)
