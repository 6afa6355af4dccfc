"""TSASPC's four losses on tensors (teachers-spec §2.4), each summed over the stages.

Shapes: ``logits`` (S, B, C+1, L) raw stage outputs (background LAST), ``targets`` (B, L) int64
with ``IGNORE_INDEX`` on unlabelled steps, ``mask`` (B, L) 1 on real steps / 0 on padding,
``middle`` (B, F, L) the last stage's features. Loss weights are applied by the caller.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def classification_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """``sum_s CE(Y^s, target)``, each the mean over labelled steps (0 when none is labelled)."""
    if not (targets != IGNORE_INDEX).any():
        return logits.sum() * 0.0
    return sum(F.cross_entropy(stage, targets, ignore_index=IGNORE_INDEX) for stage in logits)


def smoothing_loss(logits: torch.Tensor, mask: torch.Tensor, clamp: float = 16.0) -> torch.Tensor:
    """MS-TCN's truncated MSE: ``sum_s mean_{b,c,t} min(clamp, (log p_t - sg(log p_{t-1}))^2)``,
    padded positions zeroed but counted in the mean."""
    total = logits.new_zeros(())
    for stage in logits:
        log_probs = F.log_softmax(stage, dim=1)
        squared = (log_probs[:, :, 1:] - log_probs[:, :, :-1].detach()) ** 2
        total = total + (squared.clamp(max=clamp) * mask[:, None, 1:]).mean()
    return total


def confidence_masks(stamp_steps: np.ndarray, stamp_labels: np.ndarray, num_steps: int,
                     num_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """Li et al.'s masks (C+1, T-1) float32: between stamps j and j+1, over ``[t_j, t_{j+1})``,
    ``left`` marks the class of stamp j and ``right`` the class of stamp j+1."""
    left = np.zeros((num_outputs, max(num_steps - 1, 0)), dtype=np.float32)
    right = np.zeros_like(left)
    for j in range(len(stamp_steps) - 1):
        span = slice(stamp_steps[j], stamp_steps[j + 1])
        left[stamp_labels[j], span] = 1.0
        right[stamp_labels[j + 1], span] = 1.0
    return left, right


def confidence_loss(logits: torch.Tensor, stamp_steps: Sequence[np.ndarray],
                    stamp_labels: Sequence[np.ndarray], lengths: Sequence[int]) -> torch.Tensor:
    """``sum_s sum_videos [ sum M^L relu(log p_{t+1} - log p_t) / sum M^L
    + sum M^R relu(log p_t - log p_{t+1}) / sum M^R ]``: between two stamps the first stamp's
    class may not gain probability and the second's may not lose it. Videos with fewer than two
    stamps add nothing."""
    total = logits.new_zeros(())
    for b, (steps, labels, length) in enumerate(zip(stamp_steps, stamp_labels, lengths)):
        if len(steps) < 2:
            continue
        left, right = (torch.from_numpy(m).to(logits) for m in
                       confidence_masks(steps, labels, length, logits.shape[2]))
        log_probs = F.log_softmax(logits[:, b, :, :length], dim=1)
        rise = log_probs[:, :, 1:] - log_probs[:, :, :-1]  # (S, C+1, T-1)
        total = total + ((F.relu(rise) * left).sum() / left.sum()
                         + (F.relu(-rise) * right).sum() / right.sum())
    return total


def clustering_loss(middle: torch.Tensor, intervals: Sequence[np.ndarray],
                    stamp_steps: Sequence[np.ndarray]) -> torch.Tensor:
    """``(1/N) sum_videos sum_i sum_{t in [l_i, r_i)} ||h_t - h_{t_i}||_2`` on channel-wise
    L2-normalised ``middle``; the centre is the stamp step's own feature; N = labelled steps of
    the batch (0 when there is none)."""
    normalized = F.normalize(middle, p=2, dim=1)
    total, count = middle.new_zeros(()), 0
    for b, (spans, steps) in enumerate(zip(intervals, stamp_steps)):
        spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        lengths = spans[:, 1] - spans[:, 0]
        if not lengths.sum():
            continue
        frames = np.concatenate([np.arange(lo, hi) for lo, hi in spans])
        centres = np.repeat(np.asarray(steps, dtype=np.int64), lengths)
        difference = normalized[b][:, frames] - normalized[b][:, centres]
        total = total + torch.linalg.vector_norm(difference, dim=0).sum()
        count += int(lengths.sum())
    return total / max(count, 1)
