"""Anticipation head (onpoint-spec §3): which actions the teacher sees in the next W' steps.

Training-only: its target comes from the teacher's view of the future, never from the student's
input, so it is not run at inference.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from oat.registry import MODELS
from oat.models.heads import two_layer_mlp


@MODELS.register_module()
class AnticipationHead(nn.Module):
    """Mean-pool ``F (B, W, E)`` over the window, then a two-layer MLP -> C logits ``(B, C)``.

    There is no background output: each class is an independent "occurs soon" sigmoid.

    Args:
        num_classes: C, action classes without background.
        embed_dim: E, width of the encoder output.
        hidden_dim: MLP width; defaults to ``embed_dim``.
    """

    def __init__(self, num_classes: int, embed_dim: int = 1024, hidden_dim: int | None = None):
        super().__init__()
        hidden_dim = hidden_dim or embed_dim
        self.mlp = two_layer_mlp(embed_dim, hidden_dim, num_classes)

    def forward(self, memory: torch.Tensor) -> torch.Tensor:
        """Encoder output ``(B, W, E)`` -> anticipation logits ``(B, C)``."""
        return self.mlp(memory.mean(dim=1))


def anticipation_target(
    cas: np.ndarray, end_step: int, horizon: int, threshold: float = 0.5
) -> np.ndarray:
    """Target ``(C,)`` in {0, 1}: class c exceeds ``threshold`` in ``A[t+1 : t+W'+1]``.

    Steps past the video end count as background (they add nothing), so the last window of a
    video has an all-zero target. The background channel (last) is ignored.

    Args:
        cas: per-video teacher CAS on student steps ``(T, C+1)``, probabilities.
        end_step: ``t``, the newest step the student sees.
        horizon: W', number of future steps.
    """
    future = cas[end_step + 1 : end_step + 1 + horizon, :-1]
    return (future > threshold).any(axis=0).astype(np.float32)
