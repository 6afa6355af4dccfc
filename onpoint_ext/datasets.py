"""``WithTeacherTargets``: OAT training windows plus OnPoint's teacher and point targets.

Wraps an ``OATWindowDataset`` built with ``with_targets=False`` (ground-truth segments never
become targets in point-supervised training) and adds to each item's ``data_samples``:

- ``teacher_cas (W, C+1)``: teacher CAS of the window's steps (``L_cass``), probabilities;
- ``ant_target (C,)``: classes the teacher sees in the next W' steps (``L_ant``);
- ``cls_target (A, C+1)``, ``reg_target (A, 2)``: OAT anchor targets computed from the teacher's
  PSEUDO segments (``L_ins``; OAT's own keys, so a vanilla OAT model trains on them unchanged);
- ``point_cls_target (A,)``, ``point_distance_target (A,)``: anchor point targets (``L_pnt``).

Only the groups named in ``targets`` are computed. Per-video arrays (teacher CAS, pseudo-segment
anchor targets, point steps) are computed once per video, on first use, and sliced per window.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import torch
from mmengine.logging import print_log
from torch.utils.data import Dataset

from oat.datasets.points import read_points_csv
from oat.datasets.targets import anchor_targets
from oat.datasets.timebase import seconds_to_steps
from oat.registry import DATASETS
from onpoint_ext.heads.anticipation import anticipation_target
from onpoint_ext.heads.cass import teacher_cas_window
from onpoint_ext.heads.point import anchor_point_targets
from onpoint_ext.teachers.cache import TeacherCache, feature_file_identity

TARGET_GROUPS = ("ins", "cass", "ant", "pnt")
_TEACHER_GROUPS = ("ins", "cass", "ant")


@DATASETS.register_module()
class WithTeacherTargets(Dataset):
    """Teacher-CAS, anticipation, pseudo-segment and point targets for OAT training windows.

    Args:
        dataset: an ``OATWindowDataset`` (or its config) with ``with_targets=False``.
        cache: teacher cache h5 (``onpoint_ext.teachers.cache.TeacherCache``); needed when
            ``targets`` has any of "ins", "cass", "ant".
        points_file: canonical point-label CSV (``oat.datasets.points``); needed for "pnt".
        horizon: W', future steps of the anticipation target.
        targets: which target groups to add, from ("ins", "cass", "ant", "pnt").
        cache_expect: provenance fields the cache must match (``TeacherCache(expect=...)``),
            besides ``student_features`` (always checked against the wrapped dataset's file);
            a stale cache raises instead of being reused silently.
    """

    def __init__(
        self,
        dataset: dict | Dataset,
        cache: str | None = None,
        points_file: str | None = None,
        horizon: int = 16,
        targets: Sequence[str] = TARGET_GROUPS,
        cache_expect: dict | None = None,
    ):
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset
        if getattr(self.dataset, "with_targets", False):
            raise ValueError(
                f"WithTeacherTargets: the wrapped {type(self.dataset).__name__} computes "
                "ground-truth targets; point-supervised training must not see them "
                "(set with_targets=False)"
            )
        unknown = set(targets) - set(TARGET_GROUPS)
        if unknown:
            raise ValueError(f"WithTeacherTargets: unknown targets {sorted(unknown)}; "
                             f"choose from {TARGET_GROUPS}")
        self.targets = tuple(targets)
        self.horizon = int(horizon)
        self.metainfo = self.dataset.metainfo
        self.num_classes = len(self.metainfo["classes"])
        self.teacher = self._open_teacher(cache, cache_expect)
        self.points = self._read_points(points_file)
        self._cas: dict[str, np.ndarray] = {}
        self._ins: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _open_teacher(self, cache: str | None, expect: dict | None):
        """The teacher cache, when a teacher target is asked for; its classes must be ours."""
        if not set(self.targets) & set(_TEACHER_GROUPS):
            return None
        if cache is None:
            raise ValueError(f"WithTeacherTargets: targets {self.targets} need a teacher cache")
        # The CAS must have been resampled onto THIS student feature file (a stale cache with
        # the same lengths would otherwise pass the grid check).
        expect = dict(expect or {})
        expect.setdefault("student_features",
                          feature_file_identity(self.dataset.collection.store.path))
        teacher = TeacherCache(cache, expect)
        cached_classes = teacher.provenance.get("class_names")
        if cached_classes is not None and list(cached_classes) != list(self.metainfo["classes"]):
            raise ValueError(
                f"{cache}: field class_names: the teacher cache has classes {cached_classes}, "
                f"the dataset {list(self.metainfo['classes'])}"
            )
        return teacher

    def _read_points(self, points_file: str | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per video: point steps ``(P,)`` (continuous student steps) and labels ``(P,)``."""
        if "pnt" not in self.targets:
            return {}
        if points_file is None:
            raise ValueError("WithTeacherTargets: target 'pnt' needs points_file")
        by_video: dict[str, list] = {}
        videos = self.dataset.collection.annotations.videos
        durations = {video_id: video.duration for video_id, video in videos.items()}
        for point in read_points_csv(points_file, list(self.metainfo["classes"]), durations):
            by_video.setdefault(point.video_id, []).append(point)
        without = [v for v in self.dataset.video_ids if v not in by_video]
        if len(without) == len(self.dataset.video_ids):
            raise ValueError(f"{points_file}: no point for any of the "
                             f"{len(without)} training videos (field video_id: wrong file?)")
        if without:
            print_log(f"{points_file}: {len(without)} training videos have no point label "
                      f"(e.g. {without[0]!r}); their anchors are all background",
                      logger="current", level=logging.WARNING)
        points = {}
        for video_id in self.dataset.video_ids:
            info = self.dataset.video_info(video_id)
            rows = by_video.get(video_id, [])
            times = np.array([p.time for p in rows], dtype=np.float64)
            steps = seconds_to_steps(times, info["num_steps"], info["duration"])
            points[video_id] = (steps, np.array([p.label for p in rows], dtype=np.int64))
        return points

    def teacher_cas(self, video_id: str) -> np.ndarray:
        """Teacher CAS of one video on student steps ``(T, C+1)``, checked against the features."""
        if video_id not in self._cas:
            cas = np.asarray(self.teacher.cas(video_id), dtype=np.float32)
            num_steps = self.dataset.video_info(video_id)["num_steps"]
            if cas.shape != (num_steps, self.num_classes + 1):
                raise ValueError(
                    f"{self.teacher.path}: video {video_id!r}: teacher CAS has shape {cas.shape}, "
                    f"expected ({num_steps}, {self.num_classes + 1}) = (student steps, C+1)"
                )
            if not ((cas >= 0.0) & (cas <= 1.0)).all():
                raise ValueError(f"{self.teacher.path}: video {video_id!r}: field cas must hold "
                                 "probabilities in [0, 1] (logits cached?)")
            self._cas[video_id] = cas
        return self._cas[video_id]

    def pseudo_targets(self, video_id: str) -> tuple[np.ndarray, np.ndarray]:
        """OAT anchor targets from the teacher's pseudo segments: ``(T, A, C+1)``, ``(T, A, 2)``."""
        if video_id not in self._ins:
            info = self.dataset.video_info(video_id)
            pseudo = self.teacher.segments(video_id)
            bounds = seconds_to_steps(np.asarray(pseudo.segments, dtype=np.float64).reshape(-1, 2),
                                      info["num_steps"], info["duration"])
            labels = np.asarray(pseudo.labels, dtype=np.float64).reshape(-1, 1)
            self._ins[video_id] = anchor_targets(
                np.concatenate([bounds, labels], axis=1), info["num_steps"],
                self.dataset.anchors, self.num_classes, self.dataset.pos_threshold,
            )
        return self._ins[video_id]

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> dict:
        item = self.dataset[index]
        video_id, t = self.dataset.locate(index)
        samples = dict(item["data_samples"])
        if "cass" in self.targets:
            window = teacher_cas_window(self.teacher_cas(video_id), t, self.dataset.window)
            samples["teacher_cas"] = torch.from_numpy(window)
        if "ant" in self.targets:
            future = anticipation_target(self.teacher_cas(video_id), t, self.horizon)
            samples["ant_target"] = torch.from_numpy(future)
        if "ins" in self.targets:
            cls, reg = self.pseudo_targets(video_id)
            samples["cls_target"] = torch.from_numpy(cls[t])
            samples["reg_target"] = torch.from_numpy(reg[t])
        if "pnt" in self.targets:
            steps, labels = self.points[video_id]
            cls, distance = anchor_point_targets(
                steps, labels, np.array([t]), self.dataset.anchors, self.num_classes
            )
            samples["point_cls_target"] = torch.from_numpy(cls[0])
            samples["point_distance_target"] = torch.from_numpy(distance[0])
        return dict(inputs=item["inputs"], data_samples=samples)
