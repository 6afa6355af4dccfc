"""Two-stream input projection of OAT (oat-spec §3.1 item 1)."""
from __future__ import annotations

import torch
from torch import nn

from oat.registry import MODELS


@MODELS.register_module()
class TwoStreamProjection(nn.Module):
    """Projects each half of a two-stream feature separately and concatenates the results.

    The input's first half is the RGB stream and its second half the flow stream (THUMOS TSN
    layout); each goes through its own ``Linear(in_dim/2 -> out_dim/2)``, no activation and no
    norm, so the two streams never mix before the encoder.
    """

    def __init__(self, in_dim: int = 4096, out_dim: int = 1024):
        super().__init__()
        if in_dim % 2 or out_dim % 2:
            raise ValueError(f"TwoStreamProjection needs even dims, got {in_dim} -> {out_dim}")
        self.in_dim = in_dim
        self.out_dim = out_dim
        self.rgb = nn.Linear(in_dim // 2, out_dim // 2)
        self.flow = nn.Linear(in_dim // 2, out_dim // 2)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``(..., in_dim)`` features -> ``(..., out_dim)``: ``[rgb(first half), flow(second)]``."""
        if features.shape[-1] != self.in_dim:
            raise ValueError(
                f"TwoStreamProjection expects {self.in_dim}-d features, got {features.shape[-1]}"
            )
        rgb, flow = features.split(self.in_dim // 2, dim=-1)
        return torch.cat([self.rgb(rgb), self.flow(flow)], dim=-1)


@MODELS.register_module()
class SingleStreamProjection(nn.Module):
    """One ``Linear(in_dim -> out_dim)`` over the whole feature, for one-stream backbones
    (CLIP, VideoMAE, SlowFast) where OAT's two halves would be an arbitrary split.

    Not an upstream OAT part [our choice]: upstream only has the two-stream projection, so
    models built with this one have no upstream checkpoint layout.
    """

    def __init__(self, in_dim: int = 768, out_dim: int = 1024):
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = out_dim
        self.linear = nn.Linear(in_dim, out_dim)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``(..., in_dim)`` features -> ``(..., out_dim)``."""
        if features.shape[-1] != self.in_dim:
            raise ValueError(
                f"SingleStreamProjection expects {self.in_dim}-d features, got {features.shape[-1]}"
            )
        return self.linear(features)
