"""OAT's training losses as pure tensor functions (oat-spec §4)."""
from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn.functional as F

FOREGROUND_MIN_R1 = -100.0  # reg targets with r1 below this mean "no target" (default -1000)


def soft_target_cross_entropy(cls_logits: torch.Tensor, cls_target: torch.Tensor) -> torch.Tensor:
    """Mean over all anchors of ``-sum_c y_c log softmax(z)_c`` with ``y`` normalised to sum 1.

    Args:
        cls_logits: ``(..., C+1)`` logits, background last.
        cls_target: ``(..., C+1)`` multi-hot target; it is divided by its sum so a two-class
            target counts 0.5/0.5. A target summing to 0 is left as is (its anchor adds 0 but
            still counts in the mean), as upstream.
    """
    total = cls_target.sum(dim=-1, keepdim=True)
    normalised = cls_target / torch.where(total == 0, torch.ones_like(total), total)
    per_anchor = -(normalised * F.log_softmax(cls_logits, dim=-1)).sum(dim=-1)
    return per_anchor.mean()


def foreground_l1_loss(
    reg_pred: torch.Tensor,
    reg_target: torch.Tensor,
    keep_graph: bool = False,
    num_foreground: float | torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean absolute error of ``(r0, r1)`` over foreground anchors (target ``r1 >= -100``).

    Averages over the ``2 * N_fg`` numbers. With no foreground anchor the loss is 0:
    ``keep_graph=False`` (upstream) returns a constant, so the regressor gets no gradient at
    all and Adam skips it that step; ``keep_graph=True`` returns ``0 * sum(reg_pred)``, a zero
    gradient that keeps every parameter in the graph (DDP without ``find_unused_parameters``).

    ``num_foreground`` replaces this batch's ``N_fg`` as the divisor (the summed error is
    divided by ``2 * num_foreground``); DDP passes the mean count over ranks
    (:func:`mean_foreground_count_over_ranks`) so that averaged gradients are those of the
    global batch. A zero ``num_foreground`` means no rank has a foreground anchor.

    Shapes: ``reg_pred`` and ``reg_target`` are ``(..., 2)``.
    """
    foreground = reg_target[..., 1] >= FOREGROUND_MIN_R1
    if num_foreground is None:
        num_foreground = foreground.sum()
    if not bool(num_foreground > 0):
        return reg_pred.sum() * 0.0 if keep_graph else reg_pred.new_zeros(())
    error = (reg_pred[foreground] - reg_target[foreground]).abs().sum()
    return error / (2 * torch.as_tensor(num_foreground, dtype=error.dtype, device=error.device))


def mean_foreground_count_over_ranks(reg_target: torch.Tensor) -> torch.Tensor | None:
    """Foreground anchors per rank, averaged over the ranks of a DDP run; None in one process.

    OAT's regression loss is a mean over the foreground anchors of the batch. Under DDP each
    rank holds part of the global batch and the gradients are averaged, so each rank must
    divide by the global count / world size (as DETR does with ``num_boxes``), not by its own.
    Collective: every rank must call it at the same step.
    """
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return None
    count = (reg_target[..., 1] >= FOREGROUND_MIN_R1).sum().to(torch.float64)
    dist.all_reduce(count)
    return count / dist.get_world_size()
