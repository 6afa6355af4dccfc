"""TSASPC's dataset: one whole video per item with its timestamps on the teacher grid.

Inputs come from the annotation file (video list, subset, duration, class names), a canonical
points CSV (action points), an optional background points CSV (``background_points``) and the
teacher feature store. Ground-truth segments are attached only with ``with_ground_truth``
(evaluation); the training items never depend on them.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch
from torch.utils.data import Dataset

from oat.datasets.points import PointLabel, read_points_csv
from oat.datasets.video_collection import VideoCollection
from oat.registry import DATASETS
from onpoint_ext.teachers.tsaspc.background_points import read_background_points
from onpoint_ext.teachers.tsaspc.stamps import timestamps_on_grid


@DATASETS.register_module()
class TSASPCVideoDataset(Dataset):
    """Items ``dict(inputs=(T, D_in) float32, data_samples=dict(...))``; batch them with
    ``collate_fn=dict(type="pseudo_collate")``.

    ``data_samples`` holds ``video_id``, ``duration`` (s), ``num_steps`` (T), ``stamp_steps``
    (n,) int64 strictly ascending teacher steps, ``stamp_labels`` (n,) int64 in ``0..C``
    (``C`` = background) and, with ``with_ground_truth``, ``gt_segments`` (N, 2) seconds and
    ``gt_labels`` (N,).

    Args:
        ann_file: annotation file (canonical json or any format ``read_annotations`` reads).
        feature_file: teacher feature store (h5).
        feat_dim: expected teacher feature dimension, checked against the store.
        points_file: canonical points CSV of the action points; None: no stamps (test split).
        background_points: background points CSV (``background_points.py``); None switches
            background timestamps off (spec §2.8).
        subset, holdout, holdout_fraction, holdout_seed: video selection (``oat.datasets.splits``).
    """

    def __init__(self, ann_file: str, feature_file: str, feat_dim: int,
                 points_file: str | None = None, background_points: str | None = None,
                 subset: str = "train", with_ground_truth: bool = False, holdout: str = "all",
                 holdout_fraction: float = 0.1, holdout_seed: int = 0,
                 ann_options: dict | None = None):
        self.collection = VideoCollection(
            ann_file, feature_file, subset, feat_dim, holdout, holdout_fraction, holdout_seed,
            cache_features=False, ann_options=ann_options,
        )
        self.with_ground_truth = with_ground_truth
        classes = self.collection.classes
        points = []
        if points_file:
            points += self._checked(read_points_csv(points_file, classes), points_file)
        if background_points:
            points += self._checked(read_background_points(background_points, classes),
                                    background_points)
        self.points: dict[str, list[PointLabel]] = defaultdict(list)
        for point in points:
            self.points[point.video_id].append(point)
        self.metainfo = dict(classes=tuple(classes))

    @property
    def annotations(self):
        """The :class:`oat.datasets.annotations.AnnotationSet` the videos come from."""
        return self.collection.annotations

    @property
    def video_ids(self) -> list[str]:
        return [video.video_id for video in self.collection.videos]

    def _checked(self, points: list[PointLabel], path: str) -> list[PointLabel]:
        """``points`` of ``path``, each checked to lie inside its video when that is used."""
        durations = {video.video_id: video.duration for video in self.collection.videos}
        for point in points:
            duration = durations.get(point.video_id)
            if duration is not None and not 0.0 <= point.time <= duration:
                raise ValueError(
                    f"{path}: video {point.video_id!r}: point time {point.time} s is outside "
                    f"[0, duration={duration}] of {self.annotations.source}"
                )
        return points

    def __len__(self) -> int:
        return len(self.collection.videos)

    def __getitem__(self, index: int) -> dict:
        video = self.collection.videos[index]
        num_steps = self.collection.num_steps[video.video_id]
        points = self.points.get(video.video_id, ())
        stamps = timestamps_on_grid(
            np.array([p.time for p in points], dtype=np.float64),
            np.array([p.label for p in points], dtype=np.int64),
            num_steps, video.duration, background_label=len(self.metainfo["classes"]),
        )
        sample = dict(
            video_id=video.video_id,
            duration=float(video.duration),
            num_steps=num_steps,
            stamp_steps=stamps.steps,
            stamp_labels=stamps.labels,
        )
        if self.with_ground_truth:
            segments = np.array([[s.start, s.end] for s in video.segments], dtype=np.float64)
            sample["gt_segments"] = segments.reshape(-1, 2)
            sample["gt_labels"] = np.array([s.label for s in video.segments], dtype=np.int64)
        features = torch.from_numpy(self.collection.features(video.video_id))
        return dict(inputs=features, data_samples=sample)
