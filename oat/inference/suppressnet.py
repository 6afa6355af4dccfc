"""SuppressNet, the small "emit now?" network of OAT-OSN (oat-spec §3.5)."""
from __future__ import annotations

import os
from typing import Optional

import torch
from torch import nn
from torch.nn import functional as F

from oat.registry import MODELS


@MODELS.register_module()
class SuppressNet(nn.Module):
    """Per-class emit probability from a queue of recent per-class scores.

    Input ``(B, L, C)``: the last ``L`` steps' surviving proposal scores per action class
    (newest row last, zeros where nothing survived). Each class row of ``L`` values is
    instance-normalised over time (no affine, eps 1e-5), then a shared MLP
    ``Linear(L -> 2L) -> ReLU -> Linear(2L -> 1) -> sigmoid`` gives ``(B, C)`` probabilities.
    At ``L = 64``: 8,449 parameters. Parameter names ``mlp1``/``mlp2`` match upstream
    checkpoints (``ckp_best_suppress.pth.tar``).
    """

    def __init__(self, queue_length: int = 64) -> None:
        super().__init__()
        self.queue_length = queue_length
        self.mlp1 = nn.Linear(queue_length, 2 * queue_length)
        self.mlp2 = nn.Linear(2 * queue_length, 1)

    def forward(self, queue: torch.Tensor) -> torch.Tensor:
        """(B, L, C) scores -> (B, C) emit probabilities (after sigmoid, not logits)."""
        return torch.sigmoid(self.logits(queue))

    def logits(self, queue: torch.Tensor) -> torch.Tensor:
        """(B, L, C) scores -> (B, C) logits (used by the BCE training loss)."""
        if queue.dim() != 3 or queue.shape[1] != self.queue_length:
            raise ValueError(
                f"SuppressNet expects a (B, {self.queue_length}, C) score queue, "
                f"got {tuple(queue.shape)}"
            )
        rows = queue.transpose(1, 2)  # (B, C, L): one time series per class
        normalised = F.instance_norm(rows, eps=1e-5)
        hidden = torch.relu(self.mlp1(normalised))
        return self.mlp2(hidden).squeeze(-1)


def load_suppressnet(path: str, queue_length: Optional[int] = None) -> SuppressNet:
    """A SuppressNet in eval mode with weights from ``path``.

    Accepts our ``tools/train_osn.py`` output and upstream's ``{'epoch', 'state_dict'}`` files.
    The queue length comes from the weights; ``queue_length``, when given, must match it.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"SuppressNet checkpoint not found: {path}")
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict) or "mlp1.weight" not in state:
        raise KeyError(f"{path}: expected a SuppressNet state_dict (keys mlp1.*, mlp2.*)")
    network = SuppressNet(queue_length=state["mlp1.weight"].shape[1])
    if queue_length is not None and network.queue_length != queue_length:
        raise ValueError(
            f"{path}: SuppressNet was trained with a queue of {network.queue_length} steps, "
            f"the config asks for {queue_length}"
        )
    network.load_state_dict(state)
    return network.eval()
