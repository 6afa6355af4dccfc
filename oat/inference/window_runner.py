"""Runs an OAT-style model on windows of already projected features.

The model exposes stage methods (``project``, ``encode``, ``decode``, ``predict_instances``,
attributes ``window``, ``anchors``, ``num_classes``). The projection is per frame and position
independent, so online inference projects each frame once and keeps projected windows; the
rest of the network runs here.
"""
from __future__ import annotations

import torch
from torch import nn

from oat.inference.cached_decode import CachedFirstLayerDecode
from oat.models.detector import OATDetector


class WindowRunner:
    """Projected windows ``(B, W, E)`` -> class probabilities and regression, in eval mode.

    Call under ``torch.inference_mode()``; the model must already be in eval mode. For OAT's
    own detector and decoder the input-independent first decoder block is computed once
    (:class:`CachedFirstLayerDecode`); other models run their own ``decode``.
    """

    def __init__(self, model: nn.Module) -> None:
        for name in ("project", "encode", "decode", "predict_instances", "window", "anchors"):
            if not hasattr(model, name):
                raise TypeError(f"{type(model).__name__} has no `{name}`: not an OAT-style model")
        self.model = model
        self.window = int(model.window)
        self.anchors = tuple(int(length) for length in model.anchors)
        own_decode = type(model).decode is OATDetector.decode
        decoder = getattr(model, "decoder", None)
        self._decode = (CachedFirstLayerDecode(decoder)
                        if own_decode and CachedFirstLayerDecode.supports(decoder)
                        else model.decode)

    @property
    def device(self) -> torch.device:
        """Where the model's parameters live."""
        return next(self.model.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        """The model's floating-point type (inputs are cast to it)."""
        return next(self.model.parameters()).dtype

    def project(self, frames: torch.Tensor) -> torch.Tensor:
        """(N, D_in) input feature vectors -> (N, E) projected features (one per frame)."""
        return self.model.project(frames[None])[0]

    def project_zeros(self, in_dim: int) -> torch.Tensor:
        """(E,) projection of an all-zero input frame: what the zero front-padding becomes."""
        return self.project(torch.zeros(1, in_dim, device=self.device, dtype=self.dtype))[0]

    def predict(self, windows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, W, E) projected windows (oldest step first) -> probabilities (B, A, C+1)
        (softmax over classes, background last) and raw regression (B, A, 2), float32."""
        memory = self.model.encode(windows)
        decoded = self._decode(memory, None)
        cls_logits, reg = self.model.predict_instances(decoded)
        return torch.softmax(cls_logits.float(), dim=-1), reg.float()
