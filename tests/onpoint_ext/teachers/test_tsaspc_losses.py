"""TSASPC's losses and label propagation on hand-computed cases."""
import math

import numpy as np
import torch
from numpy.testing import assert_array_equal
from torch.testing import assert_close

from onpoint_ext.teachers.tsaspc.losses import (
    IGNORE_INDEX, classification_loss, clustering_loss, confidence_loss, confidence_masks,
    smoothing_loss,
)
from onpoint_ext.teachers.tsaspc.propagation import propagate_intervals
from onpoint_ext.teachers.tsaspc.stamps import frame_targets

LN2 = math.log(2.0)


def test_classification_loss_averages_labelled_steps_and_sums_stages():
    # stage 1: uniform over 2 classes (CE ln 2 everywhere); stage 2: logits (ln 3, 0) -> p = .75
    logits = torch.zeros(2, 1, 2, 3)
    logits[1, 0, 0] = math.log(3.0)
    targets = torch.tensor([[0, IGNORE_INDEX, 1]])
    expected = LN2 + (-math.log(0.75) - math.log(0.25)) / 2
    assert_close(classification_loss(logits, targets), torch.tensor(expected))


def test_classification_loss_is_zero_without_labels():
    logits = torch.randn(3, 2, 4, 5, requires_grad=True)
    loss = classification_loss(logits, torch.full((2, 5), IGNORE_INDEX))
    loss.backward()
    assert loss.item() == 0.0 and logits.grad is not None


def test_smoothing_loss_truncates_at_16_and_counts_padding_in_the_mean():
    # 2 classes, 3 steps, third step padded. log p at step 0: (0, -20) approx; step 1: uniform
    logits = torch.tensor([[[[20.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]])  # (S=1, B=1, C=2, L=3)
    mask = torch.tensor([[1.0, 1.0, 0.0]])
    log_p = torch.log_softmax(logits[0, 0], dim=0)
    diff01 = (log_p[:, 1] - log_p[:, 0]) ** 2  # class 0: (ln .5 - ~0)^2, class 1: huge -> 16
    expected = (diff01.clamp(max=16.0).sum() + 0.0) / 4  # mean over C x (L-1) = 4 entries
    assert diff01[1] > 16
    assert_close(smoothing_loss(logits, mask), expected)


def test_smoothing_loss_does_not_push_the_previous_step():
    logits = torch.randn(1, 1, 3, 4, requires_grad=True)
    loss = smoothing_loss(logits, torch.ones(1, 4))
    (grad,) = torch.autograd.grad(loss, logits)
    # the last step is only ever the "current" step; step 0 only the detached "previous" one
    assert grad[..., 0].abs().sum() == 0 and grad[..., -1].abs().sum() > 0


def test_confidence_masks_mark_both_stamp_classes_between_stamps():
    left, right = confidence_masks(np.array([1, 3]), np.array([0, 2]), num_steps=5, num_outputs=3)
    assert_array_equal(left, [[0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert_array_equal(right, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0]])


def test_confidence_loss_penalises_a_rising_first_class_and_a_falling_second_class():
    # 2 classes, stamps at 0 (class 0) and 2 (class 1); log p of class 0 over 3 steps:
    # ln .5, ln .5 -> rises to ln .8 at step 2 ... build from probabilities directly
    p0 = torch.tensor([0.5, 0.8, 0.2])
    logits = torch.log(torch.stack([p0, 1 - p0]))[None, None]  # (1, 1, 2, 3)
    loss = confidence_loss(logits, [np.array([0, 2])], [np.array([0, 1])], [3])
    log_p0, log_p1 = torch.log(p0), torch.log(1 - p0)
    # left: class 0 over t = 0, 1: relu(log p0[t+1] - log p0[t]) -> only t = 0 rises
    left = (torch.relu(log_p0[1] - log_p0[0]) + torch.relu(log_p0[2] - log_p0[1])) / 2
    # right: class 1 over t = 0, 1: relu(log p1[t] - log p1[t+1]) -> only t = 0 falls
    right = (torch.relu(log_p1[0] - log_p1[1]) + torch.relu(log_p1[1] - log_p1[2])) / 2
    assert_close(loss, left + right)
    assert_close(loss.item(), (math.log(0.8 / 0.5) + math.log(0.5 / 0.2)) / 2)


def test_confidence_loss_skips_videos_with_one_stamp_and_sums_videos():
    logits = torch.randn(2, 2, 3, 6)
    one = confidence_loss(logits[:, :1], [np.array([1, 4])], [np.array([0, 2])], [6])
    both = confidence_loss(logits, [np.array([1, 4]), np.array([3])],
                           [np.array([0, 2]), np.array([1])], [6, 5])
    assert_close(both, one)


def test_clustering_loss_is_the_mean_distance_to_the_stamp_feature():
    # 2-D middle features, one video of 4 steps; normalised: e1, e1, e2, (e1+e2)/sqrt2
    middle = torch.tensor([[[1.0, 2.0, 0.0, 1.0], [0.0, 0.0, 3.0, 1.0]]])
    # stamp 0 at step 0 owns [0, 2); stamp 1 at step 2 owns [2, 4)
    loss = clustering_loss(middle, [np.array([[0, 2], [2, 4]])], [np.array([0, 2])])
    distance = math.sqrt((1 / math.sqrt(2)) ** 2 + (1 / math.sqrt(2) - 1) ** 2)
    assert_close(loss, torch.tensor(distance / 4))


def test_label_propagation_grows_segments_by_distance_to_segment_means():
    # middle (F=2, T=10): steps 0-4 point along e1, 5-9 along e2, except step 3 (e2) and
    # step 6 (e1) which stay ambiguous for their gaps
    directions = np.array([0, 0, 0, 1, 0, 1, 0, 1, 1, 1])
    middle = torch.zeros(2, 10)
    middle[directions, np.arange(10)] = 1.0
    intervals = np.array([[1, 2], [8, 9]])  # segments around stamps 1 and 8
    grown = propagate_intervals(middle, intervals)
    # segment 0 grows right over steps 2 (e1), stops at step 3 (closer to e2);
    # segment 1 grows left over 7 (e2), stops at 6 (e1); 3..6 stay unlabelled; ends reach 0, 10
    assert_array_equal(grown, [[0, 3], [7, 10]])
    assert_array_equal(intervals, [[1, 2], [8, 9]])  # input untouched


def test_label_propagation_lets_the_left_segment_take_ties_and_never_shrinks():
    middle = torch.ones(2, 6)  # every step equally close to both means
    grown = propagate_intervals(middle, np.array([[0, 2], [4, 6]]))
    assert_array_equal(grown, [[0, 4], [4, 6]])


def test_frame_targets_label_intervals_and_ignore_the_rest():
    targets = frame_targets(np.array([[0, 2], [3, 5]]), np.array([4, 1]), num_steps=6)
    assert_array_equal(targets, [4, 4, IGNORE_INDEX, 1, 1, IGNORE_INDEX])

