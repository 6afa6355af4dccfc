"""Teacher detections for its own evaluation: PP + per-class Gaussian soft-NMS (spec §1.7.7).

Used only to score the teacher (mAP on a held-out or test split); OnPoint trains on RP, not
on these. Differences from the reference, by choice: tIoU is the plain continuous one (no "+1"
length convention) and no "ambiguous segment" filter is applied.
"""
from __future__ import annotations

import numpy as np

from onpoint_ext.teachers.hrpro.proposals import Proposals


def temporal_iou(segment: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """tIoU of one (2,) segment with (K, 2) segments (same unit) -> (K,)."""
    intersection = np.clip(np.minimum(segment[1], segments[:, 1])
                           - np.maximum(segment[0], segments[:, 0]), 0.0, None)
    union = (segment[1] - segment[0]) + (segments[:, 1] - segments[:, 0]) - intersection
    return intersection / np.maximum(union, 1e-12)


def soft_nms(proposals: Proposals, sigma: float = 0.3,
             max_detections: int | None = None) -> Proposals:
    """Per-class Gaussian soft-NMS: greedily take the best remaining proposal and decay the
    scores of the others of its class by ``exp(-tIoU^2 / sigma)``.

    Returns every proposal with its decayed score, sorted by score (descending), cut to
    ``max_detections`` when given.
    """
    kept = []
    for label in np.unique(proposals.labels):
        pool = proposals.take(proposals.labels == label)
        segments, scores = pool.segments, pool.scores.astype(np.float64).copy()
        remaining = np.arange(len(scores))
        while len(remaining):
            best = remaining[np.argmax(scores[remaining])]
            remaining = remaining[remaining != best]
            kept.append((segments[best], label, scores[best]))
            if len(remaining):
                overlap = temporal_iou(segments[best], segments[remaining])
                scores[remaining] *= np.exp(-(overlap ** 2) / sigma)
    if not kept:
        return Proposals.empty()
    result = Proposals(np.array([k[0] for k in kept]), np.array([k[1] for k in kept]),
                       np.array([k[2] for k in kept]))
    order = np.argsort(-result.scores, kind="stable")[:max_detections]
    return result.take(order)
