"""TSASPC's Pseudo-Label Ensembling: each clustering, the agreement rule, the intervals."""
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from onpoint_ext.teachers.tsaspc import ple
from onpoint_ext.teachers.tsaspc.ple_methods import (
    DistanceTable, constrained_k_medoids, energy_split, temporal_agglomerative,
)

METHODS = {"energy": energy_split, "kmedoids": constrained_k_medoids,
           "agglomerative": temporal_agglomerative}


def blocks(levels, lengths, dim: int = 2, noise: float = 0.05, seed: int = 0) -> np.ndarray:
    """(L, dim) piecewise-constant features: block k is ``levels[k]`` on every channel."""
    rng = np.random.default_rng(seed)
    values = np.repeat(np.asarray(levels, dtype=np.float64), lengths)
    return values[:, None] + rng.normal(0.0, noise, size=(len(values), dim))


@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_ple_method_finds_obvious_boundaries(method):
    # blocks [0, 6) [6, 10) [10, 18) [18, 22) at levels 0, 4, 0, 8; one stamp per block
    features = blocks([0.0, 4.0, 0.0, 8.0], [6, 4, 8, 4])
    owners = METHODS[method](features, np.array([2, 7, 15, 19]))
    assert_array_equal(owners, np.repeat([0, 1, 2, 3], [6, 4, 8, 4]))


@pytest.mark.parametrize("method", sorted(METHODS))
def test_each_ple_method_keeps_every_stamp_in_its_own_segment(method):
    # featureless video: nothing but the stamps decides; every stamp must still own itself
    features = np.zeros((12, 3))
    stamps = np.array([0, 1, 5, 11])
    owners = METHODS[method](features, stamps)
    assert_array_equal(owners[stamps], [0, 1, 2, 3])
    assert np.all(np.diff(owners) >= 0) and owners[0] == 0 and owners[-1] == 3


def test_agglomerative_never_merges_two_stamped_clusters():
    # constant features: all linkages tie, the earliest pair (0, 1) is forbidden
    owners = temporal_agglomerative(np.zeros((5, 1)), np.array([0, 1]))
    assert_array_equal(owners, [0, 1, 1, 1, 1])


def test_k_medoids_boundary_follows_the_moved_medoids():
    # 1-D: 0 0 0 0 | 10 10 10 with stamps at 1 and 3 (the second stamp sits in the first
    # block). Round 1: both boundaries cost 0 -> b = 2; segment 1 = frames 2..6, whose best
    # medoid is frame 4 (20 < 30). Round 2: b = 3 costs 10 < 20 for b = 2; nothing moves.
    features = np.array([[0.0], [0.0], [0.0], [0.0], [10.0], [10.0], [10.0]])
    owners = constrained_k_medoids(features, np.array([1, 3]))
    assert_array_equal(owners, [0, 0, 0, 1, 1, 1, 1])


def test_energy_split_averages_forward_and_backward_boundaries():
    # x = 1 3 2 0 3 2, stamps 1 and 4, candidates b = 2, 3, 4.
    # forward (left centre from frame 0): costs 4.33, 4.0, 3.5 -> b = 4
    #   e.g. b = 4: centre mean(1, 3, 2, 0) = 1.5 -> |3-1.5| + |2-1.5| + |0-1.5| = 3.5, right 0
    # backward (right centre up to the end): costs 3.25, 4.0, 3.83 -> b = 2
    #   e.g. b = 2: left 0; centre mean(2, 0, 3, 2) = 1.75 -> .25 + 1.75 + 1.25 = 3.25
    # boundary = (4 + 2) // 2 = 3
    features = np.array([1.0, 3.0, 2.0, 0.0, 3.0, 2.0])[:, None]
    owners = energy_split(features, np.array([1, 4]))
    assert_array_equal(owners, [0, 0, 0, 1, 1, 1])


def test_distance_table_block_sums_match_direct_sums():
    features = np.random.default_rng(1).normal(size=(9, 3))
    distances = np.linalg.norm(features[:, None] - features[None], axis=2)
    table = DistanceTable(features)
    np.testing.assert_allclose(table.block(2, 5, 4, 9), distances[2:5, 4:9].sum())
    np.testing.assert_allclose(table.row_prefix(np.array([3, 7]), np.array([6, 2])),
                               [distances[3, :6].sum(), distances[7, :2].sum()])


def test_ensemble_labels_only_frames_where_both_streams_agree():
    # rgb half changes at frame 5, flow half at frame 7: frames 5 and 6 stay unlabelled
    rgb = blocks([0.0, 6.0], [5, 7], seed=1)
    flow = blocks([0.0, 6.0], [7, 5], seed=2)
    stamps = np.array([2, 9])
    owners = ple.ensemble_owners(np.concatenate([rgb, flow], axis=1), stamps, num_streams=2)
    assert_array_equal(owners, [0] * 5 + [-1, -1] + [1] * 5)
    intervals = ple.owners_to_intervals(owners, len(stamps))
    assert_array_equal(intervals, [[0, 5], [7, 12]])


def test_ensemble_needs_every_method_to_agree(monkeypatch):
    canned = {"energy": np.array([0, 0, 0, 1, 1, 1]), "kmedoids": np.array([0, 0, 1, 1, 1, 1]),
              "agglomerative": np.array([0, 0, 0, 0, 1, 1])}
    monkeypatch.setattr(ple, "method_owners", lambda features, stamps, method, *a: canned[method])
    owners = ple.ensemble_owners(np.zeros((6, 2)), np.array([0, 5]), num_streams=1)
    assert_array_equal(owners, [0, 0, -1, -1, 1, 1])
    two = ple.ensemble_owners(np.zeros((6, 2)), np.array([0, 5]), num_streams=1,
                              methods=("energy", "agglomerative"))
    assert_array_equal(two, [0, 0, 0, -1, 1, 1])


def test_adjacent_same_class_stamps_keep_separate_intervals():
    # two stamps in one homogeneous block: agreement is on the owning stamp, so the result is
    # two intervals, never one merged run
    features = blocks([1.0], [10], dim=2, seed=3)
    intervals = ple.pseudo_label_intervals(features, np.array([2, 7]), num_streams=1)
    assert intervals.shape == (2, 2)
    assert intervals[0, 0] == 0 and intervals[1, 1] == 10
    assert intervals[0, 0] <= 2 < intervals[0, 1] <= intervals[1, 0] <= 7 < intervals[1, 1]


def test_intervals_reject_a_stamp_without_one_run():
    with pytest.raises(ValueError, match="stamp 1"):
        ple.owners_to_intervals(np.array([0, 1, -1, 1]), 2)


def test_stream_split_must_be_even():
    with pytest.raises(ValueError, match="7 feature channels into 2"):
        ple.stream_slices(7, 2)


def test_no_stamps_leaves_every_frame_unlabelled():
    owners = ple.ensemble_owners(np.zeros((4, 2)), np.zeros(0, dtype=np.int64))
    assert_array_equal(owners, [-1, -1, -1, -1])
