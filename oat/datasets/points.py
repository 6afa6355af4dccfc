"""Point labels (one timestamp + class per action instance) in one canonical form.

Canonical CSV columns: ``video_id,class,class_index,time`` (``time`` in seconds). Readers for
public layouts (LACP's CSV) and the Gaussian sampler produce :class:`PointLabel` lists;
:func:`points_to_multi_hot` turns one video's points into a ``(T, C)`` step matrix.
"""
from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from oat.datasets.annotations import AnnotationSet, read_json_checked
from oat.datasets.timebase import seconds_to_steps

# The LACP columns a point-supervised method may read (plus "class" and/or "class_index").
# start_frame/stop_frame give the instance away and are never read (nor are they by LACP/HR-Pro).
LACP_POINT_COLUMNS = ("video_id", "point")

CANONICAL_COLUMNS = ("video_id", "class", "class_index", "time")


@dataclass(frozen=True)
class PointLabel:
    """One labelled timestamp: ``time`` seconds, ``label`` class index (0..C-1)."""

    video_id: str
    time: float
    label: int


def write_points_csv(path: str, points: list[PointLabel], classes: list[str]) -> None:
    """Write points in the canonical CSV, atomically (temp file, then rename)."""
    tmp = f"{path}.tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(CANONICAL_COLUMNS)
            for p in points:
                writer.writerow([p.video_id, classes[p.label], p.label, repr(float(p.time))])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_points_csv(
    path: str, classes: list[str], durations: Mapping[str, float] | None = None
) -> list[PointLabel]:
    """Read a canonical points CSV; class names must be in ``classes``.

    With ``durations`` (video id -> seconds), every point must name one of those videos and lie
    in ``[0, duration]``; the error names the file row, the video and the field ``time``.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"point label file not found: {path}")
    points = []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = set(CANONICAL_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(
                f"{path}: missing columns {sorted(missing)}; expected {CANONICAL_COLUMNS}"
            )
        for row_no, row in enumerate(reader, start=2):
            name = row["class"]
            if name not in classes:
                raise ValueError(
                    f"{path}:{row_no}: video {row['video_id']!r}: unknown class {name!r}"
                )
            point = PointLabel(row["video_id"], float(row["time"]), classes.index(name))
            if durations is not None:
                _check_point_inside(point, durations, f"{path}:{row_no}")
            points.append(point)
    return points


def _check_point_inside(point: PointLabel, durations: Mapping[str, float], where: str) -> None:
    if point.video_id not in durations:
        raise ValueError(f"{where}: video {point.video_id!r} is not in the annotations")
    duration = durations[point.video_id]
    if not 0.0 <= point.time <= duration:
        raise ValueError(f"{where}: video {point.video_id!r}: field time = {point.time} s is "
                         f"outside the video [0, {duration}] s")


def read_lacp_points(
    csv_path: str,
    annotations: AnnotationSet,
    fps: str | Mapping[str, float] | None = None,
) -> list[PointLabel]:
    """Read LACP/HR-Pro point labels (``point_gaussian.csv``) as seconds.

    Reads only ``video_id``, ``class`` and/or ``class_index`` (checked to agree with the class
    list; GTEA's file has no ``class_index``) and ``point``: a frame index at the video's native
    fps, so ``time = point / fps``. ``start_frame``/``stop_frame`` are never read.
    fps comes from ``fps`` (a ``{video: fps}`` mapping or a ``fps_dict.json`` path), else from
    the video's record in ``annotations``. Errors name the file, row, video and field: unknown
    video or class, missing fps, a point outside its video (``time`` not in ``[0, duration)``).
    """
    if not os.path.isfile(csv_path):
        raise FileNotFoundError(f"point label file not found: {csv_path}")
    if fps is not None and not isinstance(fps, Mapping):
        if not os.path.isfile(str(fps)):
            raise FileNotFoundError(f"fps file not found: {fps}")
        fps = read_json_checked(str(fps))
    points = []
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or ()
        missing = [c for c in LACP_POINT_COLUMNS if c not in columns]
        if missing or not {"class", "class_index"} & set(columns):
            raise ValueError(f"{csv_path}: missing columns; expected {LACP_POINT_COLUMNS} and "
                             f"'class' and/or 'class_index', got {list(columns)}")
        for row_no, row in enumerate(reader, start=2):
            video_id = row["video_id"]
            where = f"{csv_path}:{row_no}: video {video_id!r}"
            video = annotations.videos.get(video_id)
            if video is None:
                raise ValueError(f"{where}: not in the annotations {annotations.source}")
            label = _point_class(row, annotations.classes, where)
            video_fps = fps.get(video_id) if fps is not None else video.fps
            if video_fps is None or not 0 < float(video_fps) < math.inf:
                raise ValueError(f"{where}: no valid fps ({video_fps!r}) to convert field 'point' "
                                 "to seconds; pass fps=")
            try:
                frame = float(row["point"])
            except (TypeError, ValueError):
                raise ValueError(f"{where}: field 'point' is {row['point']!r}, "
                                 "expected a frame index") from None
            time = frame / float(video_fps)
            if not 0 <= time < video.duration:
                raise ValueError(f"{where}: field 'point' {row['point']} = {time:.3f} s is "
                                 f"outside the video (duration {video.duration} s)")
            points.append(PointLabel(video_id, time, label))
    return points


def _point_class(row: Mapping[str, str], classes: list[str], where: str) -> int:
    """Class index of a point row from ``class`` and/or ``class_index`` (checked to agree)."""
    index = None
    if "class_index" in row:
        if row["class_index"] not in [str(i) for i in range(len(classes))]:
            raise ValueError(f"{where}: field 'class_index' is {row['class_index']!r}; "
                             f"expected 0..{len(classes) - 1}")
        index = int(row["class_index"])
    if "class" in row:
        if row["class"] not in classes:
            raise ValueError(f"{where}: field 'class': unknown class {row['class']!r}")
        if index is not None and classes[index] != row["class"]:
            raise ValueError(f"{where}: field 'class_index' is {index}, but class "
                             f"{row['class']!r} has index {classes.index(row['class'])}")
        index = classes.index(row["class"])
    return index


def sample_gaussian_points(
    annotations: AnnotationSet, seed: int, subsets: Iterable[str] = ("train",)
) -> list[PointLabel]:
    """One point per instance: ``N(midpoint, (duration / 6)^2)`` clipped to the instance.

    The usual protocol for datasets without public point labels. Deterministic: one numpy
    Generator seeded with ``seed`` draws in file order (videos, then instances). Instances that
    start at or after their video's end (kept by ``out_of_video="keep"``) get no point, as in
    LACP's THUMOS file; a point is never placed after the video's end.
    """
    rng = np.random.default_rng(seed)
    subsets = tuple(subsets)
    points = []
    for video in annotations.videos.values():
        if video.subset not in subsets:
            continue
        for seg in video.segments:
            if seg.start >= video.duration:
                continue
            centre, sigma = (seg.start + seg.end) / 2, (seg.end - seg.start) / 6
            end = min(seg.end, np.nextafter(video.duration, 0.0))
            time = float(np.clip(rng.normal(centre, sigma), seg.start, end))
            points.append(PointLabel(video.video_id, time, seg.label))
    return points


def points_to_multi_hot(
    points: Iterable[PointLabel], num_steps: int, duration: float, num_classes: int
) -> np.ndarray:
    """Point matrix ``(T, C)`` float32 of one video: 1 at ``[floor(time * T / D), label]``.

    Multi-hot: several points on one step keep all their classes (THUMOS has 148 points that
    share a teacher step with another). Background is not a column. Raises ValueError for a
    point of another video, outside ``[0, duration)`` or with a label outside ``0..C-1``.
    """
    points = list(points)
    matrix = np.zeros((num_steps, num_classes), dtype=np.float32)
    if not points:
        return matrix
    videos = {p.video_id for p in points}
    if len(videos) != 1:
        raise ValueError(f"points_to_multi_hot takes the points of one video, got {sorted(videos)}")
    times = np.array([p.time for p in points], dtype=np.float64)
    labels = np.array([p.label for p in points], dtype=np.int64)
    bad = (times < 0) | (times >= duration) | (labels < 0) | (labels >= num_classes)
    if bad.any():
        p = points[int(np.argmax(bad))]
        raise ValueError(f"video {p.video_id!r}: point at {p.time} s with class {p.label} is "
                         f"outside [0, {duration}) s or classes 0..{num_classes - 1}")
    # [our choice] a time just under the duration may round to step T: keep it on T-1
    steps = np.minimum(np.floor(seconds_to_steps(times, num_steps, duration)), num_steps - 1)
    matrix[steps.astype(np.int64), labels] = 1.0
    return matrix
