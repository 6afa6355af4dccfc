"""Speed of the vectorised temporal mAP against the plain reference, on a THUMOS-test-sized case.

Default case (seeded): 212 videos, about 3,358 GT instances, 20 classes, 200 predictions per
video (jittered copies of the GT plus background segments), THUMOS-like durations. With
``--gt GT.json --results RESULTS.json`` it times real files instead. Prints both times, the
ratio and the largest difference of the two results (must be ~0).

    OMP_NUM_THREADS=1 python benchmarks/bench_tal_map.py [--seed 0] [--repeats 3]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from oat.datasets.readers import read_annotations
from oat.evaluation.results import ground_truth_of_subset, read_results_json
from oat.evaluation.tal_map import DEFAULT_TIOU_THRESHOLDS, evaluate_detections

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_tal_map import reference_evaluate  # noqa: E402  (benchmarks/ is not a package)


def make_thumos_like_case(seed: int, num_videos: int = 212, num_gt: int = 3358,
                          num_classes: int = 20, predictions_per_video: int = 200) -> tuple:
    """Seeded GT and predictions dicts with THUMOS test statistics (oat STATS.md §2.1)."""
    rng = np.random.default_rng(seed)
    durations = np.exp(rng.normal(np.log(162.0), 0.8, num_videos)).clip(20.0, 1700.0)
    weights = np.exp(rng.normal(0.0, 1.0, num_videos))
    counts = rng.multinomial(num_gt - num_videos, weights / weights.sum()) + 1
    ground_truth, predictions = {}, {}
    for v in range(num_videos):
        duration = durations[v]
        video_classes = rng.choice(num_classes, size=1 + (rng.random() < 0.2), replace=False)
        lengths = np.exp(rng.normal(1.16, 0.83, counts[v])).clip(0.2, duration / 2)
        starts = rng.uniform(0.0, duration - lengths)
        labels = rng.choice(video_classes, counts[v])
        gt_segments = np.stack([starts, starts + lengths], axis=1)
        ground_truth[f"video_{v:04d}"] = (gt_segments, labels)

        near = min(predictions_per_video // 2, 3 * counts[v])
        source = rng.integers(0, counts[v], near)
        jitter = rng.normal(0.0, 0.25, (near, 2)) * lengths[source, None]
        near_segments = np.sort(gt_segments[source] + jitter, axis=1)
        far = predictions_per_video - near
        far_lengths = np.exp(rng.normal(1.16, 0.83, far))
        far_starts = rng.uniform(0.0, duration, far)
        segments = np.vstack([near_segments, np.stack([far_starts, far_starts + far_lengths], 1)])
        pred_labels = np.concatenate([
            np.where(rng.random(near) < 0.9, labels[source], rng.integers(0, num_classes, near)),
            np.where(rng.random(far) < 0.7, rng.choice(video_classes, far),
                     rng.integers(0, num_classes, far))])
        scores = np.concatenate([rng.beta(5, 2, near), rng.beta(2, 5, far)])
        emit_times = segments[:, 1] + rng.normal(0.5, 1.0, predictions_per_video)
        predictions[f"video_{v:04d}"] = (segments, pred_labels, scores, emit_times)
    return ground_truth, predictions, [f"class_{c:02d}" for c in range(num_classes)]


def load_files(gt_path: str, results_path: str, subset: str) -> tuple:
    """GT of one subset and the results of a real pair of files."""
    annotations = read_annotations(gt_path, out_of_video="keep")
    return (ground_truth_of_subset(annotations, subset),
            read_results_json(results_path, annotations.classes), annotations.classes)


def best_time(function, repeats: int) -> tuple[float, object]:
    """Smallest wall time (s) of ``repeats`` calls and the last result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    """Time both implementations and print the numbers and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="vectorised runs (best is kept)")
    parser.add_argument("--gt", help="GT annotation file (any format read_annotations reads)")
    parser.add_argument("--results", help="results json (with --gt)")
    parser.add_argument("--subset", default="test")
    args = parser.parse_args()
    if args.gt and args.results:
        ground_truth, predictions, classes = load_files(args.gt, args.results, args.subset)
    else:
        ground_truth, predictions, classes = make_thumos_like_case(args.seed)
    num_gt = sum(len(labels) for _, labels in ground_truth.values())
    num_pred = sum(len(p[1]) for p in predictions.values())
    print(f"case: {len(ground_truth)} videos, {num_gt} GT, {len(classes)} classes, "
          f"{num_pred} predictions, thresholds {DEFAULT_TIOU_THRESHOLDS}")

    fast_time, fast = best_time(lambda: evaluate_detections(
        ground_truth, predictions, classes, unknown_labels="skip"), args.repeats)
    present = {int(c) for _, labels in ground_truth.values() for c in labels}
    known = {vid: tuple(np.asarray(x)[np.isin(p[1], list(present))] if x is not None else None
                        for x in p) for vid, p in predictions.items()}
    slow_time, slow = best_time(lambda: reference_evaluate(
        ground_truth, known, len(classes), DEFAULT_TIOU_THRESHOLDS), 1)

    aedt = np.array([fast[f"aedt@{t:g}"] for t in DEFAULT_TIOU_THRESHOLDS])
    print("mAP (%):      " + " ".join(f"{100 * m:6.2f}" for m in fast["mAP"]))
    print(f"max |mAP difference|  {np.max(np.abs(fast['mAP'] - slow['mAP'])):.3g}")
    print(f"max |AEDT difference| {np.nanmax(np.abs(aedt - slow['aedt'])):.3g}")
    print(f"vectorised {fast_time * 1000:8.1f} ms (best of {args.repeats})")
    print(f"reference  {slow_time * 1000:8.1f} ms")
    print(f"speed-up   {slow_time / fast_time:8.1f}x")


if __name__ == "__main__":
    main()
