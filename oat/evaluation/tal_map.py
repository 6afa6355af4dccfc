"""ActivityNet-style temporal action localization mAP at several tIoU thresholds (oat-spec §7).

Same numbers as the ActivityNet reference algorithm, computed for the whole data set at once
with numpy instead of a Python loop per prediction:

* Per class, predictions are ranked by descending score with a **stable** sort: exact ties keep
  the input order (videos in the order of the ``predictions`` mapping, then entry order). The
  reference leaves tie order unspecified; we fix it so results are reproducible.
* Each prediction visits the ground truth (GT) of its class in its video by decreasing tIoU
  (equal tIoU: the GT listed first in that video wins). Per threshold the first GT that is not
  yet matched and has ``tIoU >= threshold`` makes it a true positive (TP) and is locked; otherwise
  it is a false positive (FP). Duplicates are therefore FPs.
* AP is the area under the monotone precision envelope (all-point interpolation); mAP is the
  mean AP over the classes that have GT. Values are fractions, not percent.

Online timing: ``emit_time - GT end`` (seconds, negative = emitted before the action ended) over
the TPs, per threshold (AEDT, NaN without TPs) and its median / 90th percentile at ``delay_tiou``.
An emit time of NaN means "unknown"; such TPs are left out of the timing statistics only.

This module ranks, computes AP and aggregates; the input records and their checks are in
:mod:`oat.evaluation.detection_inputs`, the matching in :mod:`oat.evaluation.tiou_matching`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from oat.evaluation.detection_inputs import VideoDetections, VideoGroundTruth, flatten_videos
from oat.evaluation.tiou_matching import match_all_thresholds

DEFAULT_TIOU_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
# Named averages reported when both end points are among the thresholds (EGTEA/HAT, ours, OAT).
STANDARD_AVERAGE_RANGES = ((0.1, 0.5), (0.1, 0.7), (0.3, 0.7))


def threshold_name(threshold: float) -> str:
    """Short text of a threshold used in result keys: 0.30000000000000004 -> ``"0.3"``."""
    return f"{threshold:g}"


def average_keys(thresholds: Sequence[float]) -> dict[str, list[int]]:
    """Named averages -> indices of the thresholds they average.

    ``"avg_<lo>:<hi>"`` is the mean mAP over the given thresholds in ``[lo, hi]``; reported for
    the full range of ``thresholds`` (listed first) and for each standard range whose two end
    points are among them.
    """
    values = np.asarray(thresholds, dtype=np.float64)
    ranges = [(values.min(), values.max())]
    for lo, hi in STANDARD_AVERAGE_RANGES:
        if np.isclose(values, lo).any() and np.isclose(values, hi).any():
            ranges.append((lo, hi))
    keys = {}
    for lo, hi in ranges:
        inside = (values >= lo - 1e-9) & (values <= hi + 1e-9)
        keys.setdefault(f"avg_{threshold_name(lo)}:{threshold_name(hi)}", np.flatnonzero(inside))
    return {key: idx.tolist() for key, idx in keys.items()}


def interpolated_average_precision(true_positive: np.ndarray, num_gt: int) -> np.ndarray:
    """All-point interpolated AP per threshold from TP flags in rank order.

    Pads (recall, precision) with (0, 0) and (1, 0), makes precision non-increasing from the
    right and sums delta-recall x precision. Shapes: ``true_positive`` (T, P) bool -> (T,).
    """
    cum_tp = np.cumsum(true_positive, axis=1, dtype=np.float64)
    precision = cum_tp / np.arange(1, true_positive.shape[1] + 1)
    recall = cum_tp / num_gt
    num_thresholds = true_positive.shape[0]
    precision = np.hstack([np.zeros((num_thresholds, 1)), precision,
                           np.zeros((num_thresholds, 1))])
    recall = np.hstack([np.zeros((num_thresholds, 1)), recall, np.ones((num_thresholds, 1))])
    envelope = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
    return np.sum(np.diff(recall, axis=1) * envelope[:, 1:], axis=1)


def _finite_statistic(statistic, values: np.ndarray) -> float:
    """``statistic`` of the finite entries of ``values``; NaN when there are none."""
    finite = values[np.isfinite(values)]
    return float(statistic(finite)) if finite.size else float("nan")


def evaluate_detections(
    ground_truth: Mapping[str, VideoGroundTruth | tuple],
    predictions: Mapping[str, VideoDetections | tuple],
    classes: int | Sequence[str],
    tiou_thresholds: Sequence[float] = DEFAULT_TIOU_THRESHOLDS,
    unknown_labels: str = "error",
    delay_tiou: float = 0.5,
) -> dict:
    """mAP per tIoU threshold, named averages, per-class AP and emission timing.

    Args:
        ground_truth: video id -> ``(segments (N, 2) s, labels (N,))``; the evaluated videos.
        predictions: video id -> ``(segments (K, 2) s, labels (K,), scores (K,)[, emit_times
            (K,) s or None])``. Predictions of videos without GT are all FPs.
        classes: number of classes C or the class names (index = position).
        unknown_labels: predictions of a class without any GT instance: ``"error"`` raises a
            ValueError naming the class, ``"skip"`` drops them.
        delay_tiou: threshold whose TPs give ``delay_median`` / ``delay_p90`` and an
            ``aedt@`` key (matched even when it is not among ``tiou_thresholds``).

    Returns:
        ``{"mAP@<t>": float, "avg_<lo>:<hi>": float, "aedt@<t>": float, "delay_median",
        "delay_p90", "mAP": (T,) array, "per_class_ap": {class name: (T,) array},
        "tiou_thresholds": list, "num_gt", "num_predictions", "num_true_positives@<t>"}``;
        per-class AP only for classes with GT. Timing values are NaN when undefined.
    """
    names = [str(c) for c in range(classes)] if isinstance(classes, int) else list(classes)
    thresholds = [float(t) for t in tiou_thresholds]
    if not thresholds or not all(0.0 < t <= 1.0 for t in thresholds + [delay_tiou]):
        raise ValueError(f"tIoU thresholds must be non-empty and in (0, 1], got {thresholds} "
                         f"and delay_tiou={delay_tiou}")
    if unknown_labels not in ("error", "skip"):
        raise ValueError(f"unknown_labels must be 'error' or 'skip', got {unknown_labels!r}")
    gt, pred, video_ids = flatten_videos(ground_truth, predictions, len(names))
    if len(gt["labels"]) == 0:
        raise ValueError("ground truth has no action instance: nothing to evaluate")
    num_gt = np.bincount(gt["labels"], minlength=len(names))
    without_gt = num_gt[pred["labels"]] == 0
    if without_gt.any() and unknown_labels == "error":
        first = int(np.flatnonzero(without_gt)[0])
        label = int(pred["labels"][first])
        raise ValueError(f"predictions of video {video_ids[pred['video'][first]]!r} use class "
                         f"{names[label]!r} (index {label}), which has no ground-truth instance "
                         f"in the evaluated videos; pass unknown_labels='skip' to drop them")
    pred = {key: value[~without_gt] for key, value in pred.items()}

    # Rank predictions class by class, by descending score, stable (ties keep input order).
    rank = np.lexsort((-pred["scores"], pred["labels"]))
    pred = {key: value[rank] for key, value in pred.items()}
    matched_thresholds = thresholds + ([delay_tiou] if delay_tiou not in thresholds else [])
    matched = match_all_thresholds(gt, pred, matched_thresholds)
    true_positive = matched >= 0

    ap = np.full((len(thresholds), len(names)), np.nan)
    class_bounds = np.searchsorted(pred["labels"], np.arange(len(names) + 1))
    for c in np.flatnonzero(num_gt):
        lo, hi = class_bounds[c], class_bounds[c + 1]
        ap[:, c] = interpolated_average_precision(true_positive[: len(thresholds), lo:hi],
                                                  int(num_gt[c]))
    present = num_gt > 0
    mean_ap = ap[:, present].mean(axis=1)

    # emit_time - GT end per TP, (T', P) seconds; NaN for FPs and unknown emit times.
    delay = np.where(true_positive, pred["emit"][None, :] - gt["segments"][matched, 1], np.nan)
    result = {f"mAP@{threshold_name(t)}": float(m) for t, m in zip(thresholds, mean_ap)}
    for i, t in enumerate(matched_thresholds):
        result[f"aedt@{threshold_name(t)}"] = _finite_statistic(np.mean, delay[i])
        result[f"num_true_positives@{threshold_name(t)}"] = int(true_positive[i].sum())
    for key, idx in average_keys(thresholds).items():
        result[key] = float(mean_ap[idx].mean())
    delays = delay[matched_thresholds.index(delay_tiou)]
    result["delay_median"] = _finite_statistic(np.median, delays)
    result["delay_p90"] = _finite_statistic(lambda d: np.percentile(d, 90), delays)
    result.update(
        mAP=mean_ap, tiou_thresholds=thresholds, num_gt=int(num_gt.sum()),
        num_predictions=len(pred["labels"]),
        per_class_ap={names[c]: ap[:, c] for c in np.flatnonzero(present)},
    )
    return result
