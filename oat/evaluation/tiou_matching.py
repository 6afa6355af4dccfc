"""Greedy tIoU matching of ranked predictions to ground truth, for many thresholds at once.

The matching rule is the ActivityNet reference's, as stated in :mod:`oat.evaluation.tal_map`
(each prediction, in rank order, takes its most preferred free GT with tIoU >= threshold).
Here it runs on the flat tables of :func:`oat.evaluation.detection_inputs.flatten_videos`,
GT rows (G,) and prediction rows (P,) already in rank order (row index = rank), in numpy
rounds instead of a Python loop per prediction. Result: matched GT row per threshold and
prediction, (T, P), -1 for a false positive.
"""
from __future__ import annotations

import numpy as np


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


def match_all_thresholds(gt: dict, pred: dict, thresholds: list[float]) -> np.ndarray:
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
