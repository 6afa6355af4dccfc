"""A cheap linear probe that measures how much harder online (past-only) detection is.

Per step ``t``, the probe sees mean-pooled features of ``span`` steps, split into ``blocks``
equal blocks (concatenated): either the past window ``[t-span+1, t]`` (online) or a centred one
``[t-span/2+1, t+span/2]`` (offline). Same size, same pooling: only the position differs. A ridge
regression onto the multi-hot step labels is fit on training videos; the score is the per-frame
mAP over action classes on test videos (the usual online-action-detection measure).

Anticipation: the same past window at ``t``, a ridge fit onto the labels at ``t + h`` seconds
(``step_labels(..., shift=h)``), scored against them (``probe_scores`` then ``frame_map``); steps
whose ``t + h`` lies past the video's end are left out. So its mAP and the online detection mAP
(``h = 0``) come from the same probe (``probe_report.py``).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from oat.datasets.annotations import VideoAnnotation
from oat.datasets.timebase import seconds_to_steps


def step_labels(
    video: VideoAnnotation, num_steps: int, num_classes: int, shift: float = 0.0
) -> np.ndarray:
    """Multi-hot ``(T, C+1)`` float32, background last: step ``k`` has class ``c`` when its
    centre ``k + 0.5``, moved ``shift`` seconds later, lies inside an instance of ``c`` (steps,
    oat-spec §1.4). Rows whose moved centre is past the video's end are NaN (no label)."""
    labels = np.zeros((num_steps, num_classes + 1), dtype=np.float32)
    centres = np.arange(num_steps) + 0.5 + shift * num_steps / video.duration
    for seg in video.segments:
        start, end = seconds_to_steps([seg.start, seg.end], num_steps, video.duration)
        labels[(centres >= start) & (centres < end), seg.label] = 1.0
    labels[labels[:, :num_classes].sum(1) == 0, num_classes] = 1.0
    labels[centres >= num_steps] = np.nan
    return labels


def context_features(features: np.ndarray, span: int, blocks: int, centred: bool) -> np.ndarray:
    """Block-pooled context of every step, ``(T, blocks * D)``; edges repeat the first/last step.

    ``centred=False``: the window ends at ``t`` (uses no future). ``centred=True``: it holds
    ``span / 2`` future steps.
    """
    if span % blocks or (centred and span % 2):
        raise ValueError(f"span {span} must be a multiple of blocks {blocks} (and even if centred)")
    num_steps = features.shape[0]
    first = -span + 1 if not centred else -span // 2 + 1
    padded = np.concatenate([np.repeat(features[:1], span, 0), features,
                             np.repeat(features[-1:], span, 0)])
    cumsum = np.concatenate([np.zeros((1, features.shape[1])), np.cumsum(padded, axis=0)])
    size = span // blocks
    pooled = []
    for b in range(blocks):
        lo = np.arange(num_steps) + span + first + b * size  # index into padded
        pooled.append((cumsum[lo + size] - cumsum[lo]) / size)
    return np.concatenate(pooled, axis=1)


def fit_ridge(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ridge regression on standardised inputs: returns ``(mean, std, weights (D+1, K))``."""
    mean, std = x.mean(0), x.std(0) + 1e-6
    z = np.hstack([(x - mean) / std, np.ones((x.shape[0], 1))])
    gram = z.T @ z + l2 * np.eye(z.shape[1])
    return mean, std, np.linalg.solve(gram, z.T @ y)


def predict_ridge(model: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Scores ``(N, K)`` of a model from :func:`fit_ridge`."""
    mean, std, weights = model
    return np.hstack([(x - mean) / std, np.ones((x.shape[0], 1))]) @ weights


def average_precision(scores: np.ndarray, positives: np.ndarray) -> float:
    """Non-interpolated AP of one class: mean precision at each positive, ties by index."""
    order = np.argsort(-scores, kind="stable")
    hits = positives[order] > 0
    if not hits.any():
        return float("nan")
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def action_step_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Share of action steps whose top-scoring class (background included) is one of theirs."""
    action = labels[:, -1] == 0
    top = scores[action].argmax(1)
    return float(labels[action][np.arange(len(top)), top].mean())


def frame_map(scores: np.ndarray, labels: np.ndarray) -> float:
    """Per-frame mAP over the action classes (background column, last, left out)."""
    aps = [average_precision(scores[:, c], labels[:, c]) for c in range(labels.shape[1] - 1)]
    return float(np.nanmean(aps))


def probe_scores(
    train: list[tuple[np.ndarray, np.ndarray]],
    test: list[tuple[np.ndarray, np.ndarray]],
    span: int,
    blocks: int,
    centred: bool,
    l2: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit one ridge probe on ``train`` and score ``test``: ``(scores (N, C+1), labels (N, C+1))``.

    Items are ``(features (T, D), labels (T, C+1))``; label rows holding NaN (no label) are left
    out of the fit and of the returned test rows.
    """
    def stacked(pairs):
        x = np.concatenate([context_features(f, span, blocks, centred) for f, _ in pairs])
        y = np.concatenate([y for _, y in pairs])
        keep = ~np.isnan(y).any(1)
        return x[keep], y[keep]

    x_train, y_train = stacked(train)
    x_test, y_test = stacked(test)
    return predict_ridge(fit_ridge(x_train, y_train, l2), x_test), y_test


def context_probe(
    train: Iterable[tuple[np.ndarray, np.ndarray]],
    test: Iterable[tuple[np.ndarray, np.ndarray]],
    span: int = 16,
    blocks: int = 4,
    l2: float = 100.0,
) -> dict[str, float]:
    """Per-frame mAP and action-step accuracy of the past-only and the centred probe.

    ``train`` / ``test`` yield ``(features (T, D), labels (T, C+1))`` per video. Returns
    ``{"online_map", "offline_map", "online_accuracy", "offline_accuracy"}``. The mAP is the
    usual measure but noisy when a class has few test steps; the accuracy pools all action steps.
    """
    train, test = list(train), list(test)
    result = {}
    for name, centred in (("online", False), ("offline", True)):
        scores, labels = probe_scores(train, test, span, blocks, centred, l2)
        result[f"{name}_map"] = frame_map(scores, labels)
        result[f"{name}_accuracy"] = action_step_accuracy(scores, labels)
    return result

