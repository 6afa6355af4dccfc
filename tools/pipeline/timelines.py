"""The two timeline figures of the report, assembled from a finished pipeline's files.

[our choice] Training videos have point labels and teacher outputs but no test-time emissions;
test videos have emissions but neither points nor a cached teacher. So the report shows two
figures instead of one per video:

- ``timelines_train.png``: three TRAINING videos: ground truth (never used in training, shown
  for reference), the point labels, the teacher's pseudo segments, the teacher CAS of each class
  present, and the OnPoint student's online actionness ``1 - sigmoid(CASS background)``;
- ``timelines_test.png``: three TEST videos: ground truth, each method's emitted segments with
  a tick at the time it was emitted, and the student's online actionness.

Videos are picked deterministically: the ones with the most ground-truth instances (ties by id).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from oat.datasets.annotations import AnnotationSet, VideoAnnotation
from oat.datasets.points import PointLabel
from oat.evaluation.detection_inputs import VideoDetections
from onpoint_ext.teachers.cache import TeacherCache
from pipeline.plots import Curve, Lane, TimelineView, class_color

Actionness = Callable[[str], np.ndarray]  # video id -> (T,) student actionness on its steps


def busiest_videos(videos: Sequence[VideoAnnotation], count: int) -> list[VideoAnnotation]:
    """The ``count`` videos with the most ground-truth instances (ties broken by id)."""
    return sorted(videos, key=lambda v: (-len(v.segments), v.video_id))[:count]


def ground_truth_lane(video: VideoAnnotation, name: str = "ground truth") -> Lane:
    """The video's annotated instances as a lane."""
    segments = np.array([[s.start, s.end] for s in video.segments], dtype=float).reshape(-1, 2)
    return Lane(name, segments, np.array([s.label for s in video.segments], dtype=np.int64))


def detections_lane(name: str, detections: VideoDetections | None, count: int) -> Lane:
    """The ``count`` highest-scoring emitted segments, with their emission times.

    [our choice] top-k rather than a score threshold: an undertrained model's scores can all
    be low, and a well-trained one emits many low-score duplicates; k = twice the ground-truth
    count keeps the lanes readable either way.
    """
    if detections is None:
        return Lane(f"{name} (no results)")
    if len(detections.scores) == 0:
        return Lane(f"{name} (none emitted)")
    keep = np.argsort(-np.asarray(detections.scores), kind="stable")[:count]
    emit = detections.emit_times
    return Lane(name, np.asarray(detections.segments)[keep], np.asarray(detections.labels)[keep],
                np.asarray(detections.scores)[keep],
                None if emit is None else np.asarray(emit)[keep])


def train_views(annotations: AnnotationSet, cache: TeacherCache, points: Sequence[PointLabel],
                count: int, actionness: Actionness | None, teacher: str) -> list[TimelineView]:
    """Panels of the ``count`` busiest training videos that the teacher cache holds."""
    cached = [annotations.videos[vid] for vid in cache.video_ids if vid in annotations.videos]
    views = []
    for video in busiest_videos(cached, count):
        mine = [p for p in points if p.video_id == video.video_id]
        pseudo = cache.segments(video.video_id)
        lanes = [
            ground_truth_lane(video, "ground truth (not used)"),
            Lane("point labels", point_times=np.array([p.time for p in mine]),
                 point_labels=np.array([p.label for p in mine], dtype=np.int64)),
            Lane(f"{teacher} pseudo", pseudo.segments, pseudo.labels, pseudo.scores),
        ]
        cas = cache.cas(video.video_id)
        present = sorted({s.label for s in video.segments} | {p.label for p in mine})
        curves = [Curve(f"{teacher} CAS: {annotations.classes[c]}", cas[:, c], class_color(c))
                  for c in present]
        if actionness is not None:
            curves.append(Curve("student actionness", actionness(video.video_id), "black", "--"))
        views.append(TimelineView(f"{video.video_id} (train, {video.duration:.1f} s)",
                                  video.duration, lanes, curves))
    return views


def test_views(annotations: AnnotationSet, results: Mapping[str, Mapping[str, VideoDetections]],
               count: int, actionness: Actionness | None) -> list[TimelineView]:
    """Panels of the ``count`` busiest test videos; ``results``: method name -> detections.

    Each method's lane shows its ``max(2 * #ground truth, 3)`` highest-scoring emissions.
    """
    views = []
    for video in busiest_videos(annotations.subset("test"), count):
        lanes = [ground_truth_lane(video)]
        shown = max(2 * len(video.segments), 3)
        lanes += [detections_lane(name, found.get(video.video_id), shown)
                  for name, found in results.items()]
        curves = ([] if actionness is None
                  else [Curve("student actionness", actionness(video.video_id), "black", "--")])
        views.append(TimelineView(f"{video.video_id} (test, {video.duration:.1f} s)",
                                  video.duration, lanes, curves))
    return views
