"""Forgetting old emitted segments (live streams): exact, bounded, and honest when it is not."""
import numpy as np
import pytest
import torch

from oat.inference import OATOSN, OnlineNMS, Proposals, SuppressNet
from oat.inference.nms import EmittedIndex

RATE = 2.5  # steps per second


def test_a_forgotten_segment_changes_no_answer_for_candidates_starting_after_it():
    index = EmittedIndex(threshold=0.3, floor=1.0, forget_after=3.0)
    index.add(0, 0.0, 2.0)
    index.add(0, 4.0, 6.0)
    index.add(1, 0.5, 2.5)
    assert index.step_to(4.9) == 0  # 4.9 - 3 = 1.9: nothing ended that early
    assert index.step_to(5.0) == 1 and len(index) == 2  # [0, 2] of class 0 goes
    assert not index.overlaps(0, 2.0, 3.0)  # starts at the frontier 2.0: exact answer
    assert index.overlaps(0, 4.5, 6.0) and index.overlaps(1, 1.0, 2.5)
    assert index.checks_before_frontier == 0


def test_a_candidate_reaching_before_the_frontier_is_counted():
    index = EmittedIndex(threshold=0.3, forget_after=1.0)
    index.add(0, 0.0, 2.0)
    index.step_to(10.0)
    # Kept, [0, 2] would suppress [1, 3] (tIoU 1/3 > 0.3); forgotten, it cannot: counted.
    assert not index.overlaps(0, 1.0, 3.0)
    assert index.checks_before_frontier == 1
    assert not index.overlaps(1, 1.0, 3.0)  # another class has no frontier
    assert index.checks_before_frontier == 1


def test_forgetting_needs_a_threshold_under_which_disjoint_segments_never_suppress():
    with pytest.raises(ValueError, match="threshold >= 0"):
        EmittedIndex(threshold=-0.1, forget_after=5.0)
    with pytest.raises(ValueError, match="forget_after"):
        EmittedIndex(threshold=0.3, forget_after=-1.0)


def random_step_proposals(rng: np.random.Generator, now: float) -> Proposals:
    """A few proposals of 3 classes, 0.5-6 s long, ending 3 s before to 1 s after ``now``."""
    count = int(rng.integers(0, 4))
    ends = now + rng.uniform(-3.0, 1.0, count)
    return Proposals(ends - rng.uniform(0.5, 6.0, count), ends, rng.integers(0, 3, count),
                     rng.uniform(0.1, 1.0, count), np.full(count, now))


@pytest.mark.parametrize("kind", ["onms", "osn"])
def test_forgetting_keeps_every_emission_of_a_long_stream_and_bounds_what_is_held(kind):
    def postprocessor(forget_after):
        if kind == "onms":
            return OnlineNMS(defer_future_ends=True, forget_after=forget_after)
        torch.manual_seed(5)
        return OATOSN(num_classes=3, network=SuppressNet(8), sup_threshold=0.0,
                      forget_after=forget_after)

    # candidates reach at most 9 s back, so forgetting after 10 s provably changes nothing
    keep_all, forgetting = postprocessor(None), postprocessor(10.0)
    rng = np.random.default_rng(7)
    kept, forgot = [], []
    for step in range(400):
        now = step / RATE
        proposals = random_step_proposals(rng, now)
        kept += list(keep_all.step(proposals, now))
        forgot += list(forgetting.step(proposals, now))
    assert forgot == kept and len(kept) > 50
    assert forgetting.emitted.checks_before_frontier == 0
    assert len(keep_all.emitted) == len(kept) and len(forgetting.emitted) < len(kept) // 4
