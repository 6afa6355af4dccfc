"""Pseudo-label quality report (diagnostics) on a hand-checked video."""
import numpy as np
import pytest

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation
from onpoint_ext.teachers.cache import TeacherSegments
from onpoint_ext.teachers.quality import format_quality, pseudo_label_quality


def test_quality_counts_matches_at_half_tiou_and_frame_argmax_hits():
    annotations = AnnotationSet(["a", "b"], {"v": VideoAnnotation(
        "v", "train", 10.0, None, [Segment(2.0, 6.0, 0), Segment(7.0, 9.0, 1)])})
    pseudo = TeacherSegments(
        np.array([[2.0, 6.5], [2.0, 6.0], [7.0, 8.0]]),  # tIoU 0.89 (TP), duplicate (FP), 0.5 (TP)
        np.array([0, 0, 1]), np.array([0.9, 0.8, 0.7]))
    # 5 steps of 2 s, centres 1, 3, 5, 7, 9 s; GT there: bg, a, a, b, bg; argmax: bg a b b a
    cas = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 1, 0], [1, 0, 0]], dtype=np.float32)
    report = pseudo_label_quality(annotations, {"v": (cas, pseudo)})
    assert report["num_pseudo"] == 3 and report["num_gt"] == 2
    assert report["precision"] == pytest.approx(2 / 3)
    assert report["recall"] == pytest.approx(1.0)
    assert report["frame_accuracy"] == pytest.approx(0.6)
    assert "precision@0.5 0.667" in format_quality(report)


def test_quality_of_a_video_without_ground_truth_is_an_error():
    annotations = AnnotationSet(["a"], {}, source="gt.json")
    empty = TeacherSegments(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), np.zeros(0))
    with pytest.raises(KeyError, match="gt.json.*'v'"):
        pseudo_label_quality(annotations, {"v": (np.zeros((3, 2)), empty)})
