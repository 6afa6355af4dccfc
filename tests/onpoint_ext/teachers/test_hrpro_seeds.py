"""Pseudo seeds from the background score (teachers-spec §1.3), on hand-built cases."""
import numpy as np
from numpy.testing import assert_array_equal

from onpoint_ext.teachers.hrpro.seeds import select_seeds


def _points(num_steps: int, hits: dict) -> np.ndarray:
    matrix = np.zeros((num_steps, 2), dtype=np.float32)
    for step, label in hits.items():
        matrix[step, label] = 1
    return matrix


def test_seeds_mark_confident_background_and_grow_points_over_low_background():
    background = np.array([0.97, 0.5, 0.05, 0.3, 0.05, 0.96, 0.3, 0.96, 0.05, 0.3, 0.05, 0.2])
    act, bkg = select_seeds(background, _points(12, {3: 0, 9: 1}))
    # before the first point: up to the last confident step; between: first..last confident
    # step; after the last point: no confident step, so from the argmax to the end
    assert_array_equal(bkg, [1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1])
    assert_array_equal(np.flatnonzero(act[:, 0]), [2, 3, 4])  # stops at b=0.5 and at a seed
    assert_array_equal(np.flatnonzero(act[:, 1]), [8, 9, 10])


def test_gap_with_fewer_than_two_confident_steps_marks_only_its_argmax():
    background = np.array([0.0, 0.5, 0.97, 0.6, 0.0])
    act, bkg = select_seeds(background, _points(5, {0: 0, 4: 1}))
    assert_array_equal(bkg, [0, 0, 1, 0, 0])
    assert_array_equal(act.sum(axis=0), [1, 1])  # b=0.5 and 0.6 block the expansion


def test_points_at_both_ends_leave_no_outer_region():
    act, bkg = select_seeds(np.array([0.0, 0.0, 0.0]), _points(3, {0: 1, 2: 1}))
    assert_array_equal(bkg, [0, 1, 0])  # the single gap step is its own argmax
    assert_array_equal(act[:, 1], [1, 0, 1])


def test_video_without_points_gets_no_seeds():
    act, bkg = select_seeds(np.full(4, 0.99), np.zeros((4, 2), dtype=np.float32))
    assert not act.any() and not bkg.any()
