"""HR-Pro stage-1 losses for one video (teachers-spec §1.4), as plain tensor functions.

All snippet losses work on the fused CAS ``A`` (T, C+1) probabilities, background LAST, with a
focal weight (gamma = 2) on the binary cross-entropy of every channel.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

_EPS = 1e-7


def focal_bce(probs: torch.Tensor, target: torch.Tensor, gamma: float = 2.0) -> torch.Tensor:
    """Element-wise ``phi(q, z) * BCE(q, z)``; ``phi = (1-q)^gamma`` if z = 1 else ``q^gamma``.

    probs, target: same shape, probabilities in [0, 1] (not logits).
    """
    probs = probs.clamp(_EPS, 1.0 - _EPS)
    weight = torch.where(target > 0, 1.0 - probs, probs).pow(gamma)
    return weight * F.binary_cross_entropy(probs, target, reduction="none")


def point_loss(cas: torch.Tensor, point_matrix: torch.Tensor) -> torch.Tensor:
    """``L_point``: focal BCE on the point snippets only, target ``[P, 0]``.

    cas: (T, C+1) fused CAS; point_matrix: (T, C) multi-hot. Normalised by the number of point
    snippets; 0 when the video has none.
    """
    mask = point_matrix.max(dim=1).values  # (T,) m_t
    target = torch.cat([point_matrix, torch.zeros_like(point_matrix[:, :1])], dim=1)
    per_step = focal_bce(cas, target).sum(dim=1)
    return (per_step * mask).sum() / mask.sum().clamp(min=1.0)


def background_loss(cas: torch.Tensor, bkg_seed: torch.Tensor) -> torch.Tensor:
    """``L_bkg``: focal BCE towards one-hot background on background seeds (T,); 0 if none."""
    target = torch.zeros_like(cas)
    target[:, -1] = 1.0
    per_step = focal_bce(cas, target).sum(dim=1)
    return (per_step * bkg_seed).sum() / bkg_seed.sum().clamp(min=1.0)


def video_loss(video_score: torch.Tensor, video_labels: torch.Tensor) -> torch.Tensor:
    """``L_vid``: mean over classes of BCE(s_c, y_c); both (C,), ``s`` probabilities."""
    return F.binary_cross_entropy(video_score.clamp(_EPS, 1.0 - _EPS), video_labels)


def prototype_loss(embedded: torch.Tensor, prototypes: torch.Tensor, act_seed: torch.Tensor,
                   bkg_seed: torch.Tensor, video_labels: torch.Tensor,
                   temperature: float = 0.1) -> torch.Tensor:
    """``L_proto``: contrast of seed features against the class prototypes (cosine, tau).

    For every class c of the video: ``a_k`` / ``g_k`` = mean of ``exp(cos(E_t, M_k) / tau)`` over
    the action seeds of c / the background seeds;
    ``l_c = 0.5 * -log(a_c / sum_k a_k) + 0.5 * -log(a_c / (a_c + g_c))``.
    ``L = sum_c l_c / (number of classes of the video)``; a class without action seeds adds 0.
    0 when the video has no background seed. Gradient reaches ``embedded`` only.

    Args:
        embedded: (T, E) embedded features; prototypes: (C, E) memory (detached here).
        act_seed: (T, C), bkg_seed: (T,), video_labels: (C,) all in {0, 1}.
    """
    zero = embedded.sum() * 0.0
    present = torch.nonzero(video_labels > 0).flatten()
    if bkg_seed.sum() == 0 or len(present) == 0:
        return zero
    logits = F.normalize(embedded, dim=1) @ F.normalize(prototypes.detach(), dim=1).t()
    logits = logits / temperature  # (T, C)
    bkg_steps = bkg_seed > 0
    log_g = torch.logsumexp(logits[bkg_steps], dim=0) - torch.log(bkg_steps.sum().float())
    total = zero
    for c in present.tolist():
        act_steps = act_seed[:, c] > 0
        if not act_steps.any():
            continue
        log_a = torch.logsumexp(logits[act_steps], dim=0) - torch.log(act_steps.sum().float())
        against_classes = torch.logsumexp(log_a, dim=0) - log_a[c]
        against_background = torch.logaddexp(log_a[c], log_g[c]) - log_a[c]
        total = total + 0.5 * against_classes + 0.5 * against_background
    return total / len(present)
