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
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

DEFAULT_TIOU_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
# Named averages reported when both end points are among the thresholds (EGTEA/HAT, ours, OAT).
STANDARD_AVERAGE_RANGES = ((0.1, 0.5), (0.1, 0.7), (0.3, 0.7))


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


def _flatten(ground_truth: Mapping, predictions: Mapping,
             num_classes: int) -> tuple[dict, dict, list[str]]:
    """Concatenate all videos into flat arrays (validating shapes, labels and segments).

    Returns GT and prediction tables of arrays plus the video ids (index = ``"video"`` value).
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


def _candidate_pairs(gt: dict, pred: dict, min_threshold: float) -> tuple[np.ndarray, ...]:
    """(prediction, GT, tIoU) for every same-video same-class pair with tIoU >= min_threshold.

    Pairs are sorted by prediction, then by the prediction's preference (tIoU descending, then
    GT index ascending). Built without a Python loop, and only for GT that can reach the
    threshold: tIoU >= t needs overlap and ``|g| <= |p| / t``, so the GT start lies in
    ``[p_start - |p| / t, p_end]``. GT are sorted on one float key ``group * span + start``
    (group = video and class) and each prediction takes the key range of its window, widened by
    a margin; the exact tests below drop the extra pairs.
    """
    num_classes = int(max(gt["labels"].max(initial=-1), pred["labels"].max(initial=-1))) + 1
    times = np.concatenate([gt["segments"].ravel(), pred["segments"].ravel()])
    origin = times.min()
    span = 2.0 * (times.max() - origin) + 1.0  # keeps the groups' key ranges far apart
    margin = 1e-6 * span
    gt_group = gt["video"] * num_classes + gt["labels"]
    gt_key = gt_group * span + (gt["segments"][:, 0] - origin)
    gt_order = np.argsort(gt_key, kind="stable")
    pred_group = pred["video"] * num_classes + pred["labels"]
    p_start, p_end = pred["segments"][:, 0], pred["segments"][:, 1]
    earliest_start = np.maximum(p_start - (p_end - p_start) / min_threshold - origin, 0.0)
    first = np.searchsorted(gt_key[gt_order], pred_group * span + earliest_start - margin)
    count = np.searchsorted(gt_key[gt_order], pred_group * span + (p_end - origin) + margin,
                            side="right") - first
    pair_pred = np.repeat(np.arange(len(pred_group)), count)
    offset_in_window = np.arange(len(pair_pred)) - np.repeat(np.cumsum(count) - count, count)
    pair_gt = gt_order[np.repeat(first, count) + offset_in_window]
    p_seg, g_seg = pred["segments"][pair_pred], gt["segments"][pair_gt]
    inter = np.clip(np.minimum(p_seg[:, 1], g_seg[:, 1]) - np.maximum(p_seg[:, 0], g_seg[:, 0]),
                    0.0, None)
    union = (p_seg[:, 1] - p_seg[:, 0]) + (g_seg[:, 1] - g_seg[:, 0]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        tiou = np.where(union > 0, inter / union, 0.0)
    keep = (tiou >= min_threshold) & (gt_group[pair_gt] == pred_group[pair_pred])
    pair_pred, pair_gt, tiou = pair_pred[keep], pair_gt[keep], tiou[keep]
    preference = np.lexsort((pair_gt, -tiou, pair_pred))
    return pair_pred[preference], pair_gt[preference], tiou[preference]


def greedy_match(pair_pred: np.ndarray, pair_gt: np.ndarray, num_pred: int,
                 num_gt: int) -> np.ndarray:
    """Matched GT index per prediction (-1 = FP) of the sequential greedy matching.

    The reference visits predictions one by one in rank order (prediction index = rank); each
    takes its most preferred GT that is still free. We decide many predictions per round: a
    prediction whose preferred free GT is wanted by no earlier undecided prediction gets it
    for sure (nobody before it can take it, and every GT it prefers is already taken for good),
    and the earliest undecided prediction always qualifies, so every round makes progress.
    Predictions left without a free candidate are FPs. Rounds are few in practice (about the
    length of the longest chain of competing duplicates).

    Args:
        pair_pred, pair_gt: candidate pairs (P,), sorted by prediction then preference.
    """
    matched = np.full(num_pred, -1, dtype=np.int64)
    taken = np.zeros(num_gt, dtype=bool)
    alive = np.ones(len(pair_pred), dtype=bool)
    while True:
        alive &= ~taken[pair_gt] & (matched[pair_pred] < 0)
        live = np.flatnonzero(alive)
        if live.size == 0:
            return matched
        preds, gts = pair_pred[live], pair_gt[live]
        is_first = np.r_[True, preds[1:] != preds[:-1]]  # first live pair = preferred free GT
        wanted_pred, wanted_gt = preds[is_first], gts[is_first]
        earliest = np.full(num_gt, num_pred, dtype=np.int64)
        np.minimum.at(earliest, gts, preds)  # earliest undecided prediction wanting each GT
        safe = earliest[wanted_gt] == wanted_pred
        matched[wanted_pred[safe]] = wanted_gt[safe]
        taken[wanted_gt[safe]] = True


def _match_all_thresholds(gt: dict, pred: dict, thresholds: list[float]) -> np.ndarray:
    """Matched GT index (-1 = FP) per threshold and ranked prediction: (T, P).

    All thresholds go through one ``greedy_match``: threshold t works on its own copy of the
    predictions (index + t * P) and of the GT (index + t * G), so the copies never interact.
    """
    pair_pred, pair_gt, pair_tiou = _candidate_pairs(gt, pred, min(thresholds))
    num_p, num_g = len(pred["labels"]), len(gt["labels"])
    copies = [np.flatnonzero(pair_tiou >= t) for t in thresholds]
    stacked_pred = np.concatenate([pair_pred[c] + t * num_p for t, c in enumerate(copies)])
    stacked_gt = np.concatenate([pair_gt[c] + t * num_g for t, c in enumerate(copies)])
    matched = greedy_match(stacked_pred, stacked_gt, num_p * len(thresholds),
                           num_g * len(thresholds)).reshape(len(thresholds), num_p)
    return np.where(matched >= 0, matched - np.arange(len(thresholds))[:, None] * num_g, -1)


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
    gt, pred, video_ids = _flatten(ground_truth, predictions, len(names))
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
    matched = _match_all_thresholds(gt, pred, matched_thresholds)
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
