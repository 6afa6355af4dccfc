"""The canonical feature store: one h5 file, one float32 ``(T, D)`` dataset per video.

File attrs: ``steps_per_second`` (nominal rate; a dataset may carry its own), ``source``,
``description``, ``feature_dim``. The store is opened lazily, read-only, once per process
(so every DataLoader worker opens its own handle) and reads one video at a time.
OAT never uses the rate to map time (it uses ``t * T / duration``, oat-spec §1.4); the rate is
recorded so that a config can check it got the file it expects (student vs teacher features).
"""
from __future__ import annotations

import os
from collections.abc import Iterable

import h5py
import numpy as np

from oat.datasets.h5_reader import LazyH5Reader

RATE_REL_TOLERANCE = 1e-3


def check_feature_array(array, video_id: str, path: str, dim: int | None = None) -> np.ndarray:
    """A video's features as float32 ``(T, D)``, checked; errors name the file and video.

    Checks: 2-D, ``T > 0``, ``D == dim`` when given, every value finite (reports the first
    bad step).
    """
    array = np.asarray(array, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{path}: video {video_id!r}: expected features (T, D) with T > 0, "
                         f"got shape {array.shape}")
    if dim is not None and array.shape[1] != dim:
        raise ValueError(
            f"{path}: video {video_id!r}: feature dim {array.shape[1]}, expected {dim}"
        )
    finite = np.isfinite(array)
    if not finite.all():
        step = int(np.argwhere(~finite)[0][0])
        raise ValueError(f"{path}: video {video_id!r} has NaN/Inf features at step {step}")
    return array


class FeatureStore(LazyH5Reader):
    """Read-only, lazily opened view of a canonical feature h5 file."""

    kind = "feature file"
    unreadable = "not a readable h5 feature file (truncated or corrupt?)"

    def _file_attr(self, name: str):
        attrs = self._handle().attrs
        if name not in attrs:
            raise ValueError(f"{self.path}: file attribute {name!r} is missing; not a feature "
                             "store written by write_feature_store / tools/import_features.py?")
        return attrs[name]

    @property
    def attrs(self) -> dict:
        """File attributes (rate, source, description, feature_dim)."""
        return dict(self._handle().attrs)

    @property
    def video_ids(self) -> list[str]:
        """Ids of all videos in the file (h5 order: sorted)."""
        return list(self._handle().keys())

    @property
    def feature_dim(self) -> int:
        """Feature dimension ``D`` shared by every video."""
        return int(self._file_attr("feature_dim"))

    def __contains__(self, video_id: str) -> bool:
        return video_id in self._handle()

    def num_steps(self, video_id: str) -> int:
        """Number of feature steps ``T`` of one video."""
        return int(self._dataset(video_id).shape[0])

    def steps_per_second(self, video_id: str) -> float:
        """The video's own rate if it has one, else the file's nominal rate."""
        ds = self._dataset(video_id)
        if "steps_per_second" in ds.attrs:
            return float(ds.attrs["steps_per_second"])
        return float(self._file_attr("steps_per_second"))

    def get(self, video_id: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Features of steps ``[start, stop)`` of one video, float32 ``(T', D)``.

        Raises ValueError naming the file and video when values are NaN/Inf or ``start < 0``.
        """
        if start < 0 or (stop is not None and stop < start):
            raise ValueError(f"{self.path}: video {video_id!r}: bad step range [{start}, {stop})")
        data = np.asarray(self._dataset(video_id)[start:stop], dtype=np.float32)
        if not np.isfinite(data).all():
            bad = int(np.argwhere(~np.isfinite(data))[0][0]) + start
            raise ValueError(f"{self.path}: video {video_id!r} has NaN/Inf features at step {bad}")
        return data

    def check_dim(self, expected: int) -> None:
        """Raise ValueError unless the file's feature dimension is ``expected`` (config D_in)."""
        if self.feature_dim != expected:
            raise ValueError(f"{self.path}: feature dimension {self.feature_dim}, but the config "
                             f"expects {expected}")

    def check_rate(self, expected: float, rel_tol: float = RATE_REL_TOLERANCE) -> None:
        """Raise ValueError unless the nominal steps/s equals ``expected`` (relative ``rel_tol``).

        Catches a swapped feature file (e.g. 1.5625/s teacher I3D where 5/s student TSN was
        meant), which the per-video ``T / duration`` mapping would otherwise hide.
        """
        rate = float(self._file_attr("steps_per_second"))
        if abs(rate - expected) > rel_tol * expected:
            raise ValueError(f"{self.path}: features at {rate} steps/s, but the config expects "
                             f"{expected} steps/s")

    def check_videos(self, video_ids: Iterable[str], source: str = "the annotations") -> None:
        """Raise ValueError listing the videos of ``source`` that the file lacks."""
        missing = [v for v in video_ids if v not in self]
        if missing:
            raise ValueError(f"{self.path}: {len(missing)} videos of {source} are not in the "
                             f"feature file, e.g. {missing[:5]}")

    def _dataset(self, video_id: str) -> h5py.Dataset:
        f = self._handle()
        if video_id not in f:
            raise KeyError(f"{self.path}: video {video_id!r} is not in the feature file")
        return f[video_id]


def write_feature_store(
    path: str,
    videos: Iterable[tuple[str, np.ndarray]],
    steps_per_second: float,
    source: str,
    description: str = "",
    per_video_rate: dict[str, float] | None = None,
) -> None:
    """Write ``(video_id, (T, D) array)`` pairs atomically (temp file, then rename).

    ``videos`` is consumed one pair at a time (a generator keeps memory at one video). Every
    array passes :func:`check_feature_array` with the first video's ``D``; ids must be unique
    and at least one video is needed. On error nothing is written and an existing ``path`` is
    left as it was.
    """
    if not steps_per_second > 0:
        raise ValueError(f"{path}: steps_per_second must be > 0, got {steps_per_second}")
    tmp = f"{path}.tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    dim = None
    try:
        with h5py.File(tmp, "w") as f:
            for video_id, array in videos:
                if not video_id or "/" in video_id:
                    raise ValueError(f"{path}: video id {video_id!r} is empty or has a '/'")
                if video_id in f:
                    raise ValueError(f"{path}: video {video_id!r} is given twice")
                array = check_feature_array(array, video_id, path, dim)
                dim = array.shape[1]
                ds = f.create_dataset(video_id, data=array)
                if per_video_rate and video_id in per_video_rate:
                    ds.attrs["steps_per_second"] = float(per_video_rate[video_id])
            if dim is None:
                raise ValueError(f"{path}: no video to write")
            f.attrs["steps_per_second"] = float(steps_per_second)
            f.attrs["source"] = source
            f.attrs["description"] = description
            f.attrs["feature_dim"] = int(dim)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
