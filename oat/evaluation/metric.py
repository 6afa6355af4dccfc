"""``TemporalMAP``: the mmengine metric that turns per-video predictions into temporal mAP."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from oat.evaluation.detection_inputs import VideoDetections, VideoGroundTruth
from oat.evaluation.results import write_results_json
from oat.evaluation.tal_map import (
    DEFAULT_TIOU_THRESHOLDS,
    average_keys,
    evaluate_detections,
    threshold_name,
)
from oat.registry import METRICS

DELAY_TIOU = 0.5  # emission delays are reported for the TPs at this tIoU (issue 2 §4)


def _to_numpy(value) -> np.ndarray:
    """A torch tensor (any device) or array-like as a numpy array."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def format_map_table(result: dict) -> str:
    """Text table of an ``evaluate_detections`` result: tIoU row, mAP row in %, averages,
    AEDT per threshold (s) and the emission delay median / p90 (s)."""
    thresholds = result["tiou_thresholds"]
    averages = list(average_keys(thresholds))
    header = [threshold_name(t) for t in thresholds] + averages
    widths = [max(6, len(cell)) + 2 for cell in header]
    rows = [
        ("tIoU", header),
        ("mAP (%)", [f"{100 * result[f'mAP@{threshold_name(t)}']:.2f}" for t in thresholds]
         + [f"{100 * result[key]:.2f}" for key in averages]),
        ("AEDT (s)", [f"{result[f'aedt@{threshold_name(t)}']:.2f}" for t in thresholds]),
    ]
    lines = [f"{name:<8}" + "".join(f"{cell:>{width}}" for cell, width in zip(cells, widths))
             for name, cells in rows]
    lines.append(f"emission delay at tIoU {DELAY_TIOU:g} (emit time - GT end): median "
                 f"{result['delay_median']:.2f} s, p90 {result['delay_p90']:.2f} s")
    return "\n".join(lines)


def format_per_class_table(result: dict) -> str:
    """Text table of AP (%) per class (rows) and threshold (columns)."""
    thresholds = [threshold_name(t) for t in result["tiou_thresholds"]]
    width = max([5] + [len(name) for name in result["per_class_ap"]])
    lines = [f"{'class':<{width}}" + "".join(f"{t:>8}" for t in thresholds)]
    for name, ap in result["per_class_ap"].items():
        lines.append(f"{name:<{width}}" + "".join(f"{100 * a:8.2f}" for a in ap))
    return "\n".join(lines)


@METRICS.register_module()
class TemporalMAP(BaseMetric):
    """Temporal action localization mAP (ActivityNet style) with online emission timing.

    ``process`` receives the detector's predict outputs, one dict per video: ``video_id``,
    ``segments`` (K, 2) s, ``labels`` (K,) class indices, ``scores`` (K,), ``emit_times`` (K,) s
    (optional), ``gt_segments`` (N, 2) s, ``gt_labels`` (N,); numpy or torch values.
    ``compute_metrics`` returns fractions: the average over all thresholds first (so that
    ``CheckpointHook(save_best="auto")`` keeps the best average), the other named averages,
    ``mAP@<t>`` per threshold, ``aedt@0.5``, ``delay_median`` and ``delay_p90`` (seconds).
    Per-class AP and the AEDT of every threshold go to the log. Class names come from
    ``dataset_meta["classes"]``.

    Args:
        tiou_thresholds: tIoU thresholds of the mAP.
        unknown_labels: predictions of a class without GT: ``"error"`` or ``"skip"``.
        out_file: if set, the predictions are also written there as a results json.
        prefix: prefix of the returned keys (``"<prefix>/mAP@0.5"``); none by default.
    """

    default_prefix = ""  # flat keys unless a prefix is given (None would log a warning)

    def __init__(self, tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
                 unknown_labels: str = "error", out_file: str | None = None,
                 collect_device: str = "cpu", prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.tiou_thresholds = tuple(float(t) for t in tiou_thresholds)
        self.unknown_labels = unknown_labels
        self.out_file = out_file

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep the predictions and GT of each video as numpy arrays."""
        for sample in data_samples:
            emit_times = sample.get("emit_times")
            self.results.append({
                "video_id": sample["video_id"],
                "detections": VideoDetections(
                    segments=_to_numpy(sample["segments"]).reshape(-1, 2),
                    labels=_to_numpy(sample["labels"]).reshape(-1),
                    scores=_to_numpy(sample["scores"]).reshape(-1),
                    emit_times=None if emit_times is None else _to_numpy(emit_times).reshape(-1)),
                "ground_truth": VideoGroundTruth(
                    segments=_to_numpy(sample["gt_segments"]).reshape(-1, 2),
                    labels=_to_numpy(sample["gt_labels"]).reshape(-1)),
            })

    def compute_metrics(self, results: list) -> dict:
        """mAP, averages and timing over all videos (already gathered from every rank)."""
        classes = (self.dataset_meta or {}).get("classes")
        if classes is None:
            raise KeyError("TemporalMAP needs dataset_meta['classes'] (the dataset's class "
                           "names, in class-index order)")
        ground_truth, predictions = {}, {}
        for item in results:
            vid = item["video_id"]
            if vid in ground_truth:
                raise ValueError(f"TemporalMAP: video {vid!r} was evaluated twice")
            ground_truth[vid] = item["ground_truth"]
            predictions[vid] = item["detections"]
        result = evaluate_detections(ground_truth, predictions, list(classes),
                                     self.tiou_thresholds, self.unknown_labels, DELAY_TIOU)
        print_log("temporal mAP over {} videos, {} GT, {} predictions\n{}\n{}".format(
            len(ground_truth), result["num_gt"], result["num_predictions"],
            format_map_table(result), format_per_class_table(result)), logger="current")
        if self.out_file:
            write_results_json(self.out_file, predictions, list(classes))
            print_log(f"results written to {self.out_file}", logger="current")
        averages = list(average_keys(self.tiou_thresholds))
        keys = averages + [f"mAP@{threshold_name(t)}" for t in self.tiou_thresholds]
        keys += [f"aedt@{threshold_name(DELAY_TIOU)}", "delay_median", "delay_p90"]
        return {key: result[key] for key in keys}
