"""The frozen teacher cache: per-video teacher CAS + pseudo segments in one h5 file, with
provenance (onpoint-spec §2).

Layout: one group per video holding ``cas`` (T_s, C+1) float32 probabilities (background LAST)
on the *student's* steps, optionally ``cas_teacher_grid`` (T_t, C+1) on the teacher's own steps,
and the pseudo segments ``segments`` (K, 2) seconds, ``labels`` (K,), ``scores`` (K,). File
attrs record what produced it (see :data:`PROVENANCE_FIELDS`); :class:`TeacherCache` refuses a
cache whose provenance differs from what the caller expects, naming each changed field.

Feature-file identity [our choice]: sha256 of the file's attrs plus every video's id, shape and
dtype (:func:`feature_file_identity`). It is cheap (no feature bytes read), survives copying
the file elsewhere, and changes with the extractor settings recorded in attrs, the video set,
the lengths and the dimension; it does not see features re-extracted with identical attrs and
shapes. The path is stored too, for information only.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import NamedTuple

import h5py
import numpy as np

from oat.datasets.h5_reader import LazyH5Reader
from oat.datasets.timebase import step_centres

FORMAT_VERSION = "teacher-cache-1"
# Where a step's value sits in time when one grid is resampled onto another (docs/datasets.md,
# "Time base"): step j of T covers [j, j+1) * D/T and its value is read at the centre. A cache
# written under another convention (or before this field existed) is refused, never reused.
TIME_CONVENTION = "step-covers-[j,j+1)dt;resample-at-centre"
# Compared by TeacherCache(expect=...) when the caller names them; all are written.
PROVENANCE_FIELDS = (
    "format_version", "teacher_type", "teacher_config_sha256", "teacher_checkpoint_sha256",
    "teacher_features", "student_features", "code_version", "num_classes", "class_names",
    "split", "cas_grid",
)
# Written by write_teacher_cache itself and checked on every read, whatever the caller expects.
CODE_FIELDS = {"format_version": FORMAT_VERSION, "time_convention": TIME_CONVENTION}
_JSON_FIELDS = ("class_names",)


class TeacherSegments(NamedTuple):
    """Pseudo segments of one video: segments (K, 2) seconds, labels (K,) class indices
    (0..C-1), scores (K,) teacher confidences."""

    segments: np.ndarray
    labels: np.ndarray
    scores: np.ndarray


@dataclass
class CachedVideo:
    """What the cache stores for one video.

    Attributes:
        cas: (T_s, C+1) probabilities on the student's steps (or the teacher's, without a
            student feature file).
        segments: the pseudo segments.
        cas_teacher_grid: (T_t, C+1) on the teacher's steps; written only when requested.
    """

    cas: np.ndarray
    segments: TeacherSegments
    cas_teacher_grid: np.ndarray | None = None


def resample_by_time(values: np.ndarray, duration: float, num_target_steps: int) -> np.ndarray:
    """Resample a per-step sequence (T_src, K) onto another grid of the same video by time.

    Each step is read at its centre (:data:`TIME_CONVENTION`): source step j at
    ``(j + 0.5) * duration / T_src`` seconds, target step t at ``(t + 0.5) * duration / T_dst``;
    each channel is linearly interpolated (``numpy.interp``) and targets outside the span of the
    source centres hold the edge value. Returns float32 (T_dst, K). (Placing both at their
    starts, as before, made target t read content about half a source step minus half a target
    step later than its own: 0.22 s for 0.64 s teacher and 0.2 s student steps.)
    """
    values = np.asarray(values, dtype=np.float64)
    source_times = step_centres(len(values), duration)
    target_times = step_centres(num_target_steps, duration)
    columns = [np.interp(target_times, source_times, values[:, k]) for k in range(values.shape[1])]
    return np.stack(columns, axis=1).astype(np.float32).reshape(num_target_steps, -1)


def file_sha256(path: str) -> str:
    """sha256 hex digest of a file's bytes (checkpoints)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"file not found: {path}")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def text_sha256(text: str) -> str:
    """sha256 hex digest of a text (the dumped teacher config)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def feature_file_identity(path: str) -> str:
    """Identity of a feature h5 file: sha256 of its attrs and per-video (id, shape, dtype)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"feature file not found: {path}")
    with h5py.File(path, "r") as f:
        description = {
            "attrs": {key: _plain(value) for key, value in sorted(f.attrs.items())},
            "videos": [[name, list(f[name].shape), str(f[name].dtype)] for name in sorted(f)],
        }
    return text_sha256(json.dumps(description, sort_keys=True))


def code_version() -> str:
    """Installed version of this project (the ``onpoint-oat`` distribution)."""
    return metadata.version("onpoint-oat")


