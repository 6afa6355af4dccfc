"""CASS, anticipation and point heads, and the per-window targets they learn from."""
import numpy as np
import torch
from numpy.testing import assert_allclose, assert_array_equal
from torch.testing import assert_close

from oat.registry import MODELS
from onpoint_ext.heads import (
    AnchorPointHeads,
    AnticipationHead,
    anchor_point_targets,
    anticipation_target,
    teacher_cas_window,
)


def test_cass_head_gives_one_background_last_row_per_window_position():
    head = MODELS.build(dict(type="CASSHead", num_classes=3, embed_dim=8, hidden_dim=5))
    memory = torch.randn(2, 4, 8)
    logits = head(memory)
    assert logits.shape == (2, 4, 4)
    # per-position MLP: reversing the window reverses the output rows
    assert_close(head(memory.flip(1)), logits.flip(1))


def test_anticipation_head_reads_the_mean_of_the_window():
    head = AnticipationHead(num_classes=3, embed_dim=8, hidden_dim=5)
    memory = torch.randn(2, 4, 8)
    pooled = memory.mean(dim=1, keepdim=True).expand(-1, 6, -1)
    assert head(memory).shape == (2, 3)
    assert_close(head(memory), head(pooled))


def test_point_heads_give_class_logits_and_one_distance_per_anchor():
    heads = AnchorPointHeads(num_classes=3, embed_dim=8)
    cls_logits, distance = heads(torch.randn(2, 6, 8))
    assert cls_logits.shape == (2, 6, 4) and distance.shape == (2, 6)


def test_teacher_window_is_the_last_w_rows_ending_at_t():
    cas = np.arange(12, dtype=np.float32).reshape(6, 2)
    assert_array_equal(teacher_cas_window(cas, end_step=4, window=3), cas[2:5])


def test_teacher_window_pads_steps_before_the_video_start_with_background():
    cas = np.array([[0.9, 0.1], [0.2, 0.8]], dtype=np.float32)
    expected = np.array([[0.0, 1.0], [0.0, 1.0], [0.9, 0.1]], dtype=np.float32)
    assert_array_equal(teacher_cas_window(cas, end_step=0, window=3), expected)


def test_anticipation_target_marks_classes_above_half_in_the_next_w_prime_steps():
    cas = np.array(
        [
            [0.9, 0.0, 0.1],  # t (not in the future)
            [0.5, 0.2, 0.3],  # 0.5 does not exceed 0.5
            [0.1, 0.6, 0.3],
            [0.8, 0.0, 0.2],  # beyond W' = 2
        ],
        dtype=np.float32,
    )
    assert_array_equal(anticipation_target(cas, end_step=0, horizon=2), [0.0, 1.0])
    assert_array_equal(anticipation_target(cas, end_step=0, horizon=3), [1.0, 1.0])


def test_anticipation_target_treats_steps_past_the_video_end_as_background():
    cas = np.array([[0.1, 0.9, 0.0], [0.9, 0.0, 0.1]], dtype=np.float32)
    assert_array_equal(anticipation_target(cas, end_step=1, horizon=4), [0.0, 0.0])


def test_point_targets_pick_the_point_nearest_the_anchor_centre():
    # anchors 4 and 8; points at steps 7.0 (class 1) and 9.5 (class 0); C = 2
    cls, distance = anchor_point_targets(
        np.array([9.5, 7.0]), np.array([0, 1]), np.array([5, 10, 12]), (4, 8), num_classes=2
    )
    # t=5: [1,5] and [-3,5] hold no point; t=10: centres 8 and 6 -> point 7 both times;
    # t=12: centre 10 -> 9.5 (0.5 away), centre 8 -> 7 (1 away, vs 1.5)
    assert_array_equal(cls, [[2, 2], [1, 1], [0, 1]])
    assert_allclose(distance, [[0, 0], [1 / 4, 1 / 8], [0.5 / 4, 1 / 8]])


def test_point_targets_count_a_point_on_the_span_border_and_break_ties_by_time():
    cls, distance = anchor_point_targets(
        np.array([10.0, 6.0]), np.array([1, 0]), np.array([10]), (4,), num_classes=2
    )
    assert_array_equal(cls, [[0]])  # both 2 steps from centre 8: the earlier point wins
    assert_allclose(distance, [[0.5]])


def test_point_targets_without_points_are_all_background():
    cls, distance = anchor_point_targets(np.zeros(0), np.zeros(0), np.arange(3), (4, 8), 5)
    assert_array_equal(cls, np.full((3, 2), 5))
    assert_array_equal(distance, np.zeros((3, 2)))
