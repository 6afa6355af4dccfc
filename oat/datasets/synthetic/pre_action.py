"""The pre-action phase: context before an action starts (approach, run-up, set-up).

In real video an action rarely begins from nothing: the high jumper runs up, the diver stands on
the board, the bowler starts his run. Online detectors exploit it to anticipate (docs/benchmark.md,
"Pre-action context"). The ``pre-action`` generator adds, before every instance ``[s, e]``, events
over ``[s - d, s)`` (``d`` from ``PreActionSpec.duration``, cut at the end of the previous instance
and at 0): a class vector that ramps up in ``ramp_pieces`` constant steps to ``strength`` times an
instance amplitude. The steps stay background in the labels. Every draw here comes from streams of
its own, so the rest of the latent process is the same as the ``plain`` generator's.
"""
from __future__ import annotations

import numpy as np

from oat.datasets.annotations import VideoAnnotation
from oat.datasets.synthetic.latent import Event, instance_amplitude, share_within_pairs, styled
from oat.datasets.synthetic.specs import LatentSpec


def build_pre_action_vectors(
    num_classes: int, pairs: list[tuple[int, int]], spec: LatentSpec, rng: np.random.Generator
) -> np.ndarray:
    """Unit-scale pre-action vectors ``(C, K_act)``; a confusable pair shares ``shared`` of them."""
    dims = spec.action_dims
    vectors = rng.standard_normal((num_classes, dims)) / np.sqrt(dims)
    share_within_pairs(vectors, pairs, spec.pre_action.shared,
                       lambda: rng.standard_normal(dims) / np.sqrt(dims))
    return vectors


def pre_action_span(video: VideoAnnotation, index: int, length: float) -> tuple[float, float]:
    """``[start, end)`` seconds of the context before segment ``index`` of ``video``.

    ``length`` before the segment's start, cut at 0 and at the latest end of another segment
    that ends at or before that start (overlapping or enclosing segments do not cut it).
    """
    start = video.segments[index].start
    ends = [s.end for k, s in enumerate(video.segments) if k != index and s.end <= start]
    return max(start - length, max(ends, default=0.0), 0.0), start


def pre_action_events(
    video: VideoAnnotation, vectors: np.ndarray, spec: LatentSpec, rng: np.random.Generator
) -> list[Event]:
    """Ramped context events before every segment of ``video`` (none when a span is empty)."""
    pre = spec.pre_action
    events = []
    for index, seg in enumerate(video.segments):
        length = float(pre.duration.sample(rng))
        amplitude = pre.strength * instance_amplitude(spec, rng)
        vector = amplitude * styled(vectors[seg.label], spec, rng)
        lo, hi = pre_action_span(video, index, length)
        if hi <= lo:
            continue
        edges = np.linspace(lo, hi, pre.ramp_pieces + 1)
        for k in range(pre.ramp_pieces):  # linear ramp: (k + 0.5) / pieces of the full vector
            scale = (k + 0.5) / pre.ramp_pieces
            events.append(Event(float(edges[k]), float(edges[k + 1]), scale * vector))
    return events
