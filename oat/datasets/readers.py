"""Readers for the public temporal-action annotation formats, all returning an AnnotationSet.

One reader per format, picked by :func:`detect_format` from the file itself:

- ``oat-json``: OAT's ``thumos14_v2.json`` (oat-spec §1.1); subsets ``train``/``test``.
- ``activitynet-json``: ActivityNet style (HR-Pro's ``gt_full.json``). Subsets
  ``Validation``->train and ``Test``->test (THUMOS words), ``training``->train,
  ``validation``->val, ``testing``->test (ActivityNet words); ``subset_map=`` overrides.
- ``lacp-json``: LACP's ``gt.json``; segment bounds are strings and there is no duration or fps.
  Pass ``durations=`` (a ``{video: seconds}`` mapping, or the path of another annotation file
  such as ``gt_full.json``); a video without a duration is an error naming it. fps comes from
  ``fps=`` (mapping or path), else ``fps_dict.json`` beside the file, else the durations file.
- ``hat-json``: HAT's EGTEA split files (OAT's layout plus a ``split`` field, unused).
- ``canonical-json``: :meth:`AnnotationSet.to_activitynet` output; classes from its ``classes``.
- ``epic-csv``: EPIC-Kitchens-100 CSV, see :func:`read_epic_csv`.

Common options: ``classes`` (fixed class list; default: sorted names, oat-spec §1.2),
``out_of_video`` and ``end_tolerance`` (see :mod:`oat.datasets.annotations`). Every error names
the file, the video and the field.
"""
from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Mapping

from oat.datasets.annotations import (
    SUBSETS,
    AnnotationSet,
    RawVideo,
    build_annotation_set,
    read_json_checked,
)

ACTIVITYNET_SUBSETS = {
    "Validation": "train",  # THUMOS'14: its validation videos are the training set
    "Test": "test",
    "training": "train",
    "validation": "val",
    "testing": "test",
}
EPIC_TASKS = ("verb", "noun")
_IDENTITY_SUBSETS = {name: name for name in SUBSETS}


def read_annotations(path: str, fmt: str = "auto", **options) -> AnnotationSet:
    """Read any supported annotation file into an :class:`AnnotationSet`.

    Args:
        path: the annotation file.
        fmt: ``"auto"`` (detect from the content) or one of :data:`FORMATS`.
        **options: format options (``classes``, ``out_of_video``, ``end_tolerance``,
            ``subset_map``, ``durations``, ``fps``, EPIC's ``task``/``subset``/...).
    """
    path = str(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"annotation file not found: {path}")
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"{path}: unknown annotation format {fmt!r}; expected one of {FORMATS}")
    if path.lower().endswith(".csv"):
        if fmt not in ("auto", "epic-csv"):
            raise ValueError(f"{path}: a CSV file can only be read as 'epic-csv', not {fmt!r}")
        return read_epic_csv(path, **options)
    data = read_json_checked(path)
    fmt = detect_format(data, path) if fmt == "auto" else fmt
    return _JSON_READERS[fmt](data, path, **options)


def detect_format(data: Mapping, path: str) -> str:
    """The format name of a parsed annotation json (see the module docstring)."""
    database = _database(data, path)
    if "classes" in data:
        return "canonical-json"
    record = next(iter(database.values()))
    if not isinstance(record, Mapping):
        raise ValueError(f"{path}: 'database' must map video ids to objects")
    annotations = record.get("annotations") or [{}]
    if "duration" not in record:
        return "lacp-json"
    if "duration_frame" in record or "labelIndex" in annotations[0]:
        return "oat-json"
    if "split" in record:
        return "hat-json"
    if record.get("subset") in ACTIVITYNET_SUBSETS or "version" in data:
        return "activitynet-json"
    raise ValueError(
        f"{path}: cannot tell the annotation format from its content; pass fmt= one of {FORMATS}"
    )


def _database(data: Mapping, path: str) -> Mapping:
    if not isinstance(data, Mapping) or "database" not in data:
        raise ValueError(f"{path}: missing top-level field 'database'")
    database = data["database"]
    if not isinstance(database, Mapping) or not database:
        raise ValueError(f"{path}: field 'database' must be a non-empty object of videos")
    duplicates = getattr(database, "duplicates", ())
    if duplicates:
        raise ValueError(f"{path}: duplicate video id {duplicates[0]!r} in 'database'")
    return database


def _field(obj: Mapping, name: str, where: str):
    if name not in obj:
        raise ValueError(f"{where}: missing field {name!r}")
    if name in getattr(obj, "duplicates", ()):
        raise ValueError(f"{where}: field {name!r} is given twice")
    return obj[name]


