"""HR-Pro stage-1 network: snippet features -> fused class activation sequence (spec §1.2).

Prototype tokens (one per class, read from :class:`PrototypeMemory`) are appended to the snippet
tokens so that every snippet can attend to class-level ("inter-video") context; two
reliability-aware attention blocks mix them, a temporal conv embeds the snippet tokens and a
bias-free 1x1 conv classifies them with element-wise sigmoids (background channel LAST).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from oat.registry import MODELS


@dataclass
class HRProOutput:
    """Per-video network outputs (all on the teacher grid, T steps).

    Attributes:
        scores: (T, C+1) sigmoid probabilities ``S``; column C is the background score ``b``.
        cas: (T, C+1) fused CAS ``A = [S_act * (1 - b), b]`` (probabilities, background LAST).
        embedded: (T, E) embedded features ``E`` (after the temporal conv + ReLU).
    """

    scores: torch.Tensor
    cas: torch.Tensor
    embedded: torch.Tensor

    @property
    def background(self) -> torch.Tensor:
        """(T,) background probability ``b``."""
        return self.scores[:, -1]


class ReliabilityAwareAttention(nn.Module):
    """Post-norm transformer block whose query/key inputs pass through their own 1x1 convs.

    The value input is the token sequence itself (the reference code builds a value conv but
    never uses it; we do not build it). Shapes: tokens (N, E) -> (N, E), N = T + C.
    """

    def __init__(self, dim: int, num_heads: int, ffn_dim: int, attn_dropout: float = 0.1,
                 dropout: float = 0.3):
        super().__init__()
        self.query_conv = nn.Conv1d(dim, dim, kernel_size=1)
        self.key_conv = nn.Conv1d(dim, dim, kernel_size=1)
        self.attention = nn.MultiheadAttention(dim, num_heads, dropout=attn_dropout,
                                               batch_first=True)
        self.norm_attention = nn.LayerNorm(dim)
        self.feed_forward = nn.Sequential(
            nn.Linear(dim, ffn_dim), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(ffn_dim, dim),
        )
        self.norm_feed_forward = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """(N, E) tokens -> (N, E) tokens."""
        channels_first = tokens.t().unsqueeze(0)  # (1, E, N)
        query = self.query_conv(channels_first).squeeze(0).t().unsqueeze(0)
        key = self.key_conv(channels_first).squeeze(0).t().unsqueeze(0)
        value = tokens.unsqueeze(0)
        attended, _ = self.attention(query, key, value, need_weights=False)
        tokens = self.norm_attention(tokens + self.dropout(attended.squeeze(0)))
        return self.norm_feed_forward(tokens + self.dropout(self.feed_forward(tokens)))


@MODELS.register_module()
class HRProNetwork(nn.Module):
    """Stage-1 snippet network.

    Args:
        in_channels: feature dimension D_in of the teacher features (2048 for I3D RGB+flow).
        num_classes: C, action classes without background.
        embed_dim: token width E. When it differs from ``in_channels`` a 1x1 input projection is
            added [our choice, for small benchmark models]; the paper uses E = D_in = 2048.
        num_heads, ffn_dim, num_blocks: attention block sizes (paper: 8, 128, 2).
        classifier_dropout: dropout before the classifier (paper: 0.7).
    """

    def __init__(self, in_channels: int, num_classes: int, embed_dim: int = 2048,
                 num_heads: int = 8, ffn_dim: int = 128, num_blocks: int = 2,
                 attn_dropout: float = 0.1, dropout: float = 0.3,
                 classifier_dropout: float = 0.7):
        super().__init__()
        self.num_classes = num_classes
        self.input_projection = (
            nn.Identity() if embed_dim == in_channels
            else nn.Conv1d(in_channels, embed_dim, kernel_size=1)
        )
        self.blocks = nn.ModuleList(
            ReliabilityAwareAttention(embed_dim, num_heads, ffn_dim, attn_dropout, dropout)
            for _ in range(num_blocks)
        )
        self.embedding = nn.Sequential(
            nn.Conv1d(embed_dim, embed_dim, kernel_size=3, padding=1), nn.ReLU(inplace=True)
        )
        self.classifier = nn.Sequential(
            nn.Dropout(classifier_dropout),
            nn.Conv1d(embed_dim, num_classes + 1, kernel_size=1, bias=False),
        )

    def forward(self, features: torch.Tensor, prototypes: torch.Tensor) -> HRProOutput:
        """features (T, D_in), prototypes (C, E) (no gradient) -> :class:`HRProOutput`."""
        num_steps = features.shape[0]
        snippets = self.input_projection(features.t().unsqueeze(0)).squeeze(0).t()  # (T, E)
        tokens = torch.cat([snippets, prototypes.detach()], dim=0)  # (T + C, E)
        for block in self.blocks:
            tokens = block(tokens)
        embedded = self.embedding(tokens[:num_steps].t().unsqueeze(0))  # (1, E, T)
        logits = self.classifier(embedded).squeeze(0).t()  # (T, C+1)
        scores = torch.sigmoid(logits)
        return HRProOutput(scores=scores, cas=fuse_cas(scores), embedded=embedded.squeeze(0).t())


def fuse_cas(scores: torch.Tensor) -> torch.Tensor:
    """Sigmoid scores (T, C+1) -> fused CAS ``[S_act * (1 - b), b]`` (T, C+1), background last."""
    background = scores[:, -1:]
    return torch.cat([scores[:, :-1] * (1.0 - background), background], dim=1)


def video_scores(action_scores: torch.Tensor, video_labels: torch.Tensor | None = None
                 ) -> torch.Tensor:
    """Video-level class scores ``s`` (C,) from snippet action scores ``S_act`` (T, C).

    ``s_c`` = mean of the top-k values of column c, k = max(1, T // 8). During training
    (``video_labels`` given), classes absent from the video use the plain mean over all T.
    """
    k = max(1, action_scores.shape[0] // 8)
    top_k = action_scores.topk(k, dim=0).values.mean(dim=0)
    if video_labels is None:
        return top_k
    return torch.where(video_labels > 0, top_k, action_scores.mean(dim=0))
