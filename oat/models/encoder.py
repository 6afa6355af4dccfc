"""OAT's window encoder: positional encoding, dropout and a post-norm transformer (§3.1 item 3)."""
from __future__ import annotations

import copy

import torch
from torch import nn

from oat.models.positional import SinusoidalPositionalEncoding
from oat.registry import MODELS


@MODELS.register_module()
class WindowTransformerEncoder(nn.Module):
    """Encodes a projected window ``(B, W, E)`` into a memory ``(B, W, E)``.

    Sinusoidal positions are added, then dropout, then ``num_layers`` post-norm
    ``nn.TransformerEncoderLayer`` blocks (GELU FFN) and a final LayerNorm. The blocks are deep
    copies of one block, so they start identical (as upstream's ``nn.TransformerEncoder``).
    No attention mask: zero-padded steps before the video start are attended like any other.
    ``ffn_dim`` defaults to 2048 whatever ``embed_dim`` is (upstream's PyTorch default).
    """

    def __init__(
        self,
        embed_dim: int = 1024,
        num_layers: int = 3,
        num_heads: int = 8,
        ffn_dim: int = 2048,
        dropout: float = 0.3,
        max_len: int = 400,
    ):
        super().__init__()
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.positional_encoding = SinusoidalPositionalEncoding(embed_dim, max_len)
        self.dropout = nn.Dropout(dropout)
        block = nn.TransformerEncoderLayer(
            embed_dim, num_heads, ffn_dim, dropout, activation="gelu", batch_first=True
        )
        self.layers = nn.ModuleList(copy.deepcopy(block) for _ in range(num_layers))
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, projected: torch.Tensor) -> torch.Tensor:
        """``(B, W, E)`` projected window (oldest step first) -> ``(B, W, E)`` memory."""
        hidden = self.dropout(self.positional_encoding(projected))
        for layer in self.layers:
            hidden = layer(hidden)
        return self.norm(hidden)
