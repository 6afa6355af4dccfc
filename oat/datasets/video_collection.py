"""Annotations + features of the videos a dataset uses, checked once, read lazily.

Shared by the training-window dataset and the whole-video dataset. Checks at construction:
every selected video is in the feature file, the feature dimension matches the config, and
(optionally) the file's nominal rate matches the config's. Errors name file, video and field.
"""
from __future__ import annotations

import numpy as np

from oat.datasets.annotations import AnnotationSet, VideoAnnotation
from oat.datasets.features import FeatureStore
from oat.datasets.splits import select_videos
from oat.datasets.timebase import seconds_to_steps


class VideoCollection:
    """The selected videos of one annotation file, with their feature arrays.

    Args:
        ann_file: annotation file (any format ``oat.datasets.readers`` reads).
        feature_file: canonical feature h5 (``oat.datasets.features``).
        subset, holdout, holdout_fraction, holdout_seed: see ``oat.datasets.splits``.
        feat_dim: expected feature dimension (D_in), checked against the file.
        steps_per_second: expected nominal rate; checked against the file when given.
        cache_features: keep each video's array in memory after its first read.
    """

    def __init__(
        self,
        ann_file: str,
        feature_file: str,
        subset: str,
        feat_dim: int,
        holdout: str = "all",
        holdout_fraction: float = 0.1,
        holdout_seed: int = 0,
        steps_per_second: float | None = None,
        cache_features: bool = True,
        ann_options: dict | None = None,
    ):
        from oat.datasets.readers import read_annotations

        self.annotations: AnnotationSet = read_annotations(ann_file, **(ann_options or {}))
        self.videos: list[VideoAnnotation] = select_videos(
            self.annotations, subset, holdout, holdout_fraction, holdout_seed
        )
        self.store = FeatureStore(feature_file)
        self._cache: dict[str, np.ndarray] | None = {} if cache_features else None
        self.num_steps = self._check(feat_dim, steps_per_second)

    @property
    def classes(self) -> list[str]:
        return self.annotations.classes

    def _check(self, feat_dim: int, steps_per_second: float | None) -> dict[str, int]:
        """Dimension, rate and presence checks; returns ``T`` per selected video."""
        self.store.check_dim(feat_dim)
        if steps_per_second is not None:
            self.store.check_rate(steps_per_second)
        ids = [v.video_id for v in self.videos]
        self.store.check_videos(ids, source=self.annotations.source)
        return {video_id: self.store.num_steps(video_id) for video_id in ids}

    def features(self, video_id: str) -> np.ndarray:
        """Float32 ``(T, D_in)`` features of one video (cached when enabled)."""
        if self._cache is None:
            return self.store.get(video_id)
        if video_id not in self._cache:
            self._cache[video_id] = self.store.get(video_id)
        return self._cache[video_id]

    def gt_steps(self, video: VideoAnnotation) -> np.ndarray:
        """Ground-truth ``(N, 3)`` float64 rows ``[start, end, class]`` in step coordinates."""
        T = self.num_steps[video.video_id]
        rows = np.array([[s.start, s.end, s.label] for s in video.segments], dtype=np.float64)
        if not len(rows):
            return np.zeros((0, 3))
        rows[:, :2] = seconds_to_steps(rows[:, :2], T, video.duration)
        return rows

    def __getstate__(self):
        # Workers get the annotations and an unopened store; feature caches are per worker.
        state = dict(self.__dict__)
        state["_cache"] = {} if self._cache is not None else None
        return state
