"""OAT losses (oat-spec §4) on hand-computed cases."""
import math

import torch
from torch.testing import assert_close

from oat.models.losses import foreground_l1_loss, soft_target_cross_entropy


def test_soft_target_cross_entropy_normalises_multi_hot_and_averages_all_anchors():
    logits = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, math.log(2.0)], [5.0, 1.0, 2.0]])
    target = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    # anchor 1: 0.5/0.5 target on uniform probs -> ln 3; anchor 2: p_bg = 2/4 -> ln 2;
    # anchor 3: all-zero target is left as is -> 0, but still counts in the mean
    expected = (math.log(3.0) + math.log(2.0) + 0.0) / 3
    assert_close(soft_target_cross_entropy(logits, target), torch.tensor(expected))


def test_soft_target_cross_entropy_accepts_batch_and_anchor_dims():
    logits = torch.zeros(2, 3, 4)
    target = torch.zeros(2, 3, 4)
    target[..., 3] = 1.0
    assert_close(soft_target_cross_entropy(logits, target), torch.tensor(math.log(4.0)))


def test_foreground_l1_uses_only_anchors_with_a_regression_target():
    pred = torch.tensor([[[1.0, 2.0], [5.0, 5.0], [0.0, -1.0]]])
    target = torch.tensor([[[0.5, 1.0], [0.0, -1000.0], [1.0, -100.0]]])
    # foreground: anchors 0 and 2 (r1 >= -100); |0.5| + |1| + |1| + |99| over 4 numbers
    assert_close(foreground_l1_loss(pred, target), torch.tensor((0.5 + 1 + 1 + 99) / 4))


def test_foreground_l1_is_a_constant_zero_without_foreground():
    pred = torch.ones(2, 6, 2, requires_grad=True)
    target = torch.zeros(2, 6, 2)
    target[..., 1] = -1000.0
    loss = foreground_l1_loss(pred, target)
    assert_close(loss, torch.tensor(0.0))
    assert not loss.requires_grad


def test_foreground_l1_can_keep_a_zero_gradient_graph_without_foreground():
    pred = torch.ones(1, 3, 2, requires_grad=True)
    target = torch.full((1, 3, 2), -1000.0)
    loss = foreground_l1_loss(pred, target, keep_graph=True)
    loss.backward()
    assert_close(loss.detach(), torch.tensor(0.0))
    assert_close(pred.grad, torch.zeros(1, 3, 2))


def test_foreground_l1_gradient_flows_to_foreground_predictions_only():
    pred = torch.zeros(1, 2, 2, requires_grad=True)
    target = torch.tensor([[[1.0, 1.0], [1.0, -1000.0]]])
    foreground_l1_loss(pred, target).backward()
    assert_close(pred.grad, torch.tensor([[[-0.5, -0.5], [0.0, 0.0]]]))


def test_foreground_l1_divides_by_a_given_foreground_count():
    pred = torch.tensor([[[1.0, 2.0], [0.0, 0.0]]])
    target = torch.tensor([[[0.0, 0.0], [0.0, -1000.0]]])
    # |1| + |2| summed over this batch's one foreground anchor, divided by 2 * 1.5
    assert_close(foreground_l1_loss(pred, target, num_foreground=1.5), torch.tensor(1.0))
    assert_close(foreground_l1_loss(pred, target, num_foreground=torch.tensor(0.0)),
                 torch.tensor(0.0))


def test_mean_foreground_count_is_none_in_a_single_process():
    from oat.models.losses import mean_foreground_count_over_ranks

    assert mean_foreground_count_over_ranks(torch.zeros(2, 3, 2)) is None
