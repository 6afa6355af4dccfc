"""Plain, loop-per-prediction temporal mAP: the yardstick for ``oat.evaluation.tal_map``.

Follows the ActivityNet reference algorithm step by step (oat-spec §7), with the same
deterministic tie rules as the vectorised version: predictions of a class ranked by a stable
sort on descending score (input order on ties), GTs visited by a stable sort on descending tIoU
(GT listed first wins on ties). Slow on purpose: it is read, not optimised. Used by
``benchmarks/bench_tal_map.py`` and by the tests.
"""
from __future__ import annotations

import numpy as np


def reference_tiou(segment: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """tIoU of one segment (2,) with each row of ``candidates`` (N, 2), seconds."""
    inter = np.clip(np.minimum(segment[1], candidates[:, 1])
                    - np.maximum(segment[0], candidates[:, 0]), 0.0, None)
    union = (segment[1] - segment[0]) + (candidates[:, 1] - candidates[:, 0]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def reference_interpolated_ap(precision: list, recall: list) -> float:
    """VOC all-point interpolated AP with an explicit loop over the envelope."""
    mprec = [0.0] + list(precision) + [0.0]
    mrec = [0.0] + list(recall) + [1.0]
    for i in range(len(mprec) - 2, -1, -1):
        mprec[i] = max(mprec[i], mprec[i + 1])
    return float(sum((mrec[i] - mrec[i - 1]) * mprec[i]
                     for i in range(1, len(mrec)) if mrec[i] != mrec[i - 1]))


def reference_evaluate(ground_truth: dict, predictions: dict, num_classes: int,
                       thresholds: tuple) -> dict:
    """AP per (threshold, class) with NaN for classes without GT, mAP, AEDT and TP delays.

    Inputs as for ``evaluate_detections`` (predictions of classes without GT must be removed
    by the caller). Returns ``{"ap": (T, C), "mAP": (T,), "aedt": (T,), "delays": [list per
    threshold of emit_time - GT end over the TPs with a known emit time]}``.
    """
    ap = np.full((len(thresholds), num_classes), np.nan)
    delay_sums = np.zeros(len(thresholds))
    delay_counts = np.zeros(len(thresholds))
    delays = [[] for _ in thresholds]
    for c in range(num_classes):
        gt_by_video = {}
        for vid, (segments, labels) in ground_truth.items():
            rows = [i for i in range(len(labels)) if int(labels[i]) == c]
            if rows:
                gt_by_video[vid] = np.asarray(segments, dtype=np.float64)[rows]
        num_gt = sum(len(g) for g in gt_by_video.values())
        if num_gt == 0:
            continue
        entries = []  # (score, segment, video, emit_time), in input order
        for vid, detection in predictions.items():
            segments, labels, scores = detection[:3]
            emit = detection[3] if len(detection) > 3 and detection[3] is not None else None
            for k in range(len(labels)):
                if int(labels[k]) == c:
                    entries.append((float(scores[k]), np.asarray(segments[k], dtype=np.float64),
                                    vid, np.nan if emit is None else float(emit[k])))
        order = np.argsort([-e[0] for e in entries], kind="stable")
        locked = {(t, vid): np.zeros(len(g), dtype=bool)
                  for t in range(len(thresholds)) for vid, g in gt_by_video.items()}
        tp = np.zeros((len(thresholds), len(entries)))
        for rank, idx in enumerate(order):
            _, segment, vid, emit_time = entries[idx]
            if vid not in gt_by_video:
                continue  # FP at every threshold
            tiou = reference_tiou(segment, gt_by_video[vid])
            visit = np.argsort(-tiou, kind="stable")
            for t, threshold in enumerate(thresholds):
                for j in visit:
                    if tiou[j] < threshold:
                        break
                    if locked[(t, vid)][j]:
                        continue
                    locked[(t, vid)][j] = True
                    tp[t, rank] = 1
                    if np.isfinite(emit_time):
                        delay = emit_time - gt_by_video[vid][j, 1]
                        delay_sums[t] += delay
                        delay_counts[t] += 1
                        delays[t].append(delay)
                    break
        for t in range(len(thresholds)):
            cum_tp = np.cumsum(tp[t])
            precision = cum_tp / np.arange(1, len(entries) + 1)
            recall = cum_tp / num_gt
            ap[t, c] = reference_interpolated_ap(precision.tolist(), recall.tolist())
    with np.errstate(invalid="ignore", divide="ignore"):
        aedt = np.where(delay_counts > 0, delay_sums / np.maximum(delay_counts, 1), np.nan)
    return {"ap": ap, "mAP": np.nanmean(ap, axis=1), "aedt": aedt, "delays": delays}
