"""The two-layer MLP every OnPoint head is made of."""
from torch import nn


def two_layer_mlp(in_dim: int, hidden_dim: int, out_dim: int) -> nn.Sequential:
    """``Linear(in, hidden) -> ReLU -> Linear(hidden, out)``; parameters ``0.*`` and ``2.*``."""
    return nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, out_dim))
