"""Readers of the json annotation formats that share ActivityNet's ``database`` layout.

OAT's json, ActivityNet-style ``gt_full.json``, LACP's ``gt.json``, HAT's split files and our
canonical json all hold ``{"database": {video id: {"subset", "duration", ["fps"],
"annotations": [{"segment": [start, end] seconds, "label"}, ...]}}}``; they differ in their
subset words, in where durations and fps come from (LACP has neither) and in where the class
list comes from. :data:`JSON_READERS` maps each format name to its reader
``(parsed json, path, **options) -> AnnotationSet``; formats and options are described in
:mod:`oat.datasets.readers`, which picks the reader.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from oat.datasets.annotation_fields import parse_seconds, require_field
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
_IDENTITY_SUBSETS = {name: name for name in SUBSETS}


def require_database(data: Mapping, path: str) -> Mapping:
    """The non-empty ``database`` object of a parsed annotation json, without duplicate ids."""
    if not isinstance(data, Mapping) or "database" not in data:
        raise ValueError(f"{path}: missing top-level field 'database'")
    database = data["database"]
    if not isinstance(database, Mapping) or not database:
        raise ValueError(f"{path}: field 'database' must be a non-empty object of videos")
    duplicates = getattr(database, "duplicates", ())
    if duplicates:
        raise ValueError(f"{path}: duplicate video id {duplicates[0]!r} in 'database'")
    return database


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
        subset = require_field(record, "subset", where)
        if subset not in subset_map:
            raise ValueError(
                f"{where}: field 'subset' is {subset!r}; expected one of {sorted(subset_map)}"
            )
        if durations is None:
            duration = parse_seconds(require_field(record, "duration", where),
                                     f"{where}: field 'duration'")
        elif video_id in durations:
            duration = float(durations[video_id])
        else:
            raise ValueError(f"{where}: no duration (this format has none; pass durations=)")
        video_fps = fps.get(video_id) if fps is not None else record.get("fps")
        video = RawVideo(video_id, subset_map[subset], duration,
                         None if video_fps is None else float(video_fps))
        annotations = require_field(record, "annotations", where)
        if not isinstance(annotations, list):
            raise ValueError(f"{where}: field 'annotations' must be a list")
        for i, ann in enumerate(annotations):
            ann_where = f"{where}: annotation {i}"
            if not isinstance(ann, Mapping):
                raise ValueError(f"{ann_where}: expected an object with segment and label")
            segment = require_field(ann, "segment", ann_where)
            if not isinstance(segment, list | tuple) or len(segment) != 2:
                raise ValueError(f"{ann_where}: field 'segment' must be [start, end]: {segment!r}")
            start = parse_seconds(segment[0], f"{ann_where}: field 'segment'")
            end = parse_seconds(segment[1], f"{ann_where}: field 'segment'")
            video.instances.append((start, end, str(require_field(ann, "label", ann_where))))
        videos.append(video)
    return videos


def _json_reader(default_subsets: Mapping[str, str]) -> Callable[..., AnnotationSet]:
    """Reader for the formats that differ only in their subset words (OAT, HAT, ActivityNet).

    Fields the upstream code ignores (``labelIndex``, ``label_id``, frame numbers, ``split``)
    are not read; classes come from the sorted names (oat-spec §1.2).
    """

    def read(data, path, subset_map=None, **options) -> AnnotationSet:
        videos = _raw_videos(require_database(data, path), path, subset_map or default_subsets)
        return build_annotation_set(videos, path, **options)

    return read


def _read_lacp_json(data, path, durations=None, fps=None, subset_map=None, **options):
    """LACP's gt.json: string bounds; durations and fps come from elsewhere.

    See the ``lacp-json`` entry of :mod:`oat.datasets.readers` for where they are looked up.
    """
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
    videos = _raw_videos(require_database(data, path), path, subset_map or _IDENTITY_SUBSETS,
                         durations, fps if fps is not None else fps_from_durations)
    return build_annotation_set(videos, path, **options)


def _durations_and_fps(path: str) -> tuple[dict[str, float], dict[str, float]]:
    """``duration`` and ``fps`` of every record of an annotation json with a ``database``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"durations file not found: {path}")
    durations, fps = {}, {}
    for video_id, record in require_database(read_json_checked(path), path).items():
        where = f"{path}: video {video_id!r}"
        durations[video_id] = parse_seconds(require_field(record, "duration", where),
                                            f"{where}: 'duration'")
        if record.get("fps") is not None:
            fps[video_id] = parse_seconds(record["fps"], f"{where}: field 'fps'")
    return durations, fps


def _read_canonical_json(data, path, **options) -> AnnotationSet:
    """Our canonical json: classes from the file; a ``label_id`` must match the label's index."""
    classes = [str(c) for c in require_field(data, "classes", path)]
    if len(set(classes)) != len(classes):
        raise ValueError(f"{path}: field 'classes' lists a class twice")
    database = require_database(data, path)
    videos = _raw_videos(database, path, _IDENTITY_SUBSETS)
    for video_id, record in database.items():
        for i, ann in enumerate(record["annotations"]):
            label, label_id = ann["label"], ann.get("label_id")
            if label in classes and label_id is not None and label_id != classes.index(label):
                raise ValueError(f"{path}: video {video_id!r}: annotation {i}: field 'label_id' "
                                 f"{label_id} but label {label!r} has index {classes.index(label)}")
    return build_annotation_set(videos, path, classes=classes, **options)


JSON_READERS = {
    "oat-json": _json_reader(_IDENTITY_SUBSETS),
    "activitynet-json": _json_reader(ACTIVITYNET_SUBSETS),
    "lacp-json": _read_lacp_json,
    "hat-json": _json_reader(_IDENTITY_SUBSETS),
    "canonical-json": _read_canonical_json,
}