def _seconds(value, where: str) -> float:
    """A finite number of seconds from a json number or numeric string."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds):
        raise ValueError(f"{where}: expected a finite number of seconds, got {value!r}")
    return seconds


def _raw_videos(
    database: Mapping,
    path: str,
    subset_map: Mapping[str, str],
    durations: Mapping[str, float] | None = None,
    fps: Mapping[str, float] | None = None,
) -> list[RawVideo]:
    """Records of an ActivityNet-like ``database`` -> RawVideo list (file order).

    ``durations``/``fps``, when given, replace the record fields (LACP has neither).
    """
    videos = []
    for video_id, record in database.items():
        where = f"{path}: video {video_id!r}"
        if not isinstance(record, Mapping):
            raise ValueError(f"{where}: expected an object with subset, duration, annotations")
        subset = _field(record, "subset", where)
        if subset not in subset_map:
            raise ValueError(
                f"{where}: field 'subset' is {subset!r}; expected one of {sorted(subset_map)}"
            )
        if durations is None:
            duration = _seconds(_field(record, "duration", where), f"{where}: field 'duration'")
        elif video_id in durations:
            duration = float(durations[video_id])
        else:
            raise ValueError(f"{where}: no duration (this format has none; pass durations=)")
        video_fps = fps.get(video_id) if fps is not None else record.get("fps")
        video = RawVideo(video_id, subset_map[subset], duration,
                         None if video_fps is None else float(video_fps))
        annotations = _field(record, "annotations", where)
        if not isinstance(annotations, list):
            raise ValueError(f"{where}: field 'annotations' must be a list")
        for i, ann in enumerate(annotations):
            ann_where = f"{where}: annotation {i}"
            if not isinstance(ann, Mapping):
                raise ValueError(f"{ann_where}: expected an object with segment and label")
            segment = _field(ann, "segment", ann_where)
            if not isinstance(segment, list | tuple) or len(segment) != 2:
                raise ValueError(f"{ann_where}: field 'segment' must be [start, end]: {segment!r}")
            start = _seconds(segment[0], f"{ann_where}: field 'segment'")
            end = _seconds(segment[1], f"{ann_where}: field 'segment'")
            video.instances.append((start, end, str(_field(ann, "label", ann_where))))
        videos.append(video)
    return videos


def _json_reader(default_subsets: Mapping[str, str]) -> Callable[..., AnnotationSet]:
    """Reader for the formats that differ only in their subset words (OAT, HAT, ActivityNet).

    Fields the upstream code ignores (``labelIndex``, ``label_id``, frame numbers, ``split``)
    are not read; classes come from the sorted names (oat-spec §1.2).
    """

    def read(data, path, subset_map=None, **options) -> AnnotationSet:
        videos = _raw_videos(_database(data, path), path, subset_map or default_subsets)
        return build_annotation_set(videos, path, **options)

    return read


def _read_lacp_json(data, path, durations=None, fps=None, subset_map=None, **options):
    """LACP's gt.json: string bounds; durations and fps come from elsewhere (module docstring)."""
    if durations is None:
        raise ValueError(f"{path}: LACP gt.json has no video durations; pass durations= "
                         "(a {video: seconds} mapping or an annotation file such as gt_full.json)")
    fps_from_durations = {}
    if not isinstance(durations, Mapping):
        durations, fps_from_durations = _durations_and_fps(str(durations))
    beside = os.path.join(os.path.dirname(os.path.abspath(path)), "fps_dict.json")
    if fps is None and os.path.isfile(beside):
        fps = beside
    if fps is not None and not isinstance(fps, Mapping):
        if not os.path.isfile(str(fps)):
            raise FileNotFoundError(f"fps file not found: {fps}")
        fps = read_json_checked(str(fps))
    videos = _raw_videos(_database(data, path), path, subset_map or _IDENTITY_SUBSETS,
                         durations, fps if fps is not None else fps_from_durations)
    return build_annotation_set(videos, path, **options)


def _durations_and_fps(path: str) -> tuple[dict[str, float], dict[str, float]]:
    """``duration`` and ``fps`` of every record of an annotation json with a ``database``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"durations file not found: {path}")
    durations, fps = {}, {}
    for video_id, record in _database(read_json_checked(path), path).items():
        where = f"{path}: video {video_id!r}"
        durations[video_id] = _seconds(_field(record, "duration", where), f"{where}: 'duration'")
        if record.get("fps") is not None:
            fps[video_id] = _seconds(record["fps"], f"{where}: field 'fps'")
    return durations, fps


def _read_canonical_json(data, path, **options) -> AnnotationSet:
    """Our canonical json: classes from the file; a ``label_id`` must match the label's index."""
    classes = [str(c) for c in _field(data, "classes", path)]
    if len(set(classes)) != len(classes):
        raise ValueError(f"{path}: field 'classes' lists a class twice")
    database = _database(data, path)
    videos = _raw_videos(database, path, _IDENTITY_SUBSETS)
    for video_id, record in database.items():
        for i, ann in enumerate(record["annotations"]):
            label, label_id = ann["label"], ann.get("label_id")
            if label in classes and label_id is not None and label_id != classes.index(label):
                raise ValueError(f"{path}: video {video_id!r}: annotation {i}: field 'label_id' "
                                 f"{label_id} but label {label!r} has index {classes.index(label)}")
    return build_annotation_set(videos, path, classes=classes, **options)


_JSON_READERS = {
    "oat-json": _json_reader(_IDENTITY_SUBSETS),
    "activitynet-json": _json_reader(ACTIVITYNET_SUBSETS),
    "lacp-json": _read_lacp_json,
    "hat-json": _json_reader(_IDENTITY_SUBSETS),
    "canonical-json": _read_canonical_json,
}
FORMATS = (*_JSON_READERS, "epic-csv")


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
        durations = {r["video_id"]: _seconds(r["duration"], f"{info_path}: field 'duration'")
                     for r in info}
        fps = {r["video_id"]: _seconds(r["fps"], f"{info_path}: field 'fps'") for r in info}
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
    hours, minutes, seconds = (_seconds(p, where) for p in parts)
    return hours * 3600 + minutes * 60 + seconds
