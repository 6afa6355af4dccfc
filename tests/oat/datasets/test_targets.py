"""Anchor targets (oat-spec §2): worked examples, and the vectorised code vs a literal loop."""
import math

import numpy as np
import pytest

from oat.datasets.annotations import Segment
from oat.datasets.targets import anchor_targets, gt_steps_from_segments

ANCHORS = (4, 8, 16, 32, 48, 64)


def anchor_targets_reference(gt_steps, num_steps, anchors, num_classes, pos_threshold=0.5):
    """oat-spec §2.2-§2.6 followed literally, one step and one anchor at a time (slow)."""
    occupancy = np.zeros((num_steps, num_classes), dtype=np.int64)
    for g, (start, end, label) in enumerate(gt_steps):
        occupancy[max(math.floor(start), 0): math.floor(end) + 1, int(label)] = g + 1
    cls = np.zeros((num_steps, len(anchors), num_classes + 1), dtype=np.float32)
    reg = np.zeros((num_steps, len(anchors), 2), dtype=np.float32)
    for t in range(num_steps):
        for a, length in enumerate(anchors):
            cls[t, a, num_classes] = 1.0
            reg[t, a] = (0.0, -1000.0)
            candidates = []
            for row in range(t - length + 1, t + 1):
                for col in range(num_classes):
                    gid = occupancy[row, col] if row >= 0 else 0
                    if gid and gid not in candidates:
                        candidates.append(gid)
            anchor_start, anchor_end = t - length, t
            for gid in candidates:
                start, end, label = gt_steps[gid - 1]
                overlap = (min(anchor_end, end) - max(anchor_start, start)) / max(
                    max(anchor_end, end) - min(anchor_start, start), 1)
                rule1 = overlap >= pos_threshold
                rule2 = a == len(anchors) - 1 and start < anchor_start and end > t and t > start
                rule3 = a == 0 and anchor_start < start and end < t and end > anchor_start
                if rule1 or rule2 or rule3:
                    cls[t, a, int(label)] = 1.0
                    cls[t, a, num_classes] = 0.0
                    reg[t, a] = ((end - t) / length, math.log(max(1.0, end - start) / length))
    return cls, reg


def _targets_at(gt, t, num_steps=200, num_classes=3):
    cls, reg = anchor_targets(np.array(gt, dtype=float), num_steps, ANCHORS, num_classes)
    return cls[t], reg[t]


