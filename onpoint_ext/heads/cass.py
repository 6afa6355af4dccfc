"""CASS predictor (onpoint-spec §3): the student's own class activation sequence per window step.

The head reads the encoder output ``F (B, W, E)`` and predicts CAS logits ``(B, W, C+1)``
(background LAST), supervised by the teacher CAS of the same steps (``L_cass``). Its background
channel also drives the actionness calibration of the decoder, so it runs at inference whenever
calibration is on (see ``onpoint_ext/distiller.py``).
"""
from __future__ import annotations

import numpy as np
import torch

from oat.registry import MODELS
from onpoint_ext.heads.memory_mlp import MemoryMLPHead


@MODELS.register_module()
class CASSHead(MemoryMLPHead):
    """Per-position two-layer MLP ``E -> hidden -> C+1`` (ReLU), shared over window steps.

    Args: as :class:`~onpoint_ext.heads.memory_mlp.MemoryMLPHead` (C, E, hidden width).
    """

    background_output = True

    def forward(self, memory: torch.Tensor) -> torch.Tensor:
        """Encoder output ``(B, W, E)`` -> CAS logits ``(B, W, C+1)``, background last."""
        return self.mlp(memory)


def teacher_cas_window(cas: np.ndarray, end_step: int, window: int) -> np.ndarray:
    """Teacher CAS rows ``A[t-W+1 : t+1]`` for the window ending at step ``t`` -> ``(W, C+1)``.

    Rows before the video start (the student sees zero-feature padding there) are filled with the
    background one-hot ``[0, ..., 0, 1]``: padding contains no action, so the target says so
    (onpoint-spec §3 "zero/background padded"; background rather than all-zero keeps every row a
    valid CAS).

    Args:
        cas: per-video teacher CAS on student steps ``(T, C+1)``, probabilities.
        end_step: ``t``, the newest step of the window (0-based, ``< T``).
    """
    if not 0 <= end_step < len(cas):
        raise ValueError(f"teacher_cas_window: end step {end_step} outside 0..{len(cas) - 1}")
    start = end_step - window + 1
    rows = cas[max(start, 0) : end_step + 1].astype(np.float32)
    if start >= 0:
        return rows
    padding = np.zeros((-start, cas.shape[1]), dtype=np.float32)
    padding[:, -1] = 1.0
    return np.concatenate([padding, rows], axis=0)
