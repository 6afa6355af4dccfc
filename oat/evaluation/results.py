"""ActivityNet-style detection results json: the one results format of ``tools/test.py``.

Layout (seconds, class names)::

    {"version": "VERSION 1.3",
     "results": {video_id: [{"segment": [start, end], "label": name, "score": p,
                             "emit_time": t}, ...]},
     "external_data": {}}

``emit_time`` (when the online detector emitted the segment) is optional; upstream OAT calls it
``gentime`` and both keys are read. Reading validates every entry and names the file, video,
entry index and field of the first problem. :func:`ground_truth_of_subset` gives the matching
ground-truth side from an :class:`AnnotationSet`.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

import numpy as np

from oat.datasets.annotations import AnnotationSet, write_json_atomic
from oat.evaluation.detection_inputs import VideoDetections, VideoGroundTruth

RESULTS_VERSION = "VERSION 1.3"
EMIT_TIME_KEYS = ("emit_time", "gentime")  # ours first, then upstream OAT's name


def write_results_json(path: str, detections: Mapping[str, VideoDetections | tuple],
                       classes: Sequence[str], version: str = RESULTS_VERSION) -> None:
    """Write detections (video id -> ``VideoDetections``, labels = class indices) atomically.

    An emit time that is None or NaN is left out of the entry.
    """
    results = {}
    for vid, detection in detections.items():
        segments, labels, scores, emit_times = VideoDetections(*detection)
        entries = []
        for k in range(len(labels)):
            if not 0 <= int(labels[k]) < len(classes):
                raise ValueError(f"{path}: video {vid!r}, detection {k}: label {int(labels[k])} "
                                 f"is not a class index in [0, {len(classes)})")
            entry = {"segment": [float(segments[k][0]), float(segments[k][1])],
                     "label": classes[int(labels[k])], "score": float(scores[k])}
            if emit_times is not None and math.isfinite(float(emit_times[k])):
                entry["emit_time"] = float(emit_times[k])
            entries.append(entry)
        results[str(vid)] = entries
    write_json_atomic({"version": version, "results": results, "external_data": {}}, path)


def _number(entry: dict, key: str, where: str) -> float:
    """A finite json number (not a bool) from ``entry[key]``."""
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where}, field {key!r}: expected a finite number, got {value!r}")
    return float(value)


def _parse_entry(entry, index_of: Mapping[str, int], where: str) -> tuple:
    """(start, end, class index, score, emit time or NaN) of one result entry."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected an object with segment/label/score, "
                         f"got {type(entry).__name__}")
    for key in ("segment", "label", "score"):
        if key not in entry:
            raise ValueError(f"{where}: missing field {key!r}")
    segment = entry["segment"]
    if (not isinstance(segment, (list, tuple)) or len(segment) != 2
            or any(isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x)
                   for x in segment)):
        raise ValueError(f"{where}, field 'segment': expected [start, end] (two finite numbers, "
                         f"seconds), got {segment!r}")
    start, end = float(segment[0]), float(segment[1])
    if end < start:
        raise ValueError(f"{where}, field 'segment': end {end} < start {start}")
    label = entry["label"]
    if not isinstance(label, str) or label not in index_of:
        raise ValueError(f"{where}, field 'label': unknown class {label!r}; expected one of "
                         f"{list(index_of)}")
    score = _number(entry, "score", where)
    emit_key = next((key for key in EMIT_TIME_KEYS if key in entry), None)
    emit_time = _number(entry, emit_key, where) if emit_key else math.nan
    return start, end, index_of[label], score, emit_time


def read_results_json(path: str, classes: Sequence[str]) -> dict[str, VideoDetections]:
    """Read and validate a results json; labels become indices into ``classes``.

    Returns video id -> ``VideoDetections`` (segments (K, 2) s, labels (K,), scores (K,),
    emit_times (K,) s with NaN where an entry has no emit time). Raises FileNotFoundError or a
    ValueError naming the file, video, entry index and field.
    """
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f"results file not found: {path}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid json ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise ValueError(f"{path}: expected an object with a 'results' object "
                         f"(video id -> list of detections)")
    index_of = {name: i for i, name in enumerate(classes)}
    detections = {}
    for vid, entries in data["results"].items():
        if not isinstance(entries, list):
            raise ValueError(f"{path}: video {vid!r}: expected a list of detections, "
                             f"got {type(entries).__name__}")
        rows = [_parse_entry(entry, index_of, f"{path}: video {vid!r}, entry {i}")
                for i, entry in enumerate(entries)]
        table = np.asarray(rows, dtype=np.float64).reshape(len(rows), 5)
        detections[vid] = VideoDetections(segments=table[:, 0:2],
                                          labels=table[:, 2].astype(np.int64),
                                          scores=table[:, 3], emit_times=table[:, 4])
    return detections


def ground_truth_of_subset(annotations: AnnotationSet, subset: str) -> dict[str, VideoGroundTruth]:
    """Every instance of the videos of one canonical subset (oat-spec §7: nothing filtered)."""
    return {
        video.video_id: VideoGroundTruth(
            segments=np.array([[s.start, s.end] for s in video.segments],
                              dtype=np.float64).reshape(-1, 2),
            labels=np.array([s.label for s in video.segments], dtype=np.int64))
        for video in annotations.subset(subset)
    }


def to_json_value(value):
    """Numbers, arrays and dicts of an evaluation result as json values (NaN -> null)."""
    if isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    if hasattr(value, "tolist"):
        return to_json_value(value.tolist())
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
