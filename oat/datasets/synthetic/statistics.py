"""Timeline statistics with the definitions of ``shared/data/STATS.md``.

Used to compare generated timelines with the real ones (tests, ``meta.json``, docs). A gap is the
background between consecutive action runs after overlapping instances are merged; two instances
overlap when their intersection is > 0.
"""
from __future__ import annotations

import numpy as np

from oat.datasets.annotations import AnnotationSet, VideoAnnotation


def merged_runs(video: VideoAnnotation) -> list[tuple[float, float]]:
    """Union of the video's instances as sorted, disjoint ``(start, end)`` runs (seconds)."""
    runs: list[list[float]] = []
    for seg in sorted(video.segments, key=lambda s: s.start):
        if runs and seg.start <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], seg.end)
        else:
            runs.append([seg.start, seg.end])
    return [(a, b) for a, b in runs]


def timeline_statistics(annotations: AnnotationSet, subset: str | None = None) -> dict:
    """Medians and shares of one subset (or all videos), keyed like STATS.md §1.

    Returns a dict of floats (the gap entries are None when no video has two runs): ``videos``,
    ``instances``, ``video_duration_median``,
    ``instances_per_video_median``, ``instance_duration_median``, ``instance_duration_p95``,
    ``ln_duration_sigma``, ``gap_median``, ``gap_p95``, ``lead_in_median``, ``coverage``
    (pooled), ``classes_per_video_median``, ``overlapping_share``, ``top_class_share``.
    """
    videos = list(annotations.videos.values()) if subset is None else annotations.subset(subset)
    durations = np.array([s.end - s.start for v in videos for s in v.segments])
    gaps, lead_ins, covered, overlapping = [], [], 0.0, 0
    for video in videos:
        runs = merged_runs(video)
        gaps.extend(b[0] - a[1] for a, b in zip(runs, runs[1:]))
        if runs:
            lead_ins.append(runs[0][0])
        covered += sum(min(b, video.duration) - a for a, b in runs if a < video.duration)
        overlapping += _count_overlapping(video)
    counts = np.bincount([s.label for v in videos for s in v.segments],
                         minlength=annotations.num_classes)
    return {
        "videos": float(len(videos)),
        "instances": float(len(durations)),
        "video_duration_median": float(np.median([v.duration for v in videos])),
        "instances_per_video_median": float(np.median([len(v.segments) for v in videos])),
        "instance_duration_median": float(np.median(durations)),
        "instance_duration_p95": float(np.percentile(durations, 95)),
        "ln_duration_sigma": float(np.std(np.log(durations))),
        "gap_median": float(np.median(gaps)) if gaps else None,
        "gap_p95": float(np.percentile(gaps, 95)) if gaps else None,
        "lead_in_median": float(np.median(lead_ins)),
        "coverage": float(covered / sum(v.duration for v in videos)),
        "classes_per_video_median": float(
            np.median([len({s.label for s in v.segments}) for v in videos])),
        "overlapping_share": float(overlapping / max(len(durations), 1)),
        "top_class_share": float(counts.max() / max(counts.sum(), 1)),
    }


def _count_overlapping(video: VideoAnnotation) -> int:
    """Number of instances that overlap at least one other instance of the video."""
    segs = sorted(video.segments, key=lambda s: s.start)
    flags = [False] * len(segs)
    for i, a in enumerate(segs):
        for j in range(i + 1, len(segs)):
            if segs[j].start >= a.end:
                break
            if min(a.end, segs[j].end) > max(a.start, segs[j].start):
                flags[i] = flags[j] = True
    return sum(flags)
