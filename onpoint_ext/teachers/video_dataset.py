"""What the teachers' datasets share: one whole video per item on the teacher grid.

HR-Pro and TSASPC both train and evaluate on whole videos (variable T) read through
:class:`oat.datasets.video_collection.VideoCollection`, both take point labels from CSV files
that must lie inside their videos, and both attach ground truth only for evaluation. Only the
point fields of an item differ (HR-Pro: point matrix; TSASPC: timestamps), so a teacher's
dataset subclasses :class:`TeacherVideoDataset` and implements :meth:`point_fields`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import torch
from torch.utils.data import Dataset

from oat.datasets.annotations import AnnotationSet, VideoAnnotation
from oat.datasets.points import PointLabel
from oat.datasets.video_collection import VideoCollection


def points_by_video(points: Iterable[PointLabel]) -> defaultdict[str, list[PointLabel]]:
    """Group points by ``video_id``, keeping their order; unknown videos read as empty."""
    grouped: defaultdict[str, list[PointLabel]] = defaultdict(list)
    for point in points:
        grouped[point.video_id].append(point)
    return grouped


class TeacherVideoDataset(Dataset):
    """Base of the teachers' whole-video datasets (not registered itself).

    Items are ``dict(inputs=(T, D_in) float32, data_samples=dict(...))``; batch them with
    ``collate_fn=dict(type="pseudo_collate")``. ``data_samples`` holds ``video_id``,
    ``duration`` (s), ``num_steps`` (T), the subclass's :meth:`point_fields` and, with
    ``with_ground_truth``, ``gt_segments`` (N, 2) seconds and ``gt_labels`` (N,). The point
    fields never depend on the ground truth, so training never sees segment boundaries.

    Args:
        ann_file: annotation file (canonical json or any format ``read_annotations`` reads).
        feature_file: teacher feature store (h5).
        feat_dim: expected teacher feature dimension, checked against the store.
        subset, holdout, holdout_fraction, holdout_seed: video selection (``oat.datasets.splits``).
        with_ground_truth: attach the ground-truth segments (evaluation only).
        ann_options: extra options of ``read_annotations``.
    """

    def __init__(self, ann_file: str, feature_file: str, feat_dim: int, subset: str,
                 with_ground_truth: bool, holdout: str, holdout_fraction: float,
                 holdout_seed: int, ann_options: dict | None):
        self.collection = VideoCollection(
            ann_file, feature_file, subset, feat_dim, holdout, holdout_fraction, holdout_seed,
            cache_features=False, ann_options=ann_options,
        )
        self.with_ground_truth = with_ground_truth
        self.metainfo = dict(classes=tuple(self.collection.classes))

    @property
    def annotations(self) -> AnnotationSet:
        """The :class:`oat.datasets.annotations.AnnotationSet` the videos come from."""
        return self.collection.annotations

    @property
    def video_ids(self) -> list[str]:
        """Ids of the dataset's videos, in item order."""
        return [video.video_id for video in self.collection.videos]

    def checked_points(self, points: list[PointLabel], path: str,
                       end_inclusive: bool) -> list[PointLabel]:
        """``points`` read from ``path``, each checked to lie inside its video when the dataset
        uses that video: ``0 <= time <= duration`` (``end_inclusive``) or ``< duration``.

        Raises:
            ValueError: naming the file, the video and the point time, for the first point
                (in file order) outside its video.
        """
        durations = {video.video_id: video.duration for video in self.collection.videos}
        closing = "]" if end_inclusive else ")"
        for point in points:
            duration = durations.get(point.video_id)
            if duration is None:
                continue
            inside = point.time <= duration if end_inclusive else point.time < duration
            if not (0.0 <= point.time and inside):
                raise ValueError(
                    f"{path}: video {point.video_id!r}: point time {point.time} s is outside "
                    f"[0, duration={duration}{closing} of {self.annotations.source}"
                )
        return points

    def point_fields(self, video: VideoAnnotation, num_steps: int) -> dict:
        """The teacher's point-label fields of one video's ``data_samples`` (T = ``num_steps``
        teacher steps); built from point labels only, never from ground-truth segments."""
        raise NotImplementedError(f"{type(self).__name__} must implement point_fields")

    def __len__(self) -> int:
        return len(self.collection.videos)

    def __getitem__(self, index: int) -> dict:
        video = self.collection.videos[index]
        num_steps = self.collection.num_steps[video.video_id]
        sample = dict(
            video_id=video.video_id,
            duration=float(video.duration),
            num_steps=num_steps,
            **self.point_fields(video, num_steps),
        )
        if self.with_ground_truth:
            segments = np.array([[s.start, s.end] for s in video.segments], dtype=np.float64)
            sample["gt_segments"] = segments.reshape(-1, 2)
            sample["gt_labels"] = np.array([s.label for s in video.segments], dtype=np.int64)
        features = torch.from_numpy(self.collection.features(video.video_id))
        return dict(inputs=features, data_samples=sample)
