"""Class prototype memory ``M`` (C, E) of HR-Pro stage 1 (teachers-spec §1.5).

A buffer, never trained by gradient: initialised once before training from the point snippets
of all training videos, then moved by an exponential moving average after every video. Being
buffers, the prototypes and the ``initialized`` flag are saved in checkpoints, so a resumed run
does not re-initialise them.
"""
from __future__ import annotations

import torch
from torch import nn


class PrototypeMemory(nn.Module):
    """One prototype per action class, ``prototypes`` (C, E), plus an ``initialized`` flag."""

    def __init__(self, num_classes: int, embed_dim: int, momentum: float = 0.999):
        super().__init__()
        self.momentum = momentum
        self.register_buffer("prototypes", torch.zeros(num_classes, embed_dim))
        self.register_buffer("initialized", torch.zeros((), dtype=torch.bool))

    @torch.no_grad()
    def initialize(self, feature_sums: torch.Tensor, counts: torch.Tensor) -> None:
        """Set ``M_c = feature_sums[c] / counts[c]``; classes never pointed at stay 0.

        feature_sums: (C, E) sum of embedded features over all point snippets of class c;
        counts: (C,) number of those snippets.
        """
        means = feature_sums / counts.clamp(min=1).unsqueeze(1).to(feature_sums.dtype)
        self.prototypes.copy_(means)
        self.initialized.fill_(True)

    @torch.no_grad()
    def update(self, embedded: torch.Tensor, act_seed: torch.Tensor) -> None:
        """EMA step ``M_c <- m * M_c + (1 - m) * mean(E_t | act_seed[t, c])`` per seeded class.

        embedded: (T, E) (detached here); act_seed: (T, C) multi-hot action seeds.
        """
        counts = act_seed.sum(dim=0)  # (C,)
        seeded = counts > 0
        if not seeded.any():
            return
        means = (act_seed.t() @ embedded.detach()) / counts.clamp(min=1).unsqueeze(1)
        moved = self.momentum * self.prototypes + (1.0 - self.momentum) * means
        self.prototypes.copy_(torch.where(seeded.unsqueeze(1), moved, self.prototypes))
