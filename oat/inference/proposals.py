"""Containers shared by decoding, NMS and the post-processors.

A :class:`Proposals` holds K candidate segments of one video as parallel numpy arrays; a
:class:`TimeBase` converts one stream's step coordinates to seconds through
:mod:`oat.datasets.timebase` (OAT's per-video ``t * D / T``, oat-spec §1.4).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, NamedTuple, Sequence

import numpy as np

from oat.datasets.timebase import steps_to_seconds


class Detection(NamedTuple):
    """One emitted segment: seconds, class index (background excluded), probability."""

    start: float
    end: float
    label: int
    score: float
    emit_time: float


@dataclass(frozen=True)
class Proposals:
    """K segments of one video, as parallel arrays.

    ``starts``/``ends`` (K,) float64 (seconds, or steps where a caller works in steps),
    ``labels`` (K,) int64 action class index (background is never a label),
    ``scores`` (K,) float64 class probability, ``emit_times`` (K,) float64 generation time
    (the time of the newest feature when the proposal was made, same unit as the segment).
    """

    starts: np.ndarray
    ends: np.ndarray
    labels: np.ndarray
    scores: np.ndarray
    emit_times: np.ndarray

    @classmethod
    def empty(cls) -> "Proposals":
        """No proposals."""
        zeros = np.zeros(0, dtype=np.float64)
        return cls(zeros, zeros, np.zeros(0, dtype=np.int64), zeros, zeros)

    @classmethod
    def concat(cls, parts: Sequence["Proposals"]) -> "Proposals":
        """All proposals of ``parts``, in order."""
        parts = [part for part in parts if len(part)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate(arrays) for arrays in zip(*(p.columns() for p in parts))))

    def columns(self) -> tuple[np.ndarray, ...]:
        """The five arrays in field order."""
        return self.starts, self.ends, self.labels, self.scores, self.emit_times

    def take(self, index) -> "Proposals":
        """The proposals selected by an integer index array or a boolean mask, in that order."""
        return Proposals(*(column[index] for column in self.columns()))

    def __len__(self) -> int:
        return len(self.scores)

    def __iter__(self) -> Iterator[Detection]:
        for row in zip(*(column.tolist() for column in self.columns())):
            yield Detection(*row)


@dataclass(frozen=True)
class TimeBase:
    """How one stream's steps map to seconds: ``seconds = step * duration / num_steps``.

    For evaluation pass the video's ``num_steps`` (T) and annotated ``duration`` (D) so that
    times match OAT exactly; for a live stream of unknown length use :meth:`from_rate`.
    """

    num_steps: float
    duration: float

    def __post_init__(self) -> None:
        if not self.num_steps > 0 or not self.duration > 0:
            raise ValueError(
                f"TimeBase needs num_steps > 0 and duration > 0 seconds, "
                f"got num_steps={self.num_steps}, duration={self.duration}"
            )

    @classmethod
    def from_rate(cls, steps_per_second: float) -> "TimeBase":
        """A live stream producing ``steps_per_second`` feature vectors per second."""
        return cls(num_steps=steps_per_second, duration=1.0)

    @classmethod
    def identity(cls) -> "TimeBase":
        """Keep step units (``seconds == steps``): used where OAT works in steps (OSN data)."""
        return cls(num_steps=1, duration=1.0)

    def to_seconds(self, steps) -> np.ndarray:
        """Step coordinates -> seconds (float64), via :func:`oat.datasets.timebase`."""
        return steps_to_seconds(steps, self.num_steps, self.duration)
