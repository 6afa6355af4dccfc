"""OnPoint's loss functions on hand-computed cases."""
import math

import pytest
import torch
from torch.testing import assert_close

from onpoint_ext.losses import anticipation_loss, cass_loss, point_loss


def test_cass_loss_sums_channels_and_averages_positions_in_prob_space():
    logits = torch.zeros(1, 2, 2)  # sigmoid -> 0.5 everywhere
    teacher = torch.tensor([[[1.0, 0.0], [0.5, 0.5]]])
    # position 0: 0.25 + 0.25 = 0.5; position 1: 0 -> mean 0.25
    assert_close(cass_loss(logits, teacher), torch.tensor(0.25))


def test_cass_loss_averages_over_the_batch_too():
    logits = torch.zeros(2, 1, 1)
    teacher = torch.tensor([[[1.0]], [[0.5]]])  # 0.25 and 0 -> 0.125
    assert_close(cass_loss(logits, teacher), torch.tensor(0.125))


def test_cass_loss_in_logit_space_compares_logits_with_teacher_logits():
    logits = torch.tensor([[[0.0, 0.0]]])
    teacher = torch.tensor([[[0.5, 1.0 / (1.0 + math.exp(-1.0))]]])  # logits 0 and 1
    assert_close(cass_loss(logits, teacher, space="logit"), torch.tensor(1.0))


def test_cass_loss_in_logit_space_stays_finite_for_hard_teacher_values():
    loss = cass_loss(torch.zeros(1, 1, 2), torch.tensor([[[0.0, 1.0]]]), space="logit")
    assert torch.isfinite(loss)


def test_cass_loss_rejects_an_unknown_space_and_mismatched_shapes():
    with pytest.raises(ValueError, match="space"):
        cass_loss(torch.zeros(1, 1, 2), torch.zeros(1, 1, 2), space="softmax")
    with pytest.raises(ValueError, match="same shape"):
        cass_loss(torch.zeros(1, 2, 2), torch.zeros(1, 1, 2))


def test_anticipation_loss_sums_classes_and_averages_the_batch():
    logits = torch.tensor([[0.0, math.log(3.0)], [0.0, math.log(3.0)]])  # probs 0.5 and 0.75
    target = torch.tensor([[1.0, 1.0], [0.0, 0.0]])
    row0 = -math.log(0.5) - math.log(0.75)
    row1 = -math.log(0.5) - math.log(0.25)
    assert_close(anticipation_loss(logits, target), torch.tensor((row0 + row1) / 2))


def test_point_loss_is_cross_entropy_over_all_anchors_and_l1_over_positives():
    cls_logits = torch.zeros(1, 3, 3)  # C = 2, uniform -> CE = log 3 for every anchor
    cls_logits[0, 0] = torch.tensor([math.log(2.0), 0.0, 0.0])  # p(class 0) = 2/4
    distance = torch.tensor([[0.1, 0.4, 0.9]])
    cls_target = torch.tensor([[0, 1, 2]])  # anchor 2 is background
    distance_target = torch.tensor([[0.3, 0.1, 0.0]])
    loss_cls, loss_reg = point_loss(cls_logits, distance, cls_target, distance_target)
    assert_close(loss_cls, torch.tensor((-math.log(0.5) + 2 * math.log(3.0)) / 3))
    assert_close(loss_reg, torch.tensor((0.2 + 0.3) / 2))


def test_point_loss_without_positive_anchor_gives_zero_regression_that_keeps_the_graph():
    distance = torch.tensor([[0.3, 0.7]], requires_grad=True)
    background = torch.tensor([[2, 2]])
    _, loss_reg = point_loss(torch.zeros(1, 2, 3), distance, background, torch.zeros(1, 2))
    assert loss_reg.item() == 0.0
    loss_reg.backward()
    assert_close(distance.grad, torch.zeros(1, 2))
