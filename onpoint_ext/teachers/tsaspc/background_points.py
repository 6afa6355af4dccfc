"""Background timestamps for TSASPC: one labelled point per background gap (teachers-spec §2.8).

TSASPC assumes a timestamp in every segment, background included, but OnPoint's points are
action-only. [our choice, spec §2.8] We simulate an annotator who also clicks once in every
background gap: the same Gaussian rule as the action points (centre of the gap, sigma = gap / 6,
clipped to the gap), seeded. Like ``oat.datasets.points.sample_gaussian_points`` this is a
*labelling* step that reads the ground truth once and writes a points CSV; the teacher's
training code only ever reads that CSV. [our choice] The lead-in before the first instance and
the tail after the last one count as gaps too (``include_ends``); otherwise PLE would hand them
to the first / last action.

The CSV is the canonical points format with class name ``background`` and class index ``C``
(background LAST); ``python -m onpoint_ext.teachers.tsaspc.make_background_points`` writes it.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from oat.datasets.annotations import AnnotationSet, VideoAnnotation
from oat.datasets.points import PointLabel, read_points_csv, write_points_csv

BACKGROUND_NAME = "background"


def background_gaps(video: VideoAnnotation, include_ends: bool = True,
                    min_gap: float = 0.0) -> list[tuple[float, float]]:
    """``(start, end)`` seconds of the stretches of ``video`` covered by no instance.

    Instances are taken in start order with a running maximum of their ends, so nested and
    overlapping instances leave no gap. Gaps not longer than ``min_gap`` seconds are skipped.
    """
    spans = sorted((s.start, min(s.end, video.duration)) for s in video.segments
                   if s.start < video.duration)
    gaps, covered_until = [], 0.0 if include_ends else None
    for start, end in spans:
        if covered_until is not None and start - covered_until > min_gap:
            gaps.append((covered_until, start))
        covered_until = end if covered_until is None else max(covered_until, end)
    if include_ends and covered_until is not None and video.duration - covered_until > min_gap:
        gaps.append((covered_until, video.duration))
    return gaps


def sample_background_points(annotations: AnnotationSet, seed: int,
                             subsets: Iterable[str] = ("train",), include_ends: bool = True,
                             min_gap: float = 0.0) -> list[PointLabel]:
    """One background point per gap: ``N(gap centre, (gap / 6)^2)`` clipped to the gap.

    Labels are ``C`` (``annotations.num_classes``: background LAST). Deterministic: one numpy
    Generator seeded with ``seed`` draws in file order (videos, then gaps). A point is never
    placed at or after the video's end.
    """
    rng = np.random.default_rng(seed)
    subsets, background = tuple(subsets), annotations.num_classes
    points = []
    for video in annotations.videos.values():
        if video.subset not in subsets:
            continue
        for start, end in background_gaps(video, include_ends, min_gap):
            last = min(end, np.nextafter(video.duration, 0.0))
            time = float(np.clip(rng.normal((start + end) / 2, (end - start) / 6), start, last))
            points.append(PointLabel(video.video_id, time, background))
    return points


def write_background_points(path: str, points: list[PointLabel], classes: list[str]) -> None:
    """Write background points as a canonical points CSV (class ``background`` = index C)."""
    write_points_csv(path, points, [*classes, BACKGROUND_NAME])


def read_background_points(path: str, classes: list[str]) -> list[PointLabel]:
    """Read a background points CSV; every row must be class ``background`` (index C)."""
    points = read_points_csv(path, [*classes, BACKGROUND_NAME])
    for point in points:
        if point.label != len(classes):
            raise ValueError(f"{path}: video {point.video_id!r}: class "
                             f"{classes[point.label]!r} in a background points file; expected "
                             f"only {BACKGROUND_NAME!r}")
    return points
