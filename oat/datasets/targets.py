"""Anchor classification and regression targets for every step of a video (oat-spec §2).

At step ``t`` the window ends at ``t`` and anchor ``a`` is the interval ``[t - L_a, t]`` (all
anchors end at the current step, lengths in steps). A GT instance is a *candidate* for
``(t, a)`` when its id is visible in rows ``t - L_a + 1 .. t`` of the occupancy map (§2.2),
and it *matches* when one of the three positive rules of §2.5 holds. Matching GTs set their
class in a multi-hot target (background last) and overwrite the regression target in
candidate order, so the last match wins (§2.6).

Everything is in continuous step coordinates (``seconds * T / duration``, see
:mod:`oat.datasets.timebase`); ``gt_steps_from_segments`` does that conversion.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from oat.datasets.annotations import Segment
from oat.datasets.timebase import seconds_to_steps

NO_REGRESSION_TARGET = -1000.0  # r1 of an anchor without a match ("no target", oat-spec §2.6)


def gt_steps_from_segments(
    segments: Sequence[Segment], num_steps: int, duration: float
) -> np.ndarray:
    """GT segments in seconds -> float64 ``(N, 3)`` rows ``[start, end, class]`` in steps."""
    if not segments:
        return np.zeros((0, 3), dtype=np.float64)
    bounds = seconds_to_steps([(s.start, s.end) for s in segments], num_steps, duration)
    labels = np.asarray([s.label for s in segments], dtype=np.float64)
    return np.concatenate([bounds, labels[:, None]], axis=1)


def anchor_targets(
    gt_steps: np.ndarray,
    num_steps: int,
    anchors: Sequence[int],
    num_classes: int,
    pos_threshold: float = 0.5,
    overwrite_same_class: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Targets of every anchor at every step of one video, vectorised over steps and GTs.

    Args:
        gt_steps: ``(N, 3)`` rows ``[start, end, class]``, start/end in steps (floats, end may
            lie past the video end), class in ``0..C-1``, in annotation-list order (the order
            decides overwriting and ties, as upstream).
        num_steps: ``T``, the number of feature steps of the video.
        anchors: anchor lengths in steps, strictly increasing positive integers (``A`` of them);
            the first is "the smallest" and the last "the largest" anchor of rules 2 and 3.
        num_classes: ``C`` (without background).
        pos_threshold: minimum hull-floored overlap of rule 1.
        overwrite_same_class: upstream behaviour (True): a later GT overwrites an earlier GT of
            the same class in the occupancy map, so the earlier one stops being a candidate
            on the shared rows. False: every GT is a candidate wherever its rows reach the
            window; ties in candidate order are then broken by annotation order.

    Returns:
        ``cls (T, A, C+1)`` float32 multi-hot targets, background last (one-hot background
        when nothing matches); ``reg (T, A, 2)`` float32 ``(r0, r1)`` with
        ``r0 = (end - t) / L`` and ``r1 = ln(max(1, length) / L)``, default
        ``(0, -1000)`` where nothing matches.
    """
    gt = _validated_gt(gt_steps, num_classes)
    lengths = _validated_anchors(anchors)
    if num_steps <= 0:
        raise ValueError(f"num_steps must be positive, got {num_steps}")
    cls = np.zeros((num_steps, len(lengths), num_classes + 1), dtype=np.float32)
    cls[:, :, num_classes] = 1.0
    reg = np.zeros((num_steps, len(lengths), 2), dtype=np.float32)
    reg[:, :, 1] = NO_REGRESSION_TARGET
    runs = _visible_runs(gt, num_steps, num_classes, overwrite_same_class)
    for index, length in enumerate(lengths):
        rules = _MatchRules(pos_threshold, smallest=index == 0, largest=index == len(lengths) - 1)
        _fill_anchor(cls[:, index], reg[:, index], gt, runs, int(length), rules)
    return cls, reg


def _validated_gt(gt_steps: np.ndarray, num_classes: int) -> np.ndarray:
    gt = np.asarray(gt_steps, dtype=np.float64)
    if gt.size == 0:
        return np.zeros((0, 3), dtype=np.float64)
    if gt.ndim != 2 or gt.shape[1] != 3:
        raise ValueError(f"gt_steps must have shape (N, 3) [start, end, class], got {gt.shape}")
    if not np.isfinite(gt).all():
        raise ValueError("gt_steps: start/end/class must be finite")
    if (gt[:, 1] < gt[:, 0]).any():
        row = int(np.argmax(gt[:, 1] < gt[:, 0]))
        raise ValueError(f"gt_steps row {row}: end {gt[row, 1]} is before start {gt[row, 0]}")
    labels = gt[:, 2]
    if ((labels != np.round(labels)) | (labels < 0) | (labels >= num_classes)).any():
        raise ValueError(f"gt_steps: class must be an integer in [0, {num_classes}), got "
                         f"{sorted(set(labels.tolist()))}")
    return gt


