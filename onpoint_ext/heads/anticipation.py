"""Anticipation head (onpoint-spec §3): which actions the teacher sees in the next W' steps.

Training-only: its target comes from the teacher's view of the future, never from the student's
input, so it is not run at inference.
"""
from __future__ import annotations

import numpy as np
import torch

from oat.registry import MODELS
from onpoint_ext.heads.memory_mlp import MemoryMLPHead


@MODELS.register_module()
class AnticipationHead(MemoryMLPHead):
    """Mean-pool ``F (B, W, E)`` over the window, then a two-layer MLP -> C logits ``(B, C)``.

    There is no background output: each class is an independent "occurs soon" sigmoid.
    Args: as :class:`~onpoint_ext.heads.memory_mlp.MemoryMLPHead` (C, E, hidden width).
    """

    background_output = False

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
