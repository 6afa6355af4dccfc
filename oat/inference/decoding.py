"""Decode one step's anchor outputs into proposals (oat-spec §6.2, MATR's rule §8.1)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from oat.inference.proposals import Proposals, TimeBase

CLASS_RULES = ("oat", "matr")


@dataclass(frozen=True)
class ProposalDecoder:
    """Turns the anchor predictions of step ``t`` into proposals in seconds.

    For anchor ``a`` of length ``L_a`` steps with regression ``(r0, r1)``:
    ``end = t + L_a * r0``, ``length = L_a * exp(r1)``, ``start = end - length`` (steps,
    float32 arithmetic as upstream, quirk 16), then seconds via the stream's
    :class:`TimeBase` (float64). Nothing is clipped (quirk 5).

    Class rules (quirk 12):
    - ``"oat"``: every (anchor, action class) with probability ``> threshold`` (several
      classes per anchor allowed), anchor-major then class order;
    - ``"matr"``: per anchor only the argmax action class, kept if ``>= threshold``.

    Args:
        anchors: anchor lengths in steps, in the model's anchor order.
        threshold: probability threshold (compared in float32, as upstream).
        class_rule: ``"oat"`` or ``"matr"``.
    """

    anchors: Sequence[int]
    threshold: float = 0.1
    class_rule: str = "oat"

    def __post_init__(self) -> None:
        if self.class_rule not in CLASS_RULES:
            raise ValueError(f"class_rule must be one of {CLASS_RULES}, got {self.class_rule!r}")
        object.__setattr__(self, "anchors", tuple(int(length) for length in self.anchors))

    def __call__(
        self, probs: np.ndarray, reg: np.ndarray, step: int, timebase: TimeBase
    ) -> Proposals:
        """Proposals of one step.

        Args:
            probs: (A, C+1) float32 class probabilities (softmax done), background last.
            reg: (A, 2) float32 raw regression ``(r0, r1)``.
            step: index ``t`` of the newest feature in the window (0-based).
            timebase: converts steps to seconds for this stream.
        """
        if probs.shape[0] != len(self.anchors) or reg.shape != (len(self.anchors), 2):
            raise ValueError(
                f"decoding expects probs (A, C+1) and reg (A, 2) with A={len(self.anchors)}, "
                f"got {tuple(probs.shape)} and {tuple(reg.shape)}"
            )
        anchor_index, labels = self._select(probs[:, :-1])
        if len(labels) == 0:
            return Proposals.empty()
        lengths = np.asarray(self.anchors, dtype=np.float32)[anchor_index]
        offsets = reg[anchor_index].astype(np.float32, copy=False)
        ends = np.float32(step) + lengths * offsets[:, 0]
        starts = ends - lengths * np.exp(offsets[:, 1])
        emit_time = timebase.to_seconds(step)
        return Proposals(
            starts=timebase.to_seconds(starts),
            ends=timebase.to_seconds(ends),
            labels=labels.astype(np.int64),
            scores=probs[anchor_index, labels].astype(np.float64),
            emit_times=np.full(len(labels), emit_time, dtype=np.float64),
        )

    def decode_many(
        self, probs: np.ndarray, reg: np.ndarray, steps: np.ndarray, seconds_per_step: np.ndarray
    ) -> tuple[Proposals, np.ndarray]:
        """Proposals of one step of S streams at once (no Python loop over streams).

        Args:
            probs: (S, A, C+1) float32 probabilities; reg: (S, A, 2) float32 regression.
            steps: (S,) int step index ``t`` of each stream.
            seconds_per_step: (S,) float64 ``D / T`` of each stream's :class:`TimeBase`.

        Returns:
            (proposals, rows): all streams' proposals, stream-major and within a stream in
            exactly the order and bits of ``__call__``; ``rows (K,)`` is each one's stream row.
        """
        if probs.ndim != 3 or probs.shape[1] != len(self.anchors) or reg.shape != (
                *probs.shape[:2], 2):
            raise ValueError(
                f"decoding expects probs (S, A, C+1) and reg (S, A, 2) with A={len(self.anchors)},"
                f" got {tuple(probs.shape)} and {tuple(reg.shape)}"
            )
        rows, anchor_index, labels = self._select(probs[..., :-1])
        lengths = np.asarray(self.anchors, dtype=np.float32)[anchor_index]
        offsets = reg[rows, anchor_index].astype(np.float32, copy=False)
        ends = steps.astype(np.float32)[rows] + lengths * offsets[:, 0]
        starts = ends - lengths * np.exp(offsets[:, 1])
        scale = np.asarray(seconds_per_step, dtype=np.float64)
        emit_times = steps.astype(np.float64) * scale
        return Proposals(
            starts=starts.astype(np.float64) * scale[rows],
            ends=ends.astype(np.float64) * scale[rows],
            labels=labels.astype(np.int64),
            scores=probs[rows, anchor_index, labels].astype(np.float64),
            emit_times=emit_times[rows],
        ), rows

    def _select(self, action_probs: np.ndarray) -> tuple[np.ndarray, ...]:
        """Index arrays (leading axes..., anchor, class) of the pairs passing the class rule,
        in anchor-major order; ``action_probs`` is (..., A, C)."""
        threshold = np.float32(self.threshold)
        if self.class_rule == "oat":
            return np.nonzero(action_probs > threshold)
        best = action_probs.argmax(axis=-1)
        passing = np.take_along_axis(action_probs, best[..., None], axis=-1)[..., 0] >= threshold
        index = np.nonzero(passing)
        return (*index, best[index])