def _validated_anchors(anchors: Sequence[int]) -> np.ndarray:
    lengths = np.asarray(anchors, dtype=np.float64)
    valid = lengths.ndim == 1 and lengths.size > 0
    if not valid or (lengths != np.round(lengths)).any() or (lengths <= 0).any() or (
            np.diff(lengths) <= 0).any():
        raise ValueError(f"anchors must be strictly increasing positive integers, got {anchors}")
    return lengths.astype(np.int64)


def _visible_runs(
    gt: np.ndarray, num_steps: int, num_classes: int, overwrite_same_class: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximal row runs where a GT id is visible: ``(gt_index, first_row, last_row)`` arrays.

    Rows of GT ``g`` are ``floor(start) .. floor(end)``, clipped to ``[0, T)``. [our choice] a
    negative start is clipped at row 0 (upstream never sees one in its data).
    """
    first = np.clip(np.floor(gt[:, 0]), 0, None).astype(np.int64)
    last = np.minimum(np.floor(gt[:, 1]).astype(np.int64), num_steps - 1)
    if not overwrite_same_class:
        keep = np.flatnonzero(first <= last)
        return keep, first[keep], last[keep]
    occupancy = np.zeros((num_classes, num_steps + 1), dtype=np.int64)  # extra 0 column: separator
    for g in np.flatnonzero(first <= last):  # sequential: later same-class GTs overwrite (§2.2)
        occupancy[int(gt[g, 2]), first[g]: last[g] + 1] = g + 1
    flat = occupancy.ravel()
    changed = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    starts = np.concatenate([[0], changed])
    stops = np.concatenate([changed, [flat.size]]) - 1
    visible = flat[starts] != 0
    starts, stops = starts[visible], stops[visible]
    return flat[starts] - 1, starts % (num_steps + 1), stops % (num_steps + 1)


class _MatchRules(NamedTuple):
    """Which positive rules of oat-spec §2.5 apply to one anchor length."""

    pos_threshold: float  # rule 1: hull-floored overlap >= this
    smallest: bool  # rule 3: the anchor strictly contains the GT
    largest: bool  # rule 2: the GT strictly contains the anchor and is still running


def _fill_anchor(
    cls: np.ndarray,
    reg: np.ndarray,
    gt: np.ndarray,
    runs: tuple[np.ndarray, np.ndarray, np.ndarray],
    length: int,
    rules: _MatchRules,
) -> None:
    """Writes the targets of one anchor length into ``cls (T, C+1)`` and ``reg (T, 2)``."""
    run_gt, run_first, run_last = runs
    num_steps = len(cls)
    # every (run, t) with the run inside the window rows t-L+1 .. t
    t_stop = np.minimum(run_last + length - 1, num_steps - 1)
    counts = np.maximum(t_stop - run_first + 1, 0)
    owner = np.repeat(np.arange(len(run_gt)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    t = run_first[owner] + offsets
    g = run_gt[owner]
    first_seen = np.maximum(run_first[owner], t - length + 1)
    # a GT split into several runs: its candidate position is the earliest visible row
    order = np.lexsort((first_seen, g, t))
    t, g, first_seen = t[order], g[order], first_seen[order]
    first_of_pair = _is_first_of_group(t, g)
    t, g, first_seen = t[first_of_pair], g[first_of_pair], first_seen[first_of_pair]

    start, end, label = gt[g, 0], gt[g, 1], gt[g, 2].astype(np.int64)
    anchor_start = (t - length).astype(np.float64)
    overlap = (np.minimum(t, end) - np.maximum(anchor_start, start)) / np.maximum(
        np.maximum(t, end) - np.minimum(anchor_start, start), 1.0)
    matched = overlap >= rules.pos_threshold
    if rules.largest:
        matched |= (start < anchor_start) & (end > t) & (t > start)
    if rules.smallest:
        matched |= (anchor_start < start) & (end < t) & (end > anchor_start)
    t, g, first_seen, label = t[matched], g[matched], first_seen[matched], label[matched]
    cls[t, label] = 1.0
    cls[t, -1] = 0.0
    # candidate order: first row in the window, then class, then annotation order; last wins
    order = np.lexsort((g, label, first_seen, t))
    winner = order[_is_last_of_group(t[order])]
    t_win, g_win = t[winner], g[winner]
    reg[t_win, 0] = (gt[g_win, 1] - t_win) / length
    reg[t_win, 1] = np.log(np.maximum(gt[g_win, 1] - gt[g_win, 0], 1.0) / length)


def _key_changes(sorted_keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """``(n-1,)`` mask: element ``i+1`` starts a new run of equal key tuples (keys sorted)."""
    changed = np.zeros(max(len(sorted_keys[0]) - 1, 0), dtype=bool)
    for key in sorted_keys:
        changed |= key[1:] != key[:-1]
    return changed


def _is_first_of_group(*sorted_keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first element of each run of equal key tuples (keys sorted)."""
    return np.concatenate([np.ones(min(len(sorted_keys[0]), 1), bool), _key_changes(sorted_keys)])


def _is_last_of_group(*sorted_keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the last element of each run of equal key tuples (keys sorted)."""
    return np.concatenate([_key_changes(sorted_keys), np.ones(min(len(sorted_keys[0]), 1), bool)])