def test_worked_example_gt_0_12_at_step_11_matches_anchors_8_and_16_only():
    cls, reg = _targets_at([[0.0, 12.0, 1]], t=11)
    np.testing.assert_array_equal(cls[:, 1], [0, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(cls[:, 3], [1, 0, 0, 1, 1, 1])
    np.testing.assert_allclose(reg[0], [0.0, -1000.0])
    np.testing.assert_allclose(reg[1], [0.125, math.log(12 / 8)], rtol=1e-6)
    np.testing.assert_allclose(reg[2], [0.0625, math.log(12 / 16)], rtol=1e-6)
    np.testing.assert_allclose(reg[3], [0.0, -1000.0])


def test_worked_example_end_offset_is_negative_after_the_action_ended():
    _, reg = _targets_at([[0.0, 12.0, 1]], t=13)
    np.testing.assert_allclose(reg[1, 0], -0.125, rtol=1e-6)


def test_worked_example_short_gt_matches_smallest_anchor_only_once_contained():
    cls, reg = _targets_at([[30.2, 31.9, 0]], t=32)
    assert cls[0, 0] == 1 and cls[0, 3] == 0
    np.testing.assert_allclose(reg[0], [-0.025, math.log(1.7 / 4)], rtol=1e-5, atol=1e-6)
    cls, _ = _targets_at([[30.2, 31.9, 0]], t=31)
    np.testing.assert_array_equal(cls[:, 3], np.ones(6))


def test_worked_example_largest_anchor_regresses_to_a_future_end():
    cls, reg = _targets_at([[40.2, 150.7, 2]], t=110)
    assert cls[5, 2] == 1
    np.testing.assert_allclose(reg[5], [40.7 / 64, math.log(110.5 / 64)], rtol=1e-5)


def test_overlapping_cross_class_gts_give_multi_hot_and_the_later_candidate_regresses():
    # both first seen on row 11; a row is scanned by class, so the class-2 GT comes last and wins
    cls, reg = _targets_at([[10.0, 18.0, 2], [10.0, 19.0, 0]], t=18)
    np.testing.assert_array_equal(cls[1], [1, 0, 1, 0])
    np.testing.assert_allclose(reg[1], [0.0, 0.0], atol=1e-7)


def test_later_same_class_gt_hides_an_earlier_one_on_shared_rows():
    # GT 1 [10, 20) is fully overwritten by GT 2 [8, 22) of the same class: never a candidate
    gt = np.array([[10.0, 20.0, 0], [8.0, 30.0, 0]])
    cls, reg = anchor_targets(gt, 40, (12,), 1)
    _, reg_all = anchor_targets(gt, 40, (12,), 1, overwrite_same_class=False)
    # at t=20 anchor [8, 20] has ov 10/12 with GT 1 and 12/22 with GT 2; only GT 2 is visible
    assert cls[20, 0, 0] == 1
    np.testing.assert_allclose(reg[20, 0], [10 / 12, math.log(22 / 12)], rtol=1e-6)
    # without overwriting GT 1 is a candidate too, first seen after GT 2 (row 10 > 9): it wins
    np.testing.assert_allclose(reg_all[20, 0], [0.0, math.log(10 / 12)], rtol=1e-6)


def test_overwrite_flag_lets_a_hidden_gt_match_where_it_is_the_only_match():
    gt = np.array([[10.0, 14.0, 0], [4.0, 40.0, 0]])
    _, reg = anchor_targets(gt, 40, (4, 8), 1)
    _, reg_all = anchor_targets(gt, 40, (4, 8), 1, overwrite_same_class=False)
    np.testing.assert_allclose(reg[14, 0], [0.0, -1000.0])  # GT 1 hidden, GT 2 has ov 4/36
    np.testing.assert_allclose(reg_all[14, 0], [0.0, 0.0])  # GT 1 visible: ov 1, r = (0, ln 1)


def test_vectorised_targets_equal_the_literal_loop_on_random_videos():
    rng = np.random.default_rng(7)
    for video in range(25):
        num_steps = int(rng.integers(1, 150))
        num_classes = int(rng.integers(1, 4))
        count = int(rng.integers(0, 12))
        starts = rng.uniform(-1.0, num_steps + 5, count)
        lengths = np.where(rng.random(count) < 0.3, rng.uniform(0, 2, count),
                           rng.exponential(15, count))
        labels = rng.integers(0, num_classes, count)
        if count > 2:  # force exact same-class and cross-class duplicates
            starts[1], lengths[1], labels[1] = starts[0], lengths[0], labels[0]
            starts[2], lengths[2] = starts[0] + 0.5, lengths[0]
        if count > 3:  # a later short same-class GT punches a hole into GT 0
            starts[3], lengths[3], labels[3] = starts[0] + lengths[0] / 3, 1.0, labels[0]
        gt = np.stack([np.clip(starts, 0, None), np.clip(starts, 0, None) + lengths, labels], 1)
        anchors = (2, 4, 8, 12) if video % 2 else ANCHORS
        cls, reg = anchor_targets(gt, num_steps, anchors, num_classes)
        cls_ref, reg_ref = anchor_targets_reference(gt, num_steps, anchors, num_classes)
        np.testing.assert_array_equal(cls, cls_ref, err_msg=f"video {video}")
        np.testing.assert_allclose(reg, reg_ref, rtol=1e-6, atol=1e-6, err_msg=f"video {video}")


def test_video_without_gt_is_all_background():
    cls, reg = anchor_targets(np.zeros((0, 3)), 5, ANCHORS, 2)
    assert cls.shape == (5, 6, 3) and cls.dtype == np.float32 and reg.dtype == np.float32
    np.testing.assert_array_equal(cls[..., 2], 1)
    np.testing.assert_array_equal(reg[..., 1], -1000)


def test_gt_steps_from_segments_uses_the_per_video_step_rate():
    gt = gt_steps_from_segments([Segment(1.0, 3.0, 4), Segment(2.5, 10.0, 0)], 50, 10.0)
    np.testing.assert_allclose(gt, [[5.0, 15.0, 4], [12.5, 50.0, 0]])


@pytest.mark.parametrize(
    "gt, anchors, message",
    [([[5.0, 4.0, 0]], ANCHORS, "before start"), ([[1.0, 4.0, 3]], ANCHORS, "class"),
     ([[1.0, 4.0, 0]], (8, 4), "strictly increasing")],
)
def test_bad_input_is_rejected_with_a_message(gt, anchors, message):
    with pytest.raises(ValueError, match=message):
        anchor_targets(np.array(gt), 10, anchors, 3)
