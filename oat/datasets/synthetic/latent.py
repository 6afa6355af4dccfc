"""The shared latent process of one video, defined in continuous time (seconds).

Both feature views (student and teacher) are projections of this one process, rendered on their
own step grids, so the teacher-to-student resampling of the pipeline is exercised on real
misalignment (a 0.64 s teacher chunk covers 3.2 student steps).

The latent state has two parts:

- background ``h_bg(t) (K_bg,)``: a per-video offset (the scene) plus a slow Ornstein-Uhlenbeck
  drift (correlation time ``drift_tau``), both continuous in time;
- action ``h_act(t) (K_act,)``: a sum of events. Every action instance contributes an onset,
  a body and an offset phase, each a constant vector over its time span; every distractor
  contributes an onset phase only. ``h_act`` is 0 in the background.

Class phase vectors (:class:`ClassPhases`) make the task honestly hard: confusable classes share
their onset vector and part of their body, so past-only evidence at an onset cannot tell them
apart, and the class-specific offset shows only when the action ends. Each instance scales its
vectors (amplitude) and adds its own style, so no two instances look the same.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oat.datasets.annotations import VideoAnnotation
from oat.datasets.synthetic.noise import ar1_noise
from oat.datasets.synthetic.specs import LatentSpec
from oat.datasets.timebase import steps_to_seconds

DRIFT_GRID_SECONDS = 1.0  # the drift is drawn on this grid and interpolated (it is slow)
DISTRACTOR_MARGIN_SECONDS = 1.0  # distractors keep this far from any action instance


@dataclass(frozen=True)
class ClassPhases:
    """Unit-scale phase vectors per class, each ``(C, K_act)``; the same for every video."""

    onset: np.ndarray
    body: np.ndarray
    offset: np.ndarray


@dataclass(frozen=True)
class Event:
    """One constant latent vector ``(K_act,)`` over ``[start, end)`` seconds."""

    start: float
    end: float
    vector: np.ndarray


@dataclass(frozen=True)
class VideoLatent:
    """Everything random about one video's latent process (render with :func:`render_latent`)."""

    duration: float
    events: tuple[Event, ...]
    offset: np.ndarray  # (K_bg,)
    drift: np.ndarray  # (M, K_bg), on the grid 0, 1, 2, ... seconds
    action_dims: int


def build_class_phases(
    num_classes: int, pairs: list[tuple[int, int]], spec: LatentSpec, rng: np.random.Generator
) -> ClassPhases:
    """Random phase vectors; classes of a confusable pair share onset and ``shared_body``.

    ``pairs`` holds class-index pairs; a class may be in at most one pair.
    """
    dims = spec.action_dims

    def unit(n: int) -> np.ndarray:
        return rng.standard_normal((n, dims)) / np.sqrt(dims)

    onset, body, offset = unit(num_classes), unit(num_classes), unit(num_classes)
    paired: set[int] = set()
    for a, b in pairs:
        if {a, b} & paired or a == b:
            raise ValueError(f"confusable pairs must be disjoint, class {a} or {b} repeats")
        paired |= {a, b}
        onset[b] = onset[a]
    share_within_pairs(body, pairs, spec.shared_body, lambda: unit(1)[0])
    return ClassPhases(onset, body, offset)


def share_within_pairs(vectors: np.ndarray, pairs, fraction: float, draw_common) -> None:
    """In place on ``vectors (C, K)``: both classes of a pair get ``fraction`` of their variance
    from one common vector (``draw_common()``, drawn per pair in order)."""
    for a, b in pairs:
        common = draw_common()
        for k in (a, b):
            vectors[k] = np.sqrt(fraction) * common + np.sqrt(1 - fraction) * vectors[k]


def phase_spans(start: float, end: float, spec: LatentSpec) -> list[tuple[str, float, float]]:
    """``(phase, start, end)`` of an instance: onset and offset of equal length, body between.

    Phase length = ``phase_fraction`` of the instance within ``[phase_min, phase_max]`` s, and
    at most half of it (a short instance is onset then offset, with no body).
    """
    length = end - start
    edge = min(max(spec.phase_fraction * length, spec.phase_min), spec.phase_max, 0.5 * length)
    spans = [("onset", start, start + edge), ("body", start + edge, end - edge),
             ("offset", end - edge, end)]
    return [s for s in spans if s[2] > s[1]]


