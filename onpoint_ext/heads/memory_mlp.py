"""The two-layer MLP over encoder memory that the CASS and anticipation heads are built on.

Both heads map the encoder width ``E`` through one hidden layer to one logit per class; they
differ only in whether a background logit is added and in what they feed the MLP (every window
step, or the window mean). Keeping the construction here gives both the same parameter names
(``mlp.0.*``, ``mlp.2.*``), which their checkpoints rely on.
"""
from __future__ import annotations

from torch import nn

from oat.models.heads import two_layer_mlp


class MemoryMLPHead(nn.Module):
    """``self.mlp``: ``E -> hidden -> C`` (ReLU), plus one background logit (last) if the
    subclass sets ``background_output``. Subclasses define ``forward``.

    Args:
        num_classes: C, action classes without background.
        embed_dim: E, width of the encoder output.
        hidden_dim: MLP width; defaults to ``embed_dim``.
    """

    background_output: bool

    def __init__(self, num_classes: int, embed_dim: int = 1024, hidden_dim: int | None = None):
        super().__init__()
        num_outputs = num_classes + 1 if self.background_output else num_classes
        self.mlp = two_layer_mlp(embed_dim, hidden_dim or embed_dim, num_outputs)
