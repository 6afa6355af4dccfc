"""Pseudo action/background seeds from the background score around the points (spec §1.3).

Every training step, on the detached background score ``b`` (T,) of one video and its point
matrix ``P`` (T, C): confident background (``b >= bkg_threshold``) between and around points
becomes background seeds; each point's label spreads to adjacent snippets while ``b`` stays
``<= act_threshold``. The seeds teach background vs action (``L_bkg``) and select the features
``L_proto`` and the prototype update use.
"""
from __future__ import annotations

import numpy as np


def select_seeds(background: np.ndarray, point_matrix: np.ndarray, act_threshold: float = 0.1,
                 bkg_threshold: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Action and background seeds of one video.

    Args:
        background: (T,) background probability ``b`` (detached).
        point_matrix: (T, C) multi-hot point labels on the same grid.

    Returns:
        act_seed (T, C) float32 multi-hot (contains ``point_matrix``), bkg_seed (T,) float32.
        A video without points gets no seeds at all.
    """
    background = np.asarray(background, dtype=np.float64)
    act_seed = np.array(point_matrix, dtype=np.float32, copy=True)
    bkg_seed = np.zeros(len(background), dtype=np.float32)
    points = np.flatnonzero(act_seed.max(axis=1) > 0) if act_seed.size else np.zeros(0, int)
    if len(points) == 0:
        return act_seed, bkg_seed
    num_steps = len(background)
    first, last = points[0], points[-1]
    if first > 0:
        confident = np.flatnonzero(background[:first] >= bkg_threshold)
        stop = confident[-1] if len(confident) else int(np.argmax(background[:first]))
        bkg_seed[: stop + 1] = 1
    for left, right in zip(points[:-1], points[1:]):
        if right - left <= 1:
            continue
        gap = background[left + 1 : right]
        confident = np.flatnonzero(gap >= bkg_threshold)
        if len(confident) >= 2:
            bkg_seed[left + 1 + confident[0] : left + 2 + confident[-1]] = 1
        else:
            bkg_seed[left + 1 + int(np.argmax(gap))] = 1
    if last < num_steps - 1:
        confident = np.flatnonzero(background[last + 1 :] >= bkg_threshold)
        begin = confident[0] if len(confident) else int(np.argmax(background[last + 1 :]))
        bkg_seed[last + 1 + begin :] = 1

    def expand(point: int, direction: int, limit: int) -> None:
        """Copy ``point``'s labels to neighbours in ``direction`` until ``limit`` (exclusive)."""
        step = point + direction
        while step != limit and background[step] <= act_threshold and not bkg_seed[step]:
            act_seed[step] = np.maximum(act_seed[step], point_matrix[point])
            step += direction

    expand(first, -1, -1)
    for left, right in zip(points[:-1], points[1:]):
        expand(left, +1, right)
        expand(right, -1, left)
    expand(last, +1, num_steps)
    return act_seed, bkg_seed
