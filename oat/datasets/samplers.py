"""Training samplers: a fresh random subset of the windows in every epoch.

Why: a multi-seed experiment on 2 CPU cores pays for every window of every epoch. Drawing a
new ``fraction`` of the windows each epoch (a different subset per epoch, from the sampler's
seed and the epoch number) cuts a student's training time by ``1 / fraction`` while every
window stays reachable over the run. Whether that changes results more than their seed noise
is measured, not assumed (BENCHMARKS.md).
"""
from __future__ import annotations

import math
from collections.abc import Iterator

from mmengine.dataset import DefaultSampler

from oat.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class EpochSubsetSampler(DefaultSampler):
    """mmengine's shuffled ``DefaultSampler``, cut to the first ``fraction`` of each epoch.

    The epoch's permutation (seeded with ``seed + epoch``, as ``DefaultSampler`` does, so
    ``DistSamplerSeedHook`` makes every epoch differ) is split over ranks first and then each
    rank keeps its first ``ceil(fraction * num_samples)`` indices.
    """

    def __init__(self, dataset, fraction: float, shuffle: bool = True, seed: int | None = None,
                 round_up: bool = True):
        if not 0.0 < float(fraction) <= 1.0:
            raise ValueError(f"EpochSubsetSampler: fraction must be in (0, 1], got {fraction!r}")
        if not shuffle:  # taken so that it can replace a DefaultSampler(shuffle=True) entry
            raise ValueError("EpochSubsetSampler: shuffle=False would keep the same windows "
                             "every epoch; it always shuffles")
        super().__init__(dataset, shuffle=True, seed=seed, round_up=round_up)
        self.fraction = float(fraction)
        self.subset_size = math.ceil(self.fraction * self.num_samples)

    def __iter__(self) -> Iterator[int]:
        indices = list(super().__iter__())
        return iter(indices[: self.subset_size])

    def __len__(self) -> int:
        return self.subset_size
