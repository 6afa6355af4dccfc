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

    def _select(self, action_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(anchor index, class index) pairs that pass the class rule, anchor-major order."""
        threshold = np.float32(self.threshold)
        if self.class_rule == "oat":
            return np.nonzero(action_probs > threshold)
        best = action_probs.argmax(axis=1)
        anchor_index = np.nonzero(action_probs[np.arange(len(best)), best] >= threshold)[0]
        return anchor_index, best[anchor_index]
