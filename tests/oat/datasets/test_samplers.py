"""EpochSubsetSampler: a new random fraction of the training windows every epoch."""
import pytest
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from oat.datasets.samplers import EpochSubsetSampler


def test_each_epoch_draws_a_different_subset_of_the_requested_size():
    sampler = EpochSubsetSampler(list(range(100)), fraction=0.25, seed=3)
    epochs = []
    for epoch in range(4):
        sampler.set_epoch(epoch)
        epochs.append(list(sampler))
    assert [len(e) for e in epochs] == [25] * 4 and len(sampler) == 25
    assert all(len(set(e)) == 25 for e in epochs)
    assert len({tuple(e) for e in epochs}) == 4
    assert set().union(*map(set, epochs)) < set(range(100))


def test_the_subsets_follow_the_seed():
    first, again, other = (EpochSubsetSampler(list(range(50)), 0.5, seed=s) for s in (1, 1, 2))
    assert list(first) == list(again) != list(other)


def test_fraction_one_is_the_whole_shuffled_epoch():
    sampler = EpochSubsetSampler(list(range(30)), fraction=1.0, seed=0)
    assert sorted(sampler) == list(range(30))


@pytest.mark.parametrize("fraction", [0.0, -0.5, 1.5])
def test_a_fraction_outside_zero_to_one_is_refused(fraction):
    with pytest.raises(ValueError, match="fraction must be in"):
        EpochSubsetSampler(list(range(10)), fraction=fraction)


def test_an_unshuffled_subset_is_refused():
    with pytest.raises(ValueError, match="always shuffles"):
        EpochSubsetSampler(list(range(10)), fraction=0.5, shuffle=False)


def test_a_config_selects_it_through_the_oat_registry():
    init_default_scope("oat")
    loader = Runner.build_dataloader(dict(
        batch_size=4, dataset=list(range(40)), collate_fn=dict(type="default_collate"),
        sampler=dict(type="EpochSubsetSampler", fraction=0.5, shuffle=True)), seed=0)
    assert isinstance(loader.sampler, EpochSubsetSampler) and len(loader) == 5