def sample_video_latent(
    video: VideoAnnotation, phases: ClassPhases, spec: LatentSpec, rng: np.random.Generator
) -> VideoLatent:
    """Draw one video's events, distractors, scene offset and drift."""
    events = []
    for seg in video.segments:
        amplitude = instance_amplitude(spec, rng)
        for name, start, end in phase_spans(seg.start, seg.end, spec):
            vector = amplitude * styled(getattr(phases, name)[seg.label], spec, rng)
            events.append(Event(start, end, vector))
    events.extend(_distractors(video, phases, spec, rng))
    offset = spec.offset_scale * rng.standard_normal(spec.background_dims)
    num_grid = int(np.ceil(video.duration / DRIFT_GRID_SECONDS)) + 2
    phi = np.exp(-DRIFT_GRID_SECONDS / spec.drift_tau)
    drift = spec.drift_scale * ar1_noise(rng, num_grid, spec.background_dims, phi)
    return VideoLatent(video.duration, tuple(events), offset, drift, spec.action_dims)


def render_latent(latent: VideoLatent, num_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The latent state averaged over each step's chunk: ``h_bg (T, K_bg)``, ``h_act (T, K_act)``.

    Step ``k`` covers ``[k, k+1) * duration / T`` seconds (oat-spec §1.4). An event covering a
    fraction of a chunk contributes that fraction of its vector.
    """
    edges = steps_to_seconds(np.arange(num_steps + 1), num_steps, latent.duration)
    width = latent.duration / num_steps
    h_act = np.zeros((num_steps, latent.action_dims))
    for event in latent.events:
        first = max(int(event.start / width), 0)
        last = min(int(np.ceil(event.end / width)), num_steps)
        if last <= first:
            continue
        lo, hi = edges[first:last], edges[first + 1:last + 1]
        cover = (np.minimum(hi, event.end) - np.maximum(lo, event.start)) / width
        h_act[first:last] += np.minimum(np.maximum(cover, 0.0), 1.0)[:, None] * event.vector
    centres = 0.5 * (edges[:-1] + edges[1:])
    grid = np.arange(latent.drift.shape[0]) * DRIFT_GRID_SECONDS
    drift = np.stack([np.interp(centres, grid, col) for col in latent.drift.T], axis=1)
    return latent.offset + drift, h_act


def instance_amplitude(spec: LatentSpec, rng: np.random.Generator) -> float:
    """One instance's overall strength, log-normal around ``action_scale``."""
    return spec.action_scale * float(np.exp(spec.instance_amplitude_sigma * rng.standard_normal()))


def styled(prototype: np.ndarray, spec: LatentSpec, rng: np.random.Generator) -> np.ndarray:
    """The class vector plus this instance's own style (same scale as the prototype)."""
    style = rng.standard_normal(prototype.shape[0]) / np.sqrt(prototype.shape[0])
    return prototype + spec.instance_style * style


def _distractors(video, phases, spec, rng) -> list[Event]:
    """Onset-only events in the background: they look like an action start, and stop there.

    Their class is one of the video's classes 80% of the time (the confusing case).
    """
    count = rng.poisson(spec.distractor_rate * max(len(video.segments), 1))
    own = sorted({s.label for s in video.segments})
    num_classes = phases.onset.shape[0]
    taken = [(s.start - DISTRACTOR_MARGIN_SECONDS, s.end + DISTRACTOR_MARGIN_SECONDS)
             for s in video.segments]
    events = []
    for _ in range(count):
        length = float(rng.uniform(spec.phase_min, spec.phase_max))
        if own and rng.random() < 0.8:
            label = int(rng.choice(own))
        else:
            label = int(rng.integers(num_classes))
        start = float(rng.uniform(0.0, max(video.duration - length, 0.0)))
        if any(start < b and start + length > a for a, b in taken):
            continue  # fell on (or next to) an action: dropped
        vector = instance_amplitude(spec, rng) * styled(phases.onset[label], spec, rng)
        events.append(Event(start, start + length, vector))
        margin = DISTRACTOR_MARGIN_SECONDS
        taken.append((start - margin, start + length + margin))
    return events


