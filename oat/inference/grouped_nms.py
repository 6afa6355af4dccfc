"""Vectorised building blocks of online NMS over many streams at once.

- :func:`round_half_even` rounds a whole array exactly as Python's ``round(x, digits)`` does
  (MATR's text lines, quirk 14), without a Python call per value.
- :func:`greedy_keep` runs the greedy "an earlier kept segment removes every later one of
  its group that overlaps it by more than the threshold" walk for all groups together (a
  group is one (stream, class) pair): the class-wise in-step NMS and the in-step part of the
  emission check of :class:`~oat.inference.postprocessors.OnlineNMS` are both this walk.
Both give bit-identical results to the per-stream reference code (pinned by property tests).
"""
from __future__ import annotations

import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp split of a float64 into two 26-bit halves


def _two_product(a: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """``(p, e)`` with ``p = fl(a * b)`` and ``p + e == a * b`` exactly (Dekker, no FMA)."""
    p = a * b
    big = a * _SPLIT
    a_hi = big - (big - a)
    a_lo = a - a_hi
    big_b = b * _SPLIT
    b_hi = big_b - (big_b - b)
    b_lo = b - b_hi
    e = a_lo * b_lo - (((p - a_hi * b_hi) - a_lo * b_hi) - a_hi * b_lo)
    return p, e


def round_half_even(values: np.ndarray, digits: int) -> np.ndarray:
    """``[round(v, digits) for v in values]`` as a float64 array, vectorised and exact.

    Python rounds the EXACT binary value of ``v`` to ``digits`` decimals (half to even) and
    returns the double nearest to that decimal. Here ``v * 10**digits`` is formed exactly as
    ``p + e`` (two floats); ``rint(p)`` is the right integer ``k`` except when ``p`` lies
    exactly half-way, where the sign of the tiny remainder ``e`` decides. ``k / 10**digits``
    is then correctly rounded by IEEE division, i.e. Python's result. Values too large for
    this (``|v| * 10**digits >= 2**52``), infinities and NaNs go through Python's ``round``.
    """
    values = np.asarray(values, dtype=np.float64)
    scale = float(10**digits)
    with np.errstate(invalid="ignore", over="ignore"):
        p, e = _two_product(values, scale)
        k = np.rint(p)
        floor = np.floor(p)
        half = (p - floor) == 0.5
        k = np.where(half & (e > 0), floor + 1.0, k)
        k = np.where(half & (e < 0), floor, k)
        result = k / scale
    odd = ~(np.abs(values) * scale < 2.0**52)
    if odd.any():
        result[odd] = [round(value, digits) for value in values[odd].tolist()]
    return result


def pairwise_overlap(starts: np.ndarray, ends: np.ndarray, floor: float) -> np.ndarray:
    """``(..., M, M)`` hull-floored overlap of segments ``(..., M)`` with each other.

    Same operations as :func:`~oat.inference.nms.hull_overlap` (so the same bits).
    """
    s_a, s_b = starts[..., :, None], starts[..., None, :]
    e_a, e_b = ends[..., :, None], ends[..., None, :]
    inner = np.minimum(e_a, e_b) - np.maximum(s_a, s_b)
    hull = np.maximum(np.maximum(e_a, e_b) - np.minimum(s_a, s_b), floor)
    return inner / hull


def greedy_keep(groups: np.ndarray, alive: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                threshold: float, floor: float) -> np.ndarray:
    """Greedy walk over segments given in walking order; returns the (n,) kept mask.

    Walking the list in order, each segment that is still alive removes every LATER alive
    segment of its own group (``groups (n,)`` int) whose overlap with it is ``> threshold``.
    ``alive (n,)`` bool gives the segments allowed to start with (a dead one removes nothing).
    All groups advance together: one vectorised round per position within a group, so the
    Python loop runs ``max group size`` times, however many streams there are.
    """
    n = len(groups)
    kept = np.array(alive, dtype=bool, copy=True)
    if n < 2:
        return kept
    by_group = np.argsort(groups, kind="stable")  # walking order kept inside each group
    sorted_groups = groups[by_group]
    first = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    group_index = np.cumsum(first) - 1
    starts_at = np.flatnonzero(first)
    rank = np.arange(n) - starts_at[group_index]
    width = int(rank.max()) + 1
    if width == 1:
        return kept
    shape = (len(starts_at), width)
    pad_alive = np.zeros(shape, dtype=bool)
    pad_starts, pad_ends = np.zeros(shape), np.zeros(shape)
    pad_alive[group_index, rank] = kept[by_group]
    pad_starts[group_index, rank] = starts[by_group]
    pad_ends[group_index, rank] = ends[by_group]
    with np.errstate(invalid="ignore", divide="ignore"):
        removes = pairwise_overlap(pad_starts, pad_ends, floor) > threshold
    for position in range(width - 1):
        remover = pad_alive[:, position, None] & removes[:, position, position + 1 :]
        pad_alive[:, position + 1 :] &= ~remover
    kept[by_group] = pad_alive[group_index, rank]
    return kept
