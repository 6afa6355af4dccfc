"""The canonical feature store: one h5 file, one float32 ``(T, D)`` dataset per video.

File attrs: ``steps_per_second`` (nominal rate; a dataset may carry its own), ``source``,
``description``, ``feature_dim``. The store is opened lazily, read-only, once per process
(so every DataLoader worker opens its own handle) and reads one video at a time.
"""
from __future__ import annotations

import os
from collections.abc import Iterable

import h5py
import numpy as np


class FeatureStore:
    """Read-only, lazily opened view of a canonical feature h5 file."""

    def __init__(self, path: str):
        self.path = str(path)
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"feature file not found: {self.path}")
        self._file: h5py.File | None = None
        self._pid: int | None = None

    def _handle(self) -> h5py.File:
        if self._file is None or self._pid != os.getpid():
            try:
                self._file = h5py.File(self.path, "r")
            except OSError as err:
                raise ValueError(
                    f"{self.path}: not a readable h5 feature file (truncated or corrupt?): {err}"
                ) from None
            self._pid = os.getpid()
        return self._file

    @property
    def attrs(self) -> dict:
        return dict(self._handle().attrs)

    @property
    def video_ids(self) -> list[str]:
        return list(self._handle().keys())

    @property
    def feature_dim(self) -> int:
        return int(self._handle().attrs["feature_dim"])

    def __contains__(self, video_id: str) -> bool:
        return video_id in self._handle()

    def num_steps(self, video_id: str) -> int:
        return int(self._dataset(video_id).shape[0])

    def steps_per_second(self, video_id: str) -> float:
        ds = self._dataset(video_id)
        return float(ds.attrs.get("steps_per_second", self._handle().attrs["steps_per_second"]))

    def get(self, video_id: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Features of steps ``[start, stop)`` of one video, float32 ``(T', D)``.

        Raises ValueError naming the file and video when values are NaN/Inf.
        """
        data = np.asarray(self._dataset(video_id)[start:stop], dtype=np.float32)
        if not np.isfinite(data).all():
            bad = int(np.argwhere(~np.isfinite(data))[0][0]) + start
            raise ValueError(f"{self.path}: video {video_id!r} has NaN/Inf features at step {bad}")
        return data

    def _dataset(self, video_id: str) -> h5py.Dataset:
        f = self._handle()
        if video_id not in f:
            raise KeyError(f"{self.path}: video {video_id!r} is not in the feature file")
        return f[video_id]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __getstate__(self):
        # h5py handles cannot be pickled: each worker reopens the file.
        return {"path": self.path, "_file": None, "_pid": None}


def write_feature_store(
    path: str,
    videos: Iterable[tuple[str, np.ndarray]],
    steps_per_second: float,
    source: str,
    description: str = "",
    per_video_rate: dict[str, float] | None = None,
) -> None:
    """Write ``(video_id, (T, D) array)`` pairs atomically (temp file, then rename).

    All arrays must share ``D`` and be finite; the error names the video otherwise.
    """
    tmp = f"{path}.tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    dim = None
    try:
        with h5py.File(tmp, "w") as f:
            for video_id, array in videos:
                array = np.asarray(array, dtype=np.float32)
                if array.ndim != 2:
                    raise ValueError(f"{path}: video {video_id!r}: expected (T, D), got {array.shape}")
                if dim is None:
                    dim = array.shape[1]
                elif array.shape[1] != dim:
                    raise ValueError(
                        f"{path}: video {video_id!r}: feature dim {array.shape[1]}, expected {dim}"
                    )
                if not np.isfinite(array).all():
                    raise ValueError(f"{path}: video {video_id!r} has NaN/Inf features")
                ds = f.create_dataset(video_id, data=array)
                if per_video_rate and video_id in per_video_rate:
                    ds.attrs["steps_per_second"] = float(per_video_rate[video_id])
            f.attrs["steps_per_second"] = float(steps_per_second)
            f.attrs["source"] = source
            f.attrs["description"] = description
            f.attrs["feature_dim"] = int(dim or 0)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
