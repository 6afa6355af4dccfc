"""OAT's per-anchor instance heads (oat-spec §3.1 item 6)."""
from __future__ import annotations

import torch
from torch import nn

from oat.registry import MODELS


def two_layer_mlp(in_dim: int, hidden_dim: int, out_dim: int) -> nn.Sequential:
    """``Linear -> ReLU -> Linear`` (state-dict names ``0.*`` and ``2.*``, as upstream)."""
    return nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, out_dim))


@MODELS.register_module()
class AnchorInstanceHeads(nn.Module):
    """Class logits and boundary regression for every anchor embedding (shared by anchors).

    ``classifier``: ``(B, A, E) -> (B, A, C+1)`` logits, background last.
    ``regressor``: ``(B, A, E) -> (B, A, 2)`` raw ``(r0, r1)``: end offset from the current
    step in anchor lengths and log length ratio (no activation).
    """

    def __init__(self, embed_dim: int = 1024, num_classes: int = 20, hidden_dim: int | None = None):
        super().__init__()
        hidden_dim = hidden_dim or embed_dim
        self.classifier = two_layer_mlp(embed_dim, hidden_dim, num_classes + 1)
        self.regressor = two_layer_mlp(embed_dim, hidden_dim, 2)

    def forward(self, decoded: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(B, A, E)`` -> ``(cls_logits (B, A, C+1), reg (B, A, 2))``."""
        return self.classifier(decoded), self.regressor(decoded)
