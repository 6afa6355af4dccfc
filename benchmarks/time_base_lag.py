"""At which lag does the teacher's actionness best match the ground truth? (issue: time base)

    python benchmarks/time_base_lag.py teacher_cache.h5 annotations.json [--max-lag 3]

Needs a cache built with ``tools/cache_teacher.py --keep-teacher-grid``. For every cached video,
the teacher's actionness ``1 - background`` on its own grid is resampled onto the student's
steps in two ways: at step centres (``resample_by_time``, the convention in use) and at step
starts (how the cache did it before; kept here only as the comparison). Each is correlated
(Pearson, pooled over videos) with the ground-truth coverage of every student step (the
fraction of the step inside an annotated segment) at lags -L..L: ``corr(teacher[t], gt[t+lag])``.
A peak at lag 0 means the teacher's row t describes the student's step t. The sub-step peak is
a parabola through the best lag and its neighbours. Ground truth is used for this diagnostic only.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from oat.datasets.timebase import steps_to_seconds
from onpoint_ext.teachers.cache import TeacherCache, resample_by_time


def at_starts(values: np.ndarray, duration: float, num_steps: int) -> np.ndarray:
    """(T_src,) -> (num_steps,) reading both grids at their step STARTS (the old convention)."""
    source = steps_to_seconds(np.arange(len(values)), len(values), duration)
    target = steps_to_seconds(np.arange(num_steps), num_steps, duration)
    return np.interp(target, source, values)


def coverage(segments: list, num_steps: int, duration: float) -> np.ndarray:
    """(num_steps,) fraction of each step ``[t, t+1) dt`` inside any of the (start, end) seconds."""
    edges = steps_to_seconds(np.arange(num_steps + 1), num_steps, duration)
    covered = np.zeros(num_steps)
    for start, end in segments:
        covered += np.clip(np.minimum(end, edges[1:]) - np.maximum(start, edges[:-1]), 0, None)
    return np.minimum(covered / (duration / num_steps), 1.0)


def lag_correlations(pairs: list[tuple[np.ndarray, np.ndarray]], max_lag: int) -> dict[int, float]:
    """{lag: Pearson corr of teacher[t] with gt[t + lag]}, pooled over (teacher, gt) pairs."""
    result = {}
    for lag in range(-max_lag, max_lag + 1):
        a = np.concatenate([x[max(0, -lag):len(x) - max(0, lag)] for x, _ in pairs])
        b = np.concatenate([g[max(0, lag):len(g) - max(0, -lag)] for _, g in pairs])
        result[lag] = float(np.corrcoef(a, b)[0, 1])
    return result


def peak(correlations: dict[int, float]) -> float:
    """Sub-step lag of the maximum (parabola through the best lag and its neighbours)."""
    best = max(correlations, key=correlations.get)
    if best - 1 not in correlations or best + 1 not in correlations:
        return float(best)
    y0, y1, y2 = (correlations[best + k] for k in (-1, 0, 1))
    curvature = y0 - 2 * y1 + y2
    return float(best + (0.5 * (y0 - y2) / curvature if curvature else 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cache")
    parser.add_argument("annotations", help="the benchmark's annotations.json (ground truth)")
    parser.add_argument("--max-lag", type=int, default=3)
    args = parser.parse_args()
    cache = TeacherCache(args.cache)
    with open(args.annotations) as f:
        database = json.load(f)["database"]
    pairs = {"centre": [], "start": []}
    for video_id in cache.video_ids:
        video = database[video_id]
        teacher = 1.0 - cache.cas_teacher_grid(video_id)[:, -1]
        steps, duration = len(cache.cas(video_id)), float(video["duration"])
        gt = coverage([a["segment"] for a in video["annotations"]], steps, duration)
        pairs["centre"].append((resample_by_time(teacher[:, None], duration, steps)[:, 0], gt))
        pairs["start"].append((at_starts(teacher, duration, steps), gt))
    dt = np.mean([database[v]["duration"] / len(cache.cas(v)) for v in cache.video_ids])
    for name, rows in pairs.items():
        correlations = lag_correlations(rows, args.max_lag)
        print(f"{name}: peak lag {peak(correlations):+.2f} student steps "
              f"({peak(correlations) * dt:+.3f} s); " + ", ".join(
                  f"{lag:+d}: {value:.4f}" for lag, value in correlations.items()))


if __name__ == "__main__":
    main()
