"""OAT-OSN: score queue rules, SuppressNet gating, emitted-list checks (oat-spec §3.5, §6.3b)."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from oat.inference.osn import OATOSN
from oat.inference.proposals import Proposals
from oat.inference.suppressnet import SuppressNet, load_suppressnet


class FixedEmitProbability(SuppressNet):
    """A SuppressNet stand-in whose output is a fixed per-class probability."""

    def __init__(self, probabilities, queue_length=4):
        super().__init__(queue_length)
        self.probabilities = torch.tensor(probabilities)
        self.seen_queues = []

    def forward(self, queue):
        self.seen_queues.append(queue.clone())
        return self.probabilities.expand(queue.shape[0], -1)


def test_suppressnet_has_upstream_size_and_is_invariant_to_affine_rescaling_of_a_class_row():
    network = SuppressNet(64)
    assert sum(p.numel() for p in network.parameters()) == 8449
    queue = torch.rand(2, 64, 5)
    torch.testing.assert_close(network(queue), network(3.0 * queue + 1.0), rtol=1e-4, atol=1e-5)
    assert network(queue).shape == (2, 5)


def test_queue_keeps_the_lowest_score_when_two_survivors_share_a_class(kit):
    osn = OATOSN(num_classes=2, network=FixedEmitProbability([0.0, 0.0]))
    osn.step(kit.make_proposals((0, 1, 0, 0.9, 1), (5, 6, 0, 0.4, 1), (0, 1, 1, 0.3, 1)), now=1.0)
    assert_array_equal(osn.queue[-1], np.float32([0.4, 0.3]))
    highest = OATOSN(num_classes=2, network=FixedEmitProbability([0.0, 0.0]),
                     keep_last_written_score=False)
    highest.step(kit.make_proposals((0, 1, 0, 0.9, 1), (5, 6, 0, 0.4, 1)), now=1.0)
    assert_array_equal(highest.queue[-1], np.float32([0.9, 0.0]))


def test_queue_shifts_one_row_per_step_and_the_network_sees_the_updated_queue(kit):
    network = FixedEmitProbability([0.0, 0.0])
    osn = OATOSN(num_classes=2, network=network)
    osn.step(kit.make_proposals((0, 1, 1, 0.7, 1)), now=1.0)
    osn.step(Proposals.empty(), now=2.0)
    assert_array_equal(osn.queue, np.float32([[0, 0], [0, 0], [0, 0.7], [0, 0]]))
    assert_array_equal(network.seen_queues[0][0, -1].numpy(), np.float32([0, 0.7]))


def test_only_classes_whose_emit_probability_exceeds_the_threshold_emit(kit):
    osn = OATOSN(num_classes=2, network=FixedEmitProbability([0.05, 0.2]))
    emitted = osn.step(kit.make_proposals((0, 1, 0, 0.9, 1), (0, 1, 1, 0.8, 1)), now=1.0)
    assert kit.rows_of(emitted) == [(0.0, 1.0, 1, 0.8, 1.0)]


def test_a_survivor_overlapping_an_emitted_proposal_of_its_class_is_never_emitted(kit):
    osn = OATOSN(num_classes=1, network=FixedEmitProbability([0.9]))
    assert len(osn.step(kit.make_proposals((0, 10, 0, 0.5, 10)), now=10.0)) == 1
    emitted = osn.step(kit.make_proposals((1, 10, 0, 0.9, 11), (20, 30, 0, 0.6, 11)), now=11.0)
    assert kit.rows_of(emitted) == [(20.0, 30.0, 0, 0.6, 11.0)]
    osn.reset()
    assert len(osn.step(kit.make_proposals((1, 10, 0, 0.9, 11)), now=11.0)) == 1


def test_osn_loads_upstream_style_checkpoints_and_rejects_missing_files(tmp_path):
    network = SuppressNet(16)
    path = tmp_path / "ckp_best_suppress.pth.tar"
    torch.save({"epoch": 3, "state_dict": network.state_dict()}, path)
    loaded = load_suppressnet(str(path))
    assert loaded.queue_length == 16 and not loaded.training
    queue = torch.rand(1, 16, 3)
    torch.testing.assert_close(loaded(queue), network(queue))
    assert OATOSN(num_classes=3, checkpoint=str(path)).queue.shape == (16, 3)
    with pytest.raises(FileNotFoundError, match="missing.pth"):
        OATOSN(num_classes=3, checkpoint=str(tmp_path / "missing.pth"))
    with pytest.raises(ValueError, match="queue of 16 steps"):
        OATOSN(num_classes=3, checkpoint=str(path), queue_length=64)
