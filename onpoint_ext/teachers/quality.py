"""Pseudo-label quality against the ground truth of the training split (diagnostics only).

Never used for training: it reads the ground-truth segments the teacher must not see, to
report how good its pseudo labels are.

- precision / recall of the pseudo segments at tIoU >= 0.5 (same class; greedy one-to-one
  matching in descending score order, duplicates count as false positives — the mAP matcher
  of ``oat.evaluation.tal_map``);
- CAS frame accuracy on the teacher grid: the argmax class of step t (background LAST) is right
  when it is one of the ground-truth classes covering the step's centre
  ``(t + 0.5) * duration / T`` seconds, or background when none covers it.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oat.datasets.annotations import AnnotationSet
from oat.datasets.timebase import steps_to_seconds
from oat.evaluation.detection_inputs import VideoDetections, VideoGroundTruth
from oat.evaluation.tal_map import evaluate_detections
from onpoint_ext.teachers.cache import TeacherSegments


def frame_labels_correct(cas: np.ndarray, ground_truth: VideoGroundTruth,
                         duration: float) -> np.ndarray:
    """(T,) bool: is the CAS argmax of each step right? ``cas`` (T, C+1), background LAST."""
    num_steps, background = cas.shape[0], cas.shape[1] - 1
    centres = steps_to_seconds(np.arange(num_steps) + 0.5, num_steps, duration)
    segments = np.asarray(ground_truth.segments, dtype=np.float64).reshape(-1, 2)
    covers = (centres[:, None] >= segments[None, :, 0]) & (centres[:, None] < segments[None, :, 1])
    predicted = cas.argmax(axis=1)
    hits_class = (covers & (np.asarray(ground_truth.labels)[None, :] == predicted[:, None])).any(1)
    is_background = ~covers.any(axis=1) & (predicted == background)
    return hits_class | is_background


def pseudo_label_quality(annotations: AnnotationSet,
                         outputs: Mapping[str, tuple[np.ndarray, TeacherSegments]],
                         tiou: float = 0.5) -> dict:
    """Quality of a teacher's outputs on the videos of ``outputs``.

    Args:
        annotations: holds the ground truth of every video in ``outputs``.
        outputs: video id -> (CAS (T_t, C+1) on the teacher grid, pseudo segments).

    Returns:
        dict(num_videos, num_pseudo, num_gt, true_positives, precision, recall,
        frame_accuracy, tiou).
    """
    ground_truth, predictions, correct = {}, {}, []
    for video_id, (cas, pseudo) in outputs.items():
        if video_id not in annotations.videos:
            raise KeyError(f"{annotations.source}: video {video_id!r} has no ground truth")
        video = annotations.videos[video_id]
        ground_truth[video_id] = VideoGroundTruth(
            np.array([[s.start, s.end] for s in video.segments], dtype=np.float64).reshape(-1, 2),
            np.array([s.label for s in video.segments], dtype=np.int64),
        )
        predictions[video_id] = VideoDetections(pseudo.segments, pseudo.labels, pseudo.scores)
        correct.append(frame_labels_correct(cas, ground_truth[video_id], video.duration))
    num_pseudo = int(sum(len(p.scores) for p in predictions.values()))
    num_gt = int(sum(len(g.labels) for g in ground_truth.values()))
    true_positives = 0
    if num_gt:
        result = evaluate_detections(ground_truth, predictions, annotations.classes,
                                     tiou_thresholds=(tiou,), unknown_labels="skip")
        true_positives = int(result[f"num_true_positives@{tiou:g}"])
    frames = np.concatenate(correct) if correct else np.zeros(0, dtype=bool)
    return dict(
        num_videos=len(outputs), num_pseudo=num_pseudo, num_gt=num_gt,
        true_positives=true_positives, tiou=tiou,
        precision=true_positives / num_pseudo if num_pseudo else float("nan"),
        recall=true_positives / num_gt if num_gt else float("nan"),
        frame_accuracy=float(frames.mean()) if len(frames) else float("nan"),
    )


def format_quality(report: Mapping) -> str:
    """One readable line of a :func:`pseudo_label_quality` report."""
    return (f"pseudo labels on {report['num_videos']} videos: {report['num_pseudo']} segments vs "
            f"{report['num_gt']} GT, precision@{report['tiou']:g} {report['precision']:.3f}, "
            f"recall@{report['tiou']:g} {report['recall']:.3f}, "
            f"CAS frame accuracy {report['frame_accuracy']:.3f}")
