"""Temporal action localization evaluation: mAP at tIoU thresholds, results files, the metric.

Importing this package registers :class:`TemporalMAP` in ``oat.registry.METRICS``.
"""
from oat.evaluation.detection_inputs import VideoDetections, VideoGroundTruth
from oat.evaluation.metric import TemporalMAP
from oat.evaluation.results import read_results_json, write_results_json
from oat.evaluation.tal_map import evaluate_detections

__all__ = [
    "TemporalMAP",
    "VideoDetections",
    "VideoGroundTruth",
    "evaluate_detections",
    "read_results_json",
    "write_results_json",
]
