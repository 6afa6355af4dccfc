"""Reader of EPIC-Kitchens-100 action-segment CSVs (one row per narrated action).

A separate family from the json formats: rows instead of a ``database``, ``HH:MM:SS.ff``
timestamps, classes and durations in companion CSVs (``EPIC_100_<task>_classes.csv``,
``EPIC_100_video_info.csv``) beside the annotation file. Rows become the same
:class:`~oat.datasets.annotations.AnnotationSet` as every other reader returns.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Mapping

from oat.datasets.annotation_fields import parse_seconds
from oat.datasets.annotations import SUBSETS, AnnotationSet, RawVideo, build_annotation_set

EPIC_TASKS = ("verb", "noun")


def read_epic_csv(
    path: str,
    task: str = "verb",
    subset: str | None = None,
    durations: str | Mapping[str, float] | None = None,
    classes_csv: str | None = None,
    **options,
) -> AnnotationSet:
    """EPIC-Kitchens-100 action segments (one row each) as an AnnotationSet.

    Segments come from ``start_timestamp``/``stop_timestamp`` (``HH:MM:SS.ff``); the class is
    ``<task>_class`` (``task`` = ``"verb"`` or ``"noun"``, two detection problems over the same
    rows). The class list is every class defined in ``EPIC_100_<task>_classes.csv`` (beside the
    file unless ``classes_csv=``), in id order, present in the file or not. Durations and fps
    come from ``EPIC_100_video_info.csv`` beside the file, or ``durations=`` (that CSV's path or
    a ``{video: seconds}`` mapping). ``subset`` defaults to ``"test"`` for a file named
    ``*validation*`` (the split TAL papers evaluate on) and ``"train"`` for ``*train*``.
    """
    if task not in EPIC_TASKS:
        raise ValueError(f"{path}: task={task!r}; expected one of {EPIC_TASKS}")
    folder, name = os.path.split(os.path.abspath(path))
    subset = subset or ("test" if "validation" in name else "train" if "train" in name else None)
    if subset not in SUBSETS:
        raise ValueError(f"{path}: cannot tell the subset of its rows; pass subset= in {SUBSETS}")
    classes = _epic_classes(classes_csv or os.path.join(folder, f"EPIC_100_{task}_classes.csv"))
    fps: dict[str, float] = {}
    if not isinstance(durations, Mapping):
        info_path = durations or os.path.join(folder, "EPIC_100_video_info.csv")
        info = _read_csv(info_path, ("video_id", "duration", "fps"))
        durations = {r["video_id"]: parse_seconds(r["duration"], f"{info_path}: field 'duration'")
                     for r in info}
        fps = {r["video_id"]: parse_seconds(r["fps"], f"{info_path}: field 'fps'") for r in info}
    class_field = f"{task}_class"
    rows = _read_csv(path, ("narration_id", "video_id", "start_timestamp", "stop_timestamp",
                            class_field))
    videos: dict[str, RawVideo] = {}
    narrations: set[str] = set()
    for row_no, row in enumerate(rows, start=2):
        video_id = row["video_id"]
        where = f"{path}:{row_no}: video {video_id!r}"
        if row["narration_id"] in narrations:
            raise ValueError(f"{where}: duplicate narration_id {row['narration_id']!r}")
        narrations.add(row["narration_id"])
        if video_id not in videos:
            if video_id not in durations:
                raise ValueError(f"{where}: no duration in the video info file / durations=")
            videos[video_id] = RawVideo(video_id, subset, float(durations[video_id]),
                                        fps.get(video_id))
        label = row[class_field]
        if not label.isdigit() or int(label) >= len(classes):
            raise ValueError(f"{where}: field {class_field!r} is {label!r}; "
                             f"expected a class id 0..{len(classes) - 1}")
        start = _timestamp(row["start_timestamp"], f"{where}: field 'start_timestamp'")
        end = _timestamp(row["stop_timestamp"], f"{where}: field 'stop_timestamp'")
        videos[video_id].instances.append((start, end, classes[int(label)]))
    return build_annotation_set(videos.values(), path, classes=classes, **options)


def _read_csv(path: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV file with a header row, checked to have ``columns``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"CSV file not found: {path}")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}; expected at least {columns}")
        return list(reader)


def _epic_classes(path: str) -> list[str]:
    """Class keys of an EPIC class CSV (``id,key,...``), checked to have ids 0..N-1."""
    rows = _read_csv(path, ("id", "key"))
    ids = [row["id"] for row in rows]
    if ids != [str(i) for i in range(len(ids))]:
        raise ValueError(f"{path}: field 'id' must run 0..N-1 in order")
    keys = [row["key"] for row in rows]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path}: field 'key' lists a class twice")
    return keys


def _timestamp(text: str, where: str) -> float:
    """``HH:MM:SS.ff`` -> seconds."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"{where}: expected HH:MM:SS.ff, got {text!r}")
    hours, minutes, seconds = (parse_seconds(p, where) for p in parts)
    return hours * 3600 + minutes * 60 + seconds
