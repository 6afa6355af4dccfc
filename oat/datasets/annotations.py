"""The one internal form of temporal action annotations.

Readers for the public file formats (``oat.datasets.readers``) all return an
:class:`AnnotationSet`, built and validated by :func:`build_annotation_set`; everything
downstream (targets, teachers, evaluation) reads only this. Times are seconds. Canonical subsets
are ``"train"``, ``"val"`` and ``"test"``.

Instances outside their video. THUMOS has 30 instances (in 5 videos) that start after the
video's annotated duration: from 2.35 s to 537 s after it, in both OAT's json and HR-Pro's
``gt_full.json``. Upstream OAT keeps them as they are (it never clips; they become ground truth
that no prediction can reach); LACP's point file has no points for them. Small overruns are
ordinary rounding: GTEA has one end 0.067 s (one frame) late, EPIC-100 one 0.013 s late, and
OAT's durations are 0.07-0.12 s shorter than ``gt_full.json``'s. So an end up to
``end_tolerance`` (0.5 s) after the duration is accepted and kept unchanged; an instance beyond
that, or one that starts at or after the duration, is handled by ``out_of_video``: ``"error"``
(default, a clear error), ``"keep"`` (upstream OAT behaviour, logged) or ``"drop"`` (logged).
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from mmengine.logging import print_log

SUBSETS = ("train", "val", "test")
END_TOLERANCE_SECONDS = 0.5
OUT_OF_VIDEO_POLICIES = ("error", "keep", "drop")


@dataclass(frozen=True)
class Segment:
    """One action instance: ``[start, end]`` seconds, ``label`` = class index (0..C-1)."""

    start: float
    end: float
    label: int


@dataclass
class VideoAnnotation:
    """One video: id, canonical subset, duration (s), native fps (None if unknown), segments."""

    video_id: str
    subset: str
    duration: float
    fps: float | None = None
    segments: list[Segment] = field(default_factory=list)


@dataclass
class AnnotationSet:
    """Videos plus a stable class list (class index = position in ``classes``).

    ``source`` names the file the set was read from, for error messages.
    """

    classes: list[str]
    videos: dict[str, VideoAnnotation]
    source: str = "<memory>"

    @property
    def num_classes(self) -> int:
        """Number of action classes ``C`` (background not included)."""
        return len(self.classes)

    def num_instances(self, subset: str | None = None) -> int:
        """Number of action instances, in one subset or (``None``) in all videos."""
        videos = self.videos.values() if subset is None else self.subset(subset)
        return sum(len(v.segments) for v in videos)

    def subset(self, name: str) -> list[VideoAnnotation]:
        """Videos of one canonical subset, in file order."""
        if name not in SUBSETS:
            raise ValueError(f"{self.source}: unknown subset {name!r}; expected one of {SUBSETS}")
        return [v for v in self.videos.values() if v.subset == name]

    def class_index(self, name: str) -> int:
        """Index of a class name; a clear error names the file and the class."""
        try:
            return self.classes.index(name)
        except ValueError:
            raise ValueError(
                f"{self.source}: unknown class {name!r}; expected one of {self.classes}"
            ) from None

    def to_activitynet(self) -> dict:
        """ActivityNet-style json dict (seconds, class names), the format the benchmark writes."""
        database = {}
        for v in self.videos.values():
            database[v.video_id] = {
                "subset": v.subset,
                "duration": v.duration,
                "fps": v.fps,
                "annotations": [
                    {"segment": [s.start, s.end], "label": self.classes[s.label],
                     "label_id": s.label}
                    for s in v.segments
                ],
            }
        return {"version": "oat-canonical-1", "classes": list(self.classes), "database": database}


@dataclass
class RawVideo:
    """One video as a reader found it, before classes are indexed and segments validated.

    ``instances`` holds ``(start_seconds, end_seconds, class_name)`` in file order.
    """

    video_id: str
    subset: str
    duration: float
    fps: float | None
    instances: list[tuple[float, float, str]] = field(default_factory=list)


def build_annotation_set(
    videos: Iterable[RawVideo],
    source: str,
    classes: list[str] | None = None,
    out_of_video: str = "error",
    end_tolerance: float = END_TOLERANCE_SECONDS,
) -> AnnotationSet:
    """Validate raw videos and index their classes.

    Class list (oat-spec §1.2): unless ``classes`` is given, the names found in all videos of
    all subsets, de-duplicated and sorted with Python's default (case-sensitive) order.
    Raises ValueError naming the file, video, annotation and field for: a duplicate video id,
    subset not canonical, duration <= 0, start < 0, end <= start, unknown class, and (with
    ``out_of_video="error"``) an instance outside its video (module docstring).
    """
    if out_of_video not in OUT_OF_VIDEO_POLICIES:
        raise ValueError(f"out_of_video={out_of_video!r}; expected one of {OUT_OF_VIDEO_POLICIES}")
    videos = list(videos)
    if classes is None:
        classes = sorted({name for v in videos for _, _, name in v.instances})
    elif len(set(classes)) != len(classes):
        raise ValueError(f"{source}: the class list names a class twice: {classes}")
    index = {name: i for i, name in enumerate(classes)}
    result, outside = {}, []
    for raw in videos:
        where = f"{source}: video {raw.video_id!r}"
        if raw.video_id in result:
            raise ValueError(f"{where}: duplicate video id")
        if raw.subset not in SUBSETS:
            raise ValueError(f"{where}: subset {raw.subset!r} is not one of {SUBSETS}")
        if not raw.duration > 0:
            raise ValueError(f"{where}: field 'duration' must be > 0, got {raw.duration}")
        segments = []
        for i, (start, end, name) in enumerate(raw.instances):
            ann_where = f"{where}: annotation {i} field 'segment' [{start}, {end}]"
            if start < 0:
                raise ValueError(f"{ann_where}: start < 0")
            if end <= start:
                raise ValueError(f"{ann_where}: end <= start")
            if name not in index:
                raise ValueError(
                    f"{where}: annotation {i}: unknown class {name!r}; expected one of {classes}"
                )
            if start >= raw.duration or end > raw.duration + end_tolerance:
                outside.append(end - raw.duration)
                if out_of_video == "error":
                    raise ValueError(
                        f"{ann_where}: outside the video (duration {raw.duration} s, end "
                        f"{end - raw.duration:.3f} s after it, tolerance {end_tolerance} s); "
                        "pass out_of_video='keep' (upstream OAT) or 'drop'"
                    )
                if out_of_video == "drop":
                    continue
            segments.append(Segment(start, end, index[name]))
        result[raw.video_id] = VideoAnnotation(
            raw.video_id, raw.subset, raw.duration, raw.fps, segments
        )
    if outside:
        print_log(
            f"{source}: out_of_video={out_of_video!r}: {len(outside)} instances outside their "
            f"video (ends up to {max(outside):.2f} s after the duration)",
            logger="current",
            level=logging.WARNING,
        )
    return AnnotationSet(list(classes), result, source)


class _JsonObject(dict):
    """A json object that remembers the keys it held twice (plain json keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _json_object(pairs: list[tuple[str, object]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    if len(obj) != len(pairs):
        key_counts = Counter(key for key, _ in pairs)
        obj.duplicates = tuple(key for key, count in key_counts.items() if count > 1)
    return obj


def read_json_checked(path: str) -> dict:
    """Parse a json file; every object keeps the keys it held twice in ``.duplicates``.

    Plain ``json.load`` keeps the last of two equal keys silently, which would hide a video id
    listed twice. Invalid json raises ValueError naming the file.
    """
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f, object_pairs_hook=_json_object)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not valid json: {err}") from None


def write_json_atomic(obj, path: str) -> None:
    """Write json to ``path`` via a temp file in the same folder and ``os.replace``."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f)
        os.chmod(tmp, 0o666 & ~_current_umask())  # mkstemp creates 0600; keep normal perms
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
