"""TSASPC's MS-TCN with a two-branch first stage (teachers-spec §2.3).

Channels-first inside: features ``(B, D_in, L)``, mask ``(B, 1, L)`` (1 = real step, 0 = padding),
logits ``(S, B, C+1, L)`` for the S stages (background LAST), the "middle" representation
``H`` ``(B, F, L)`` = the features of the last stage (F = 64 maps).
"""
from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from oat.registry import MODELS


class MSTCNOutput(NamedTuple):
    """logits (S, B, C+1, L) per stage (masked, background LAST); middle (B, F, L)."""

    logits: torch.Tensor
    middle: torch.Tensor


class DilatedResidualLayer(nn.Module):
    """``h <- mask * (h + Dropout(Conv1x1(ReLU(DilatedConv_k(h)))))``, "same" padding."""

    def __init__(self, channels: int, kernel_size: int, dilation: int, dropout: float):
        super().__init__()
        self.conv_dilated = nn.Conv1d(channels, channels, kernel_size,
                                      padding=dilation * (kernel_size - 1) // 2, dilation=dilation)
        self.conv_1x1 = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return (x + self.dropout(self.conv_1x1(F.relu(self.conv_dilated(x))))) * mask


class SingleStage(nn.Module):
    """SS(k, d_in): 1x1 conv d_in -> F, ``num_layers`` dilated residual layers (dilation
    ``2^l``), 1x1 conv F -> C+1 (masked). Returns (features (B, F, L), logits (B, C+1, L))."""

    def __init__(self, in_channels: int, num_maps: int, num_outputs: int, num_layers: int,
                 kernel_size: int, dropout: float):
        super().__init__()
        self.conv_in = nn.Conv1d(in_channels, num_maps, 1)
        self.layers = nn.ModuleList(
            DilatedResidualLayer(num_maps, kernel_size, 2 ** i, dropout) for i in range(num_layers)
        )
        self.conv_out = nn.Conv1d(num_maps, num_outputs, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.conv_in(x)
        for layer in self.layers:
            h = layer(h, mask)
        return h, self.conv_out(h) * mask


@MODELS.register_module()
class TSASPCNetwork(nn.Module):
    """Multi-stage TCN: stage 1 = SS(3, D_in) + SS(5, D_in) (features and logits summed),
    stages 2..S = SS(3, C+1) on the softmax of the previous stage's logits.

    Args:
        in_channels: D_in (2048 for I3D rgb || flow).
        num_classes: C action classes; the network outputs C+1 logits, background LAST.
        num_stages, num_layers, num_maps: 4, 10, 64 in the paper.
        input_dropout: channel dropout on the input (whole channels zeroed for the sequence).
        layer_dropout: dropout inside each residual layer.
    """

    def __init__(self, in_channels: int, num_classes: int, num_stages: int = 4,
                 num_layers: int = 10, num_maps: int = 64, input_dropout: float = 0.2,
                 layer_dropout: float = 0.5):
        super().__init__()
        if num_stages < 1:
            raise ValueError(f"TSASPCNetwork: num_stages must be >= 1, got {num_stages}")
        self.num_classes = num_classes
        outputs = num_classes + 1
        self.input_dropout = nn.Dropout1d(input_dropout)
        self.first_stage = nn.ModuleList(
            SingleStage(in_channels, num_maps, outputs, num_layers, k, layer_dropout)
            for k in (3, 5)
        )
        self.refinement_stages = nn.ModuleList(
            SingleStage(outputs, num_maps, outputs, num_layers, 3, layer_dropout)
            for _ in range(num_stages - 1)
        )

    def forward(self, features: torch.Tensor, mask: torch.Tensor) -> MSTCNOutput:
        """features (B, D_in, L), mask (B, 1, L) -> logits (S, B, C+1, L), middle (B, F, L)."""
        x = self.input_dropout(features)
        branches = [stage(x, mask) for stage in self.first_stage]
        middle = sum(h for h, _ in branches)
        logits = [sum(y for _, y in branches)]
        for stage in self.refinement_stages:
            middle, y = stage(F.softmax(logits[-1], dim=1) * mask, mask)
            logits.append(y)
        return MSTCNOutput(torch.stack(logits), middle)
