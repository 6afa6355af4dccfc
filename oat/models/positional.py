"""Fixed sinusoidal positional encoding of window positions (oat-spec §3.1 item 2)."""
from __future__ import annotations

import math

import torch
from torch import nn


def sinusoidal_table(max_len: int, dim: int) -> torch.Tensor:
    """``(max_len, dim)`` table: ``sin(pos * w_i)`` on channel ``2i``, ``cos`` on ``2i+1``.

    ``w_i = exp(-2i * ln(10000) / dim)``; position 0 is the oldest step of a window.
    """
    if dim % 2:
        raise ValueError(f"sinusoidal positional encoding needs an even dim, got {dim}")
    positions = torch.arange(max_len, dtype=torch.float32)[:, None]
    channels = torch.arange(0, dim, 2, dtype=torch.float32)
    frequencies = torch.exp(channels * (-math.log(10000.0) / dim))
    table = torch.zeros(max_len, dim)
    table[:, 0::2] = torch.sin(positions * frequencies)
    table[:, 1::2] = torch.cos(positions * frequencies)
    return table


class SinusoidalPositionalEncoding(nn.Module):
    """Adds the sinusoidal table to a ``(B, W, E)`` sequence (``W <= max_len``).

    The table is a saved buffer (as upstream, whose checkpoints carry it), so checkpoints load
    strictly in both directions.
    """

    def __init__(self, dim: int, max_len: int = 400):
        super().__init__()
        self.max_len = max_len
        self.register_buffer("table", sinusoidal_table(max_len, dim))

    def forward(self, sequence: torch.Tensor) -> torch.Tensor:
        """``(B, W, E)`` -> ``(B, W, E)`` with position ``i`` of the window encoded."""
        length = sequence.shape[1]
        if length > self.max_len:
            raise ValueError(
                f"window of {length} steps exceeds the positional table ({self.max_len})"
            )
        return sequence + self.table[:length]
