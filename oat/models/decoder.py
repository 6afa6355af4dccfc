"""OAT's anchor-query decoder (oat-spec §3.1 items 4-5)."""
from __future__ import annotations

import copy

import torch
from torch import nn

from oat.registry import MODELS


@MODELS.register_module()
class AnchorQueryDecoder(nn.Module):
    """Decodes one embedding per anchor from the encoder memory.

    ``num_anchors`` learned queries ``(A, 1, E)``, initialised to zeros (no query positional
    embedding: the anchor identity is only this vector), go through ``num_layers`` post-norm
    ``nn.TransformerDecoderLayer`` blocks (self-attention among queries, cross-attention to the
    memory, GELU FFN; deep copies of one block) and a final LayerNorm.

    ``memory_key_bias (B, W)``, when given, is added to the cross-attention logits of every
    query and every head at each key position (a generic seam: ``-inf`` hides a key, a
    log-weight re-weights it). OAT itself passes ``None``. Subclasses may override
    :meth:`cross_attention_bias` and keep every parameter name.
    """

    def __init__(
        self,
        num_anchors: int = 6,
        embed_dim: int = 1024,
        num_layers: int = 5,
        num_heads: int = 4,
        ffn_dim: int = 2048,
        dropout: float = 0.3,
    ):
        super().__init__()
        self.num_anchors = num_anchors
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.anchor_queries = nn.Parameter(torch.zeros(num_anchors, 1, embed_dim))
        block = nn.TransformerDecoderLayer(
            embed_dim, num_heads, ffn_dim, dropout, activation="gelu", batch_first=True
        )
        self.layers = nn.ModuleList(copy.deepcopy(block) for _ in range(num_layers))
        self.norm = nn.LayerNorm(embed_dim)

    def forward(
        self, memory: torch.Tensor, memory_key_bias: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``(B, W, E)`` memory (+ optional ``(B, W)`` additive key bias) -> ``(B, A, E)``."""
        batch = memory.shape[0]
        queries = self.anchor_queries.transpose(0, 1).expand(batch, -1, -1)
        bias = self.cross_attention_bias(memory, memory_key_bias)
        for layer in self.layers:
            queries = layer(queries, memory, memory_mask=bias)
        return self.norm(queries)

    def cross_attention_bias(
        self, memory: torch.Tensor, memory_key_bias: torch.Tensor | None
    ) -> torch.Tensor | None:
        """``(B, W)`` key bias -> the ``(B * heads, A, W)`` float mask that attention adds."""
        if memory_key_bias is None:
            return None
        batch, length = memory.shape[:2]
        if memory_key_bias.shape != (batch, length):
            raise ValueError(
                f"memory_key_bias must have shape (B, W) = {(batch, length)}, "
                f"got {tuple(memory_key_bias.shape)}"
            )
        bias = memory_key_bias.to(memory.dtype)[:, None, None, :]
        bias = bias.expand(batch, self.num_heads, self.num_anchors, length)
        return bias.reshape(batch * self.num_heads, self.num_anchors, length)
