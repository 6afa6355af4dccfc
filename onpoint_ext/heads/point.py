"""Anchor-level point heads (onpoint-spec §3): point class and point distance per anchor.

Anchor ``a`` of the window ending at step ``t`` spans ``[t - L_a, t]`` (OAT's anchors, all ending at
the current step; continuous step coordinates). It is positive for a point label at step ``p``
when ``t - L_a <= p <= t``; with several such points the one nearest the anchor centre
``c_a = t - L_a / 2`` wins [our choice, onpoint-spec §3], ties going to the earlier point. The
distance target is ``|c_a - p| / L_a`` (in ``[0, 0.5]`` for a positive anchor).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from oat.registry import MODELS
from oat.models.heads import two_layer_mlp


@MODELS.register_module()
class AnchorPointHeads(nn.Module):
    """Two two-layer MLPs on each anchor embedding: point class ``(C+1)`` and distance ``d_hat``.

    Args:
        num_classes: C, action classes without background.
        embed_dim: E, width of the decoder's anchor embeddings.
        hidden_dim: MLP width; defaults to ``embed_dim``.
    """

    def __init__(self, num_classes: int, embed_dim: int = 1024, hidden_dim: int | None = None):
        super().__init__()
        hidden_dim = hidden_dim or embed_dim
        self.classifier = two_layer_mlp(embed_dim, hidden_dim, num_classes + 1)
        self.distance = two_layer_mlp(embed_dim, hidden_dim, 1)

    def forward(self, decoded: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Anchor embeddings ``(B, A, E)`` -> (logits ``(B, A, C+1)``, distance ``(B, A)``)."""
        return self.classifier(decoded), self.distance(decoded).squeeze(-1)


def anchor_point_targets(
    point_steps: np.ndarray,
    point_labels: np.ndarray,
    end_steps: np.ndarray,
    anchors: Sequence[float],
    num_classes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Point targets of every anchor of the windows ending at ``end_steps``.

    Args:
        point_steps: ``(P,)`` point times in continuous steps (one video).
        point_labels: ``(P,)`` class indices ``0..C-1``.
        end_steps: ``(N,)`` window end steps ``t``.
        anchors: the ``A`` anchor lengths ``L_a`` in steps.
        num_classes: C.

    Returns:
        ``cls (N, A)`` int64 class index, ``C`` (background) where no point falls in the span;
        ``distance (N, A)`` float32 ``|c_a - p| / L_a``, 0 for background anchors.
    """
    point_steps = np.asarray(point_steps, dtype=np.float64).reshape(-1)
    point_labels = np.asarray(point_labels, dtype=np.int64).reshape(-1)
    if len(point_steps) != len(point_labels):
        raise ValueError(
            f"anchor_point_targets: {len(point_steps)} point steps but {len(point_labels)} labels"
        )
    order = np.argsort(point_steps, kind="stable")  # ties in distance -> earlier point
    point_steps, point_labels = point_steps[order], point_labels[order]
    ends = np.asarray(end_steps, dtype=np.float64).reshape(-1, 1)
    cls = np.full((len(ends), len(anchors)), num_classes, dtype=np.int64)
    distance = np.zeros((len(ends), len(anchors)), dtype=np.float32)
    if len(point_steps) == 0:
        return cls, distance
    for a, length in enumerate(anchors):
        offset = np.abs(point_steps[None, :] - (ends - length / 2.0))  # (N, P)
        offset[offset > length / 2.0] = np.inf  # outside [t - L_a, t]
        nearest = offset.argmin(axis=1)
        nearest_offset = offset[np.arange(len(ends)), nearest]
        positive = np.isfinite(nearest_offset)
        cls[positive, a] = point_labels[nearest[positive]]
        distance[positive, a] = nearest_offset[positive] / length
    return cls, distance
