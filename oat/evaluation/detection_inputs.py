"""The inputs of the temporal mAP, per video, and their checked flat form for the whole data set.

:func:`oat.evaluation.tal_map.evaluate_detections` takes ground truth (GT) and predictions as
one record per video (:class:`VideoGroundTruth`, :class:`VideoDetections`). Matching and AP
are computed for all videos at once, so :func:`flatten_videos` checks every record (shapes,
labels, finite segments with end >= start, finite scores; errors name the video and field) and
concatenates them into flat arrays tagged with a video index.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np


class VideoGroundTruth(NamedTuple):
    """GT of one video: ``segments`` (N, 2) seconds [start, end], ``labels`` (N,) class indices."""

    segments: np.ndarray
    labels: np.ndarray


class VideoDetections(NamedTuple):
    """Predictions of one video: ``segments`` (K, 2) s, ``labels`` (K,) class indices,
    ``scores`` (K,) confidences (higher = better), ``emit_times`` (K,) s or None (unknown)."""

    segments: np.ndarray
    labels: np.ndarray
    scores: np.ndarray
    emit_times: np.ndarray | None = None


def _as_array(value, dtype, columns: int | None, what: str) -> np.ndarray:
    """``value`` as a numpy array of shape (N,) (``columns`` None) or (N, columns)."""
    array = np.asarray(value, dtype=dtype)
    if array.size == 0:  # [] for a video without instances
        array = array.reshape((0,) if columns is None else (0, columns))
    expected = (array.shape[0] if array.ndim else -1,) + (() if columns is None else (columns,))
    if array.shape != expected:
        shape = "(N,)" if columns is None else f"(N, {columns})"
        raise ValueError(f"{what}: expected shape {shape}, got {array.shape}")
    return array


def _check_segments(segments: np.ndarray, what: str) -> None:
    """Finite segments with end >= start, else a ValueError naming the first bad row."""
    bad = ~np.isfinite(segments).all(axis=1) | (segments[:, 1] < segments[:, 0])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{what} segment {row}: expected finite [start, end] with end >= start, "
                         f"got {segments[row].tolist()}")


def _check_labels(labels: np.ndarray, num_classes: int, what: str) -> None:
    """Class indices in ``[0, num_classes)``, else a ValueError naming the first bad one."""
    bad = (labels < 0) | (labels >= num_classes)
    if bad.any():
        raise ValueError(f"{what}: label {int(labels[bad][0])} is not a class index in "
                         f"[0, {num_classes})")


def flatten_videos(ground_truth: Mapping, predictions: Mapping,
                   num_classes: int) -> tuple[dict, dict, list[str]]:
    """Concatenate all videos into flat arrays (validating shapes, labels and segments).

    Returns GT and prediction tables of arrays plus the video ids (index = ``"video"`` value):
    GT ``{"video": (G,), "segments": (G, 2), "labels": (G,)}``, predictions the same keys with
    (P,) rows plus ``"scores"`` (P,) and ``"emit"`` (P,) seconds (NaN = unknown). Videos that
    have predictions but no GT get indices after the GT videos.
    """
    video_index = {vid: i for i, vid in enumerate(ground_truth)}
    no_rows = {"video": [np.zeros(0, np.int64)], "segments": [np.zeros((0, 2))],
               "labels": [np.zeros(0, np.int64)], "scores": [np.zeros(0)], "emit": [np.zeros(0)]}
    gt = {key: list(no_rows[key]) for key in ("video", "segments", "labels")}
    for vid, (segments, labels) in ground_truth.items():
        segments = _as_array(segments, np.float64, 2, f"ground truth of video {vid!r}")
        labels = _as_array(labels, np.int64, None, f"ground-truth labels of video {vid!r}")
        if len(labels) != len(segments):
            raise ValueError(f"ground truth of video {vid!r}: {len(segments)} segments but "
                             f"{len(labels)} labels")
        _check_segments(segments, f"ground truth of video {vid!r},")
        _check_labels(labels, num_classes, f"ground truth of video {vid!r}")
        gt["video"].append(np.full(len(labels), video_index[vid], dtype=np.int64))
        gt["segments"].append(segments)
        gt["labels"].append(labels)
    pred = {key: list(rows) for key, rows in no_rows.items()}
    for vid, detections in predictions.items():
        segments, labels, scores, emit = VideoDetections(*detections)
        what = f"predictions of video {vid!r}"
        segments = _as_array(segments, np.float64, 2, what)
        labels = _as_array(labels, np.int64, None, f"{what}, labels")
        scores = _as_array(scores, np.float64, None, f"{what}, scores")
        emit = np.full(len(labels), np.nan) if emit is None else _as_array(
            emit, np.float64, None, f"{what}, emit_times")
        if not len(segments) == len(labels) == len(scores) == len(emit):
            raise ValueError(f"{what}: segments, labels, scores and emit_times differ in length")
        if not np.isfinite(scores).all():
            raise ValueError(f"{what}: scores must be finite")
        _check_segments(segments, f"{what},")
        _check_labels(labels, num_classes, what)
        # Videos without GT get an index past the GT videos: all their predictions are FPs.
        index = video_index.setdefault(vid, len(video_index))
        pred["video"].append(np.full(len(labels), index, dtype=np.int64))
        for key, value in zip(("segments", "labels", "scores", "emit"),
                              (segments, labels, scores, emit)):
            pred[key].append(value)
    gt = {key: np.concatenate(rows) for key, rows in gt.items()}
    pred = {key: np.concatenate(rows) for key, rows in pred.items()}
    return gt, pred, list(video_index)