def write_teacher_cache(path: str, videos: Iterable[tuple[str, CachedVideo]],
                        provenance: Mapping[str, object]) -> None:
    """Write a cache atomically: a temp file in the same folder, then ``os.replace``.

    ``provenance`` must hold every field of :data:`PROVENANCE_FIELDS` except ``format_version``;
    the :data:`CODE_FIELDS` (format version, time convention) are added here and cannot be
    overridden. Extra informational fields (e.g. feature paths) are stored as well. On any
    error the previous file at ``path`` is left untouched.
    """
    provenance = {**provenance, **CODE_FIELDS}
    missing = [name for name in PROVENANCE_FIELDS if name not in provenance]
    if missing:
        raise ValueError(f"{path}: provenance lacks fields {missing}")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            for name, value in provenance.items():
                f.attrs[name] = json.dumps(value) if name in _JSON_FIELDS else value
            for video_id, video in videos:
                _write_video(f, path, video_id, video)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_video(f: h5py.File, path: str, video_id: str, video: CachedVideo) -> None:
    if "/" in video_id or video_id in f:
        raise ValueError(f"{path}: video id {video_id!r} contains '/' or is repeated")
    cas = np.asarray(video.cas, dtype=np.float32)
    if cas.ndim != 2 or not np.isfinite(cas).all():
        raise ValueError(f"{path}: video {video_id!r}: cas must be a finite (T, C+1) array, "
                         f"got shape {cas.shape}")
    group = f.create_group(video_id)
    group.create_dataset("cas", data=cas)
    if video.cas_teacher_grid is not None:
        group.create_dataset("cas_teacher_grid",
                             data=np.asarray(video.cas_teacher_grid, dtype=np.float32))
    group.create_dataset("segments", data=np.asarray(video.segments.segments,
                                                     dtype=np.float64).reshape(-1, 2))
    group.create_dataset("labels", data=np.asarray(video.segments.labels, dtype=np.int64))
    group.create_dataset("scores", data=np.asarray(video.segments.scores, dtype=np.float64))


class TeacherCache(LazyH5Reader):
    """Read-only view of a teacher cache, checked against the caller's expectations.

    Args:
        path: the cache h5 file.
        expect: provenance field -> expected value; any difference raises ValueError naming
            the field with its cached and expected values. Unnamed fields are not checked,
            except the :data:`CODE_FIELDS`, which are always checked (a cache resampled under
            another time convention must be rebuilt, not reused).
    """

    kind = "teacher cache"
    unreadable = "not a readable teacher cache"

    def __init__(self, path: str, expect: Mapping[str, object] | None = None):
        super().__init__(path)
        self.provenance = {
            name: json.loads(value) if name in _JSON_FIELDS else _plain(value)
            for name, value in self._handle().attrs.items()
        }
        self._check({**(expect or {}), **CODE_FIELDS})

    def _check(self, expect: Mapping[str, object]) -> None:
        changes = []
        for name, wanted in expect.items():
            if name not in self.provenance:
                changes.append(f"{name}: not recorded in the cache, expected {wanted!r}")
            elif _plain(self.provenance[name]) != _plain(wanted):
                changes.append(f"{name} changed: cached {self.provenance[name]!r}, "
                               f"expected {wanted!r}")
        if changes:
            raise ValueError(f"{self.path}: stale teacher cache ({'; '.join(changes)}); "
                             "rebuild it with tools/cache_teacher.py")

    @property
    def video_ids(self) -> list[str]:
        """Ids of the cached videos."""
        return list(self._handle().keys())

    def __contains__(self, video_id: str) -> bool:
        return video_id in self._handle()

    def cas(self, video_id: str) -> np.ndarray:
        """(T_s, C+1) float32 teacher probabilities on the student's steps, background LAST."""
        return np.asarray(self._group(video_id)["cas"], dtype=np.float32)

    def cas_teacher_grid(self, video_id: str) -> np.ndarray:
        """(T_t, C+1) float32 teacher probabilities on the teacher's own steps."""
        group = self._group(video_id)
        if "cas_teacher_grid" not in group:
            raise KeyError(f"{self.path}: video {video_id!r} has no cas_teacher_grid "
                           "(build the cache with --keep-teacher-grid)")
        return np.asarray(group["cas_teacher_grid"], dtype=np.float32)

    def segments(self, video_id: str) -> TeacherSegments:
        """Pseudo segments of one video (seconds, class indices, scores)."""
        group = self._group(video_id)
        return TeacherSegments(np.asarray(group["segments"]), np.asarray(group["labels"]),
                               np.asarray(group["scores"]))

    def _group(self, video_id: str) -> h5py.Group:
        f = self._handle()
        if video_id not in f:
            raise KeyError(f"{self.path}: video {video_id!r} is not in the teacher cache "
                           f"(split {self.provenance.get('split')!r}, {len(f)} videos)")
        return f[video_id]


def _plain(value):
    """h5 attr / numpy values -> plain python values for comparison and json."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def teacher_cache_entries(teacher, dataset, student_store=None
                          ) -> Iterator[tuple[str, CachedVideo]]:
    """Run a trained teacher over every item of a whole-video dataset.

    ``teacher.teacher_outputs(features (T_t, D), sample) -> (CAS (T_t, C+1), segments)`` is the
    teacher-side contract. With a ``student_store`` (``FeatureStore``) the CAS is resampled by
    time onto each video's student steps; the teacher-grid CAS is always kept in the entry.
    """
    teacher.eval()
    for index in range(len(dataset)):
        item = dataset[index]
        sample = item["data_samples"]
        cas, segments = teacher.teacher_outputs(item["inputs"], sample)
        on_student = cas if student_store is None else resample_by_time(
            cas, sample["duration"], student_store.num_steps(sample["video_id"]))
        yield sample["video_id"], CachedVideo(on_student, TeacherSegments(*segments), cas)
