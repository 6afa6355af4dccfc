"""Positive proposals (spec §1.7), reliable proposals (§1.8) and soft-NMS, by hand."""
import math

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from onpoint_ext.teachers.hrpro.detections import soft_nms
from onpoint_ext.teachers.hrpro.proposals import (
    Proposals, outer_inner_contrast, positive_proposals, runs_of, upsample_twice,
)
from onpoint_ext.teachers.hrpro.ranking import merge_duplicates, reliable_proposals


def _proposals(rows) -> Proposals:
    """rows: (start, end, label, score)."""
    rows = np.array(rows, dtype=np.float64).reshape(-1, 4)
    return Proposals(rows[:, :2], rows[:, 2].astype(np.int64), rows[:, 3])


def test_upsampling_reads_half_steps_at_their_centres_and_holds_the_edges():
    # step values sit at step centres; half-steps at k + 0.25 and k + 0.75 interpolate them
    assert_allclose(upsample_twice(np.array([0.0, 1.0, 3.0])), [0, 0.25, 0.75, 1.5, 2.5, 3])
    assert_allclose(upsample_twice(np.array([2.0])), [2.0, 2.0])


def test_runs_are_maximal_and_inclusive():
    assert_array_equal(runs_of(np.array([False, True, True, False, True])), [[1, 2], [4, 4]])


def test_outer_inner_contrast_uses_quarter_length_margins():
    signal = np.array([0.0, 0.4, 1.0, 1.0, 1.0, 1.0, 0.2, 0.0])
    # run [2, 5], n = 4: outer = steps 1 and 6; run [0, 0]: both margins empty -> outer 0
    assert_allclose(outer_inner_contrast(signal, np.array([[2, 5], [0, 0]])), [0.7, 0.0])


def test_positive_proposals_union_all_thresholds_in_seconds():
    cas = np.array([[0.0, 0.9], [0.32, 0.2], [0.32, 0.2], [0.0, 0.9]])  # one class, 1 step/s
    proposals = positive_proposals(cas, [0], duration=4.0)
    assert len(proposals.scores) == 19  # one run per threshold, duplicates kept
    # up-sampled a = [0, .08, .24, .32, .32, .24, .08, 0] (half-steps read at their centres),
    # u = [.1, .275, .625, .8, .8, .625, .275, .1]
    runs = {(0.5, 3.5): 4, (1.0, 3.0): 12, (1.5, 2.5): 3}  # half-steps 1..6, 2..5, 3..4
    for (start, end), count in runs.items():
        assert np.all(proposals.segments == [start, end], axis=1).sum() == count
    middle = np.all(proposals.segments == [1.0, 3.0], axis=1)
    # a-thresholds zero the outer half-steps (contrast .28); u-thresholds keep raw a (.28 - .08)
    assert_allclose(np.sort(proposals.scores[middle]), [0.2] * 6 + [0.28] * 6)
    assert_allclose(proposals.scores[np.all(proposals.segments == [0.5, 3.5], axis=1)], 1.28 / 6)
    assert_allclose(proposals.scores[np.all(proposals.segments == [1.5, 2.5], axis=1)], 0.08)
    assert_array_equal(proposals.labels, 0)


def test_reliable_proposal_prefers_candidates_between_neighbouring_points():
    pp = _proposals([
        (1.0, 5.0, 0, 0.9), (2.0, 4.0, 0, 0.5), (0.0, 10.0, 0, 0.95),
        (6.0, 9.0, 1, 0.7), (19.0, 21.0, 1, -0.1),
    ])
    rp = reliable_proposals(pp, np.array([7.5, 3.0, 4.5, 20.0]), np.array([1, 0, 0, 1]))
    # 3.0: only [2, 4] lies between -1 and 4.5; 4.5: nothing lies between 3.0 and 7.5, so the
    # best containing one; 7.5: [6, 9]; 20.0: its only candidate has a score <= 0 -> no RP
    assert_allclose(rp.segments, [[0.0, 10.0], [2.0, 4.0], [6.0, 9.0]])
    assert_array_equal(rp.labels, [0, 0, 1])
    assert_allclose(rp.scores, [0.95, 0.5, 0.7])


def test_points_picking_the_same_proposal_yield_one_pseudo_segment():
    pp = _proposals([(0.0, 10.0, 0, 0.8), (0.0, 10.0, 0, 0.6), (0.0, 10.0, 1, 0.4)])
    rp = reliable_proposals(pp, np.array([2.0, 6.0]), np.array([0, 0]))
    assert_allclose(rp.segments, [[0.0, 10.0]])
    merged = merge_duplicates(pp)
    assert_array_equal(merged.labels, [0, 1])
    assert_allclose(merged.scores, [0.8, 0.4])


def test_soft_nms_decays_overlapping_scores_per_class():
    pp = _proposals([(0, 10, 0, 0.9), (0, 10, 0, 0.8), (20, 30, 0, 0.5), (5, 15, 0, 0.7),
                     (0, 10, 1, 0.6)])
    kept = soft_nms(pp, sigma=0.3)
    third = math.exp(-(1 / 3) ** 2 / 0.3)  # decay at tIoU 1/3
    expected = [0.9, 0.6, 0.5, 0.7 * third, 0.8 * math.exp(-1 / 0.3) * third]
    assert_allclose(kept.scores, expected)
    assert_array_equal(kept.labels, [0, 1, 0, 0, 0])
    assert len(soft_nms(pp, max_detections=2).scores) == 2
