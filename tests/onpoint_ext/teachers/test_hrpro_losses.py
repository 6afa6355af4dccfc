"""HR-Pro stage-1 losses and prototype memory on hand-computed cases."""
import math

import torch
from torch.testing import assert_close

from onpoint_ext.teachers.hrpro.losses import (
    background_loss, point_loss, prototype_loss, video_loss,
)
from onpoint_ext.teachers.hrpro.memory import PrototypeMemory

CAS = torch.tensor([[0.8, 0.1], [0.3, 0.6]], dtype=torch.float64)  # (T=2, C+1=2)


def test_point_loss_is_focal_bce_on_point_snippets_with_zero_background_target():
    points = torch.tensor([[1.0], [0.0]], dtype=torch.float64)
    expected = 0.2**2 * -math.log(0.8) + 0.1**2 * -math.log(0.9)  # step 0 only, N_p = 1
    assert_close(point_loss(CAS, points), torch.tensor(expected, dtype=torch.float64))


def test_background_loss_pushes_seeds_to_one_hot_background():
    seeds = torch.tensor([0.0, 1.0], dtype=torch.float64)
    expected = 0.3**2 * -math.log(0.7) + 0.4**2 * -math.log(0.6)
    assert_close(background_loss(CAS, seeds), torch.tensor(expected, dtype=torch.float64))
    assert background_loss(CAS, torch.zeros(2, dtype=torch.float64)) == 0


def test_video_loss_is_mean_bce_over_classes():
    loss = video_loss(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0]))
    assert_close(loss, torch.tensor((-math.log(0.9) - math.log(0.8)) / 2))


def test_prototype_loss_contrasts_classes_and_background():
    embedded = torch.tensor([[1.0, 0.0], [0.0, 2.0]], requires_grad=True)
    prototypes = torch.tensor([[3.0, 0.0], [0.0, 1.0]])
    act = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    bkg = torch.tensor([0.0, 1.0])
    # cos: E0 vs (M0, M1) = (1, 0); E1 (background) vs M0 = 0; tau = 1
    # a = (e, 1), g_0 = 1: l_0 = 0.5 * -log(e / (e + 1)) + 0.5 * -log(e / (e + 1))
    expected = math.log(1 + math.exp(-1))
    loss = prototype_loss(embedded, prototypes, act, bkg, torch.tensor([1.0, 0.0]), 1.0)
    assert_close(loss, torch.tensor(expected))
    loss.backward()
    assert embedded.grad is not None
    # a class of the video without action seeds adds 0 but counts in the normaliser
    both = prototype_loss(embedded, prototypes, act, bkg, torch.tensor([1.0, 1.0]), 1.0)
    assert_close(both, torch.tensor(expected / 2))
    assert prototype_loss(embedded, prototypes, act, torch.zeros(2), torch.tensor([1.0, 0.0])) == 0


def test_memory_update_moves_only_seeded_classes_by_ema():
    memory = PrototypeMemory(num_classes=2, embed_dim=2, momentum=0.5)
    memory.initialize(torch.tensor([[0.0, 0.0], [4.0, 4.0]]), torch.tensor([1, 2]))
    assert_close(memory.prototypes, torch.tensor([[0.0, 0.0], [2.0, 2.0]]))
    assert bool(memory.initialized)
    embedded = torch.tensor([[1.0, 1.0], [3.0, 3.0], [5.0, 5.0]])
    act = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    memory.update(embedded, act)
    assert_close(memory.prototypes, torch.tensor([[1.0, 1.0], [2.0, 2.0]]))
