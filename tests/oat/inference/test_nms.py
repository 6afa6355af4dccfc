"""Class-wise greedy NMS with the hull-floored overlap (oat-spec §6.3)."""
from numpy.testing import assert_allclose, assert_array_equal

from oat.inference.nms import EmittedIndex, classwise_nms, hull_overlap



def test_hull_overlap_is_iou_when_overlapping_negative_when_apart_and_floored():
    assert_allclose(hull_overlap(0.0, 2.0, [1.0, 2.5], [3.0, 3.5]), [1 / 3, -0.5 / 3.5])
    # hull 0.3 s is floored at 1: overlap 0.1 / 1
    assert_allclose(hull_overlap(0.0, 0.2, [0.1], [0.3]), [0.1])
    assert_allclose(hull_overlap(0.0, 0.2, [0.1], [0.3], floor=0.1), [0.1 / 0.3])


def test_nms_deletes_only_later_same_class_proposals_above_threshold(kit):
    proposals = kit.make_proposals(
        (0, 10, 0, 0.9, 0),   # kept
        (1, 10, 0, 0.8, 0),   # overlap 0.9 with #0 -> deleted
        (1, 10, 1, 0.7, 0),   # other class -> kept
        (5, 15, 0, 0.6, 0),   # overlap 5/15 = 0.333 > 0.3 -> deleted
        (7, 17, 0, 0.5, 0),   # overlap 3/17 with #0 -> kept
    )
    assert_array_equal(classwise_nms(proposals), [0, 2, 4])


def test_nms_keeps_an_overlap_of_exactly_threshold(kit):
    proposals = kit.make_proposals((0, 10, 0, 0.9, 0), (7, 10, 0, 0.8, 0))  # 3 / 10 == 0.3
    assert_array_equal(classwise_nms(proposals), [0, 1])


def test_a_deleted_proposal_deletes_nothing(kit):
    proposals = kit.make_proposals((0, 10, 0, 0.9, 0), (5, 15, 0, 0.8, 0), (10, 20, 0, 0.7, 0))
    assert_array_equal(classwise_nms(proposals), [0, 2])


def test_nms_output_is_best_score_first_and_ties_keep_input_order(kit):
    proposals = kit.make_proposals((0, 1, 0, 0.2, 0), (5, 6, 0, 0.7, 0), (9, 10, 0, 0.2, 0))
    assert_array_equal(classwise_nms(proposals), [1, 0, 2])


def test_emitted_index_checks_only_the_same_class_and_grows_past_its_capacity():
    index = EmittedIndex(threshold=0.3)
    for k in range(20):
        index.add(0, 10.0 * k, 10.0 * k + 5)
    assert index.overlaps(0, 190.0, 195.0)
    assert not index.overlaps(1, 190.0, 195.0)
    assert not index.overlaps(0, 196.0, 199.0)
