"""Actionness-calibrated anchor decoder (onpoint-spec §3): OAT's decoder, keys re-weighted.

Per window position the student's own CASS background logit ``b`` gives an actionness
``r = 1 - sigmoid(b)``, clamped to ``[eps, 1]``, and the calibration ``r_bar = r + log(r)`` is
added to the cross-attention logits of every anchor query and every head at that key position,
through OAT's generic ``memory_key_bias (B, W)`` seam. Keys that look like background
(``r -> eps``) get a large negative bias and are nearly ignored.

The decoder has no parameter of its own, so its state dict is OAT's exactly (weights load across
both ways). The CASS head lives outside the decoder (in the distiller, not in ``student.*``), so
the background logits are passed in: :meth:`ActionnessCalibratedDecoder.calibration_bias` turns
them into the key bias that the distiller hands to ``decode``.
"""
from __future__ import annotations

import torch

from oat.models.decoder import AnchorQueryDecoder
from oat.registry import MODELS


ACTIONNESS_SOURCES = ("student", "teacher")


def calibration_from_actionness(actionness: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    """``r_bar = r + log(r)`` with ``r = clamp(actionness, eps, 1)``; shape kept, ``(B, W)``."""
    r = actionness.clamp(min=eps, max=1.0)
    return r + torch.log(r)


def actionness_key_bias(background_logits: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    """``r_bar = r + log(r)`` with ``r = clamp(1 - sigmoid(b), eps, 1)``; shape kept, ``(B, W)``.

    Args:
        background_logits: CASS background-channel logits ``b`` (the last of ``C+1``), ``(B, W)``.
        eps: lower clamp of ``r``; ``eps + log(eps)`` is the strongest suppression of a key.
    """
    return calibration_from_actionness(torch.sigmoid(-background_logits), eps)  # 1 - sigmoid(b)


@MODELS.register_module()
class ActionnessCalibratedDecoder(AnchorQueryDecoder):
    """OAT's ``AnchorQueryDecoder`` plus the actionness calibration of its cross-attention.

    Args:
        calibrate: False makes :meth:`calibration_bias` return None, i.e. OAT's decoder exactly.
        eps: lower clamp of the actionness ``r`` (onpoint-spec §3 leaves it open) [our choice].
            Measured effects of the three options below against the defaults: BENCHMARKS.md,
            "The table" (GENERATED features, 10 pairs each; option minus default, avg mAP
            0.1:0.7): eps 0.05 +0.5 [-0.4, +1.3], r not detached +0.0 [-1.0, +1.1], r from
            the teacher +1.0 [-0.5, +2.5]; no interval excludes 0.
        detach_actionness: stop gradients from the decoder into the CASS logits through ``r``
            [our choice, onpoint-spec §3]: the CASS head then learns only from ``L_cass``.
        train_actionness: where ``r`` comes from during TRAINING: ``"student"`` (the paper's
            formula: the student's own CASS background channel, as at test time) or
            ``"teacher"`` [our choice, an ablation]: ``r = 1 - teacher background probability``
            from the cache, so the decoder trains on clean actionness while the CASS head
            learns. Test time always uses the student's (the teacher is offline).
        Remaining arguments: see ``AnchorQueryDecoder``.
    """

    def __init__(
        self,
        *args,
        calibrate: bool = True,
        eps: float = 1e-4,
        detach_actionness: bool = True,
        train_actionness: str = "student",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not 0.0 < eps < 1.0:
            raise ValueError(f"ActionnessCalibratedDecoder: eps must be in (0, 1), got {eps}")
        if train_actionness not in ACTIONNESS_SOURCES:
            raise ValueError(f"ActionnessCalibratedDecoder: train_actionness must be one of "
                             f"{ACTIONNESS_SOURCES}, got {train_actionness!r}")
        self.train_actionness = train_actionness
        self.calibrate = calibrate
        self.eps = eps
        self.detach_actionness = detach_actionness

    def calibration_bias(self, background_logits: torch.Tensor) -> torch.Tensor | None:
        """CASS background logits ``(B, W)`` -> key bias ``r_bar (B, W)``; None when off."""
        if not self.calibrate:
            return None
        if self.detach_actionness:
            background_logits = background_logits.detach()
        return actionness_key_bias(background_logits, self.eps)

    def teacher_calibration_bias(self, teacher_background: torch.Tensor) -> torch.Tensor | None:
        """Teacher background probabilities ``(B, W)`` -> key bias ``r_bar (B, W)``; None when off.

        Used at train time with ``train_actionness="teacher"``; no gradient (teacher targets)."""
        if not self.calibrate:
            return None
        return calibration_from_actionness(1.0 - teacher_background.detach(), self.eps)
