"""OnPoint's new losses as plain tensor functions (onpoint-spec §3), unit-testable without a model.

Class vectors have ``C+1`` entries with background LAST. Inputs named ``*_logits`` are raw scores;
teacher CAS values are probabilities in ``[0, 1]``. Each function returns unweighted scalars; the
distiller applies the loss weights (alpha, beta, gamma, delta).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

CASS_SPACES = ("prob", "logit")


def cass_loss(
    logits: torch.Tensor, teacher_probs: torch.Tensor, space: str = "prob", eps: float = 1e-6
) -> torch.Tensor:
    """L_cass: squared distance between the student's CAS and the teacher's, per window position.

    ``L = mean over batch and W of sum over channels (pred - target)^2``, i.e. the spec's
    ``(1/W) sum_i ||sigma(A_hat[i]) - A[i]||^2`` averaged over the batch.
    ``space="prob"`` [our choice, onpoint-spec §3] compares ``sigmoid(logits)`` with the teacher's
    probabilities; ``space="logit"`` compares the raw logits with ``logit(teacher)`` (teacher
    clamped to ``[eps, 1 - eps]`` so that 0/1 stay finite).

    Args:
        logits: student CASS logits ``(B, W, C+1)``.
        teacher_probs: teacher CAS slice ``(B, W, C+1)``, probabilities.
    """
    if logits.shape != teacher_probs.shape:
        raise ValueError(
            f"cass_loss: logits {tuple(logits.shape)} and teacher CAS "
            f"{tuple(teacher_probs.shape)} must have the same shape (B, W, C+1)"
        )
    if space == "prob":
        pred, target = torch.sigmoid(logits), teacher_probs
    elif space == "logit":
        pred, target = logits, torch.logit(teacher_probs.clamp(eps, 1.0 - eps))
    else:
        raise ValueError(f"cass_loss: space must be one of {CASS_SPACES}, got {space!r}")
    return (pred - target).pow(2).sum(dim=-1).mean()


def anticipation_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """L_ant: binary cross-entropy summed over the C action classes, mean over the batch.

    Args:
        logits: anticipation logits ``(B, C)`` (no background entry).
        target: ``(B, C)`` in ``{0, 1}``: class c occurs in the teacher's future window.
    """
    target = target.to(logits.dtype)
    per_class = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    return per_class.sum(dim=-1).mean()


def point_loss(
    cls_logits: torch.Tensor,
    distance: torch.Tensor,
    cls_target: torch.Tensor,
    distance_target: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """L_pnt = (L_pc, L_pr): anchor point classification and point distance regression.

    ``L_pc`` is cross-entropy over ALL anchors (mean over ``B*A``; anchors without a point have
    the background target ``C``). ``L_pr`` is the mean ``|d_hat - d|`` over positive anchors
    (``cls_target < C``); with no positive anchor in the batch it is a zero that keeps the graph.

    Args:
        cls_logits: ``(B, A, C+1)`` logits.
        distance: ``(B, A)`` predicted normalised distance ``|c_a - p| / L_a``.
        cls_target: ``(B, A)`` class index in ``0..C`` (``C`` = background).
        distance_target: ``(B, A)``; read only where the anchor is positive.
    """
    background = cls_logits.shape[-1] - 1
    loss_cls = F.cross_entropy(cls_logits.flatten(0, -2), cls_target.flatten().long())
    positive = cls_target < background
    if positive.any():
        loss_reg = (distance[positive] - distance_target[positive].to(distance.dtype)).abs().mean()
    else:
        loss_reg = distance.sum() * 0.0
    return loss_cls, loss_reg
