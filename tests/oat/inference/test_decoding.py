"""Decoding one step's anchor outputs into proposals (oat-spec §6.2, MATR §8.1)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from oat.inference.decoding import ProposalDecoder
from oat.inference.proposals import TimeBase

PROBS = np.array([[0.50, 0.15, 0.35],    # anchor 4: classes 0 and 1 pass "> 0.1"
                  [0.10, 0.05, 0.85]],   # anchor 8: class 0 is exactly 0.1
                 dtype=np.float32)
REG = np.array([[0.5, np.log(2.0)], [-0.25, 0.0]], dtype=np.float32)
HALF_SECOND_STEPS = TimeBase(num_steps=20, duration=10.0)  # 0.5 s per step


def test_oat_rule_keeps_every_class_strictly_above_threshold_with_hand_computed_segments():
    proposals = ProposalDecoder((4, 8))(PROBS, REG, step=10, timebase=HALF_SECOND_STEPS)
    # anchor 4: end = 10 + 4 * 0.5 = 12, length = 4 * 2 = 8, start = 4 steps -> [2, 6] s
    assert_allclose(proposals.starts, [2.0, 2.0], rtol=1e-6)
    assert_allclose(proposals.ends, [6.0, 6.0], rtol=1e-6)
    assert_array_equal(proposals.labels, [0, 1])
    assert_allclose(proposals.scores, [0.5, 0.15], rtol=1e-6)
    assert_array_equal(proposals.emit_times, [5.0, 5.0])  # t * D / T


def test_matr_rule_keeps_the_argmax_action_class_at_or_above_threshold():
    proposals = ProposalDecoder((4, 8), class_rule="matr")(PROBS, REG, 10, HALF_SECOND_STEPS)
    assert_array_equal(proposals.labels, [0, 0])
    # anchor 8: end = 10 - 8 * 0.25 = 8, length 8, start 0 -> [0, 4] s, p == 0.1 kept by ">="
    assert_allclose(proposals.starts, [2.0, 0.0], atol=1e-6)
    assert_allclose(proposals.ends, [6.0, 4.0], atol=1e-6)
    assert_allclose(proposals.scores, [0.5, np.float32(0.1)])


def test_step_arithmetic_is_float32_and_seconds_are_float64():
    reg = np.array([[0.1, 0.3]], dtype=np.float32)
    probs = np.array([[0.9, 0.1]], dtype=np.float32)
    proposals = ProposalDecoder((48,))(probs, reg, step=3, timebase=TimeBase(7, 3.3))
    end32 = np.float32(3) + np.float32(48) * np.float32(0.1)
    start32 = end32 - np.float32(48) * np.exp(np.float32(0.3))
    assert proposals.ends[0] == np.float64(end32) * (3.3 / 7)
    assert proposals.starts[0] == np.float64(start32) * (3.3 / 7)
    assert proposals.ends.dtype == np.float64


def test_no_class_above_threshold_gives_no_proposal():
    probs = np.array([[0.05, 0.05, 0.9]], dtype=np.float32)
    proposals = ProposalDecoder((4,))(probs, np.zeros((1, 2), np.float32), 0, TimeBase(1, 1.0))
    assert len(proposals) == 0


def test_wrong_anchor_count_is_rejected_with_shapes_in_the_message():
    with pytest.raises(ValueError, match="A=3"):
        ProposalDecoder((2, 4, 8))(PROBS, REG, 0, HALF_SECOND_STEPS)
