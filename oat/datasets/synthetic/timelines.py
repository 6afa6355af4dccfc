"""Action timelines drawn from the distributions of a preset (real-dataset statistics).

A video is a renewal process in seconds: a lead-in, then instance, gap, instance, ... until the
next instance would pass the end of the video. Instance durations are log-normal around a
per-class median; gaps are log-normal with a heavy tail, scaled per video; companion rules add the
nested cross-class pairs of THUMOS. See ``specs.TimelineStats`` for the knobs.
"""
from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation
from oat.datasets.synthetic.specs import BenchmarkPreset
from oat.datasets.synthetic.seeding import rng_for

DECIMALS = 3  # annotation times are rounded to milliseconds


def video_ids(preset: BenchmarkPreset) -> list[tuple[str, str]]:
    """``(video_id, subset)`` of every generated video, train first, in a fixed order."""
    return [(f"video_{subset}_{i:05d}", subset)
            for subset, count in (("train", preset.num_train), ("test", preset.num_test))
            for i in range(count)]


def class_duration_medians(preset: BenchmarkPreset, seed: int) -> np.ndarray:
    """Per-class median instance duration (s), ``(C,)``.

    Evenly spaced normal quantiles of ``ln`` (spread ``class_duration_spread``) assigned to the
    classes in a seeded order, so the pooled median stays at the preset's median.
    """
    stats = preset.timeline
    num = len(preset.classes)
    quantiles = ndtri((np.arange(num) + 0.5) / num)
    order = rng_for(seed, "class-durations").permutation(num)
    return stats.instance_duration.median * np.exp(stats.class_duration_spread * quantiles[order])


def generate_timelines(preset: BenchmarkPreset, seed: int) -> AnnotationSet:
    """All videos of a preset (subsets ``train`` then ``test``), deterministic by ``seed``."""
    medians = class_duration_medians(preset, seed)
    main_weights = _main_class_weights(preset)
    videos = {}
    for video_id, subset in video_ids(preset):
        rng = rng_for(seed, "timeline", video_id)
        segments, duration = _video_segments(preset, medians, main_weights, rng)
        videos[video_id] = VideoAnnotation(video_id, subset, duration, preset.native_fps, segments)
    return AnnotationSet(list(preset.classes), videos, source=f"synthetic:{preset.name}:{seed}")


def _main_class_weights(preset: BenchmarkPreset) -> np.ndarray:
    """Class weights for drawing instances, minus what companion rules add to a class."""
    weights = np.asarray(preset.class_weights, dtype=np.float64)
    index = {name: k for k, name in enumerate(preset.classes)}
    adjusted = weights.copy()
    for rule in preset.companions:
        adjusted[index[rule.second]] -= rule.probability * weights[index[rule.first]]
    return np.maximum(adjusted, 0.05 * weights)


def _video_segments(preset, medians, main_weights, rng) -> tuple[list[Segment], float]:
    """Segments (sorted by start, rounded) and the duration of one video."""
    stats = preset.timeline
    median = stats.instance_duration.median
    duration = round(float(stats.video_duration.sample(rng)), DECIMALS)
    draw_class = _class_drawer(preset, main_weights, rng)
    gap_scale = float(np.exp(stats.video_rate_spread * rng.standard_normal()))
    cursor = float(stats.lead_in.sample(rng))
    if cursor > 0.5 * duration:  # short videos cannot have the long lead-ins of long ones
        cursor = float(rng.uniform(0.0, 0.5)) * duration
    raw: list[tuple[float, float, int]] = []
    while True:
        label = draw_class()
        length = float(stats.instance_duration.sample(rng, scale=medians[label] / median))
        if cursor + length > duration:
            if raw:
                break
            length = min(length, 0.5 * duration)  # every video holds at least one instance
            cursor = float(rng.uniform(0.0, duration - length))
        raw.append((cursor, cursor + length, label))
        raw.extend(_companions(preset, raw[-1], medians, rng))
        last_end = cursor + length
        if rng.random() < stats.adjacent_overlap:
            cursor = last_end - float(rng.uniform(0.0, 0.5)) * length
        else:
            cursor = max(end for _, end, _ in raw) + float(stats.gap.sample(rng, scale=gap_scale))
    return _finalise(raw, duration), duration


def _class_drawer(preset, main_weights, rng):
    """A function drawing the class of the next instance of one video."""
    stats = preset.timeline
    num = len(preset.classes)
    if stats.class_mixing == "dense":
        cdf = np.cumsum(main_weights * rng.gamma(stats.class_concentration, size=num))
        return lambda: min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")),
                           num - 1)
    if stats.class_mixing != "single":
        raise ValueError(f"preset {preset.name!r}: class_mixing {stats.class_mixing!r} is not "
                         "'single' or 'dense'")
    probs = main_weights / main_weights.sum()
    main = int(rng.choice(num, p=probs))
    if rng.random() >= stats.extra_class_probability or num == 1:
        return lambda: main
    others = probs.copy()
    others[main] = 0.0
    extra = int(rng.choice(num, p=others / others.sum()))
    return lambda: main if rng.random() < 0.7 else extra


def _companions(preset, instance, medians, rng) -> list[tuple[float, float, int]]:
    """Instances that companion rules attach to ``instance`` (start, end, label)."""
    start, end, label = instance
    name = preset.classes[label]
    sigma = preset.timeline.instance_duration.sigma
    added = []
    for rule in preset.companions:
        if rule.first != name or rng.random() >= rule.probability:
            continue
        second = preset.classes.index(rule.second)
        length = medians[second] * float(np.exp(sigma * rng.standard_normal()))
        added.append(_companion_interval(rule.mode, start, end, length, rng) + (second,))
    return added


def _companion_interval(mode: str, start, end, length, rng) -> tuple[float, float]:
    """Where a companion lies (see ``specs.Companion``).

    ``length`` is the companion's own drawn length; ``inside`` ignores it (the outer instance is
    the inner one extended on both sides).
    """
    first_length = end - start
    if mode == "inside":
        return (start - float(rng.uniform(0.1, 0.6)) * first_length,
                end + float(rng.uniform(0.1, 0.6)) * first_length)
    if mode == "follows":
        begin = end - float(rng.uniform(0.05, 0.8)) * first_length
        return begin, begin + length
    raise ValueError(f"companion mode {mode!r} is not 'inside' or 'follows'")


def _finalise(raw, duration) -> list[Segment]:
    """Clip to the video, round to milliseconds, drop empty ones, sort by (start, end, label)."""
    segments = set()
    for start, end, label in raw:
        start, end = round(max(start, 0.0), DECIMALS), round(min(end, duration), DECIMALS)
        if end > start:
            segments.add(Segment(start, end, int(label)))
    return sorted(segments, key=lambda s: (s.start, s.end, s.label))
