"""Independent, reproducible random streams keyed by (seed, names).

Every random draw of the generator comes from a stream named after what it draws (``"world"``,
a video id, a view name), so that adding a video or a view never shifts the numbers of another,
and a rerun with the same seed gives the same arrays.
"""
from __future__ import annotations

import zlib

import numpy as np


def rng_for(seed: int, *keys: str | int) -> np.random.Generator:
    """A numpy Generator determined only by ``seed`` and the ``keys`` (strings or ints)."""
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    words = [int(seed)] + [zlib.crc32(str(key).encode("utf-8")) for key in keys]
    return np.random.default_rng(np.random.SeedSequence(words))
