"""Why does a student win or lose? Per-seed diagnostics of a multi-seed pipeline sweep.

    python benchmarks/diagnose_seeds.py --pipeline configs/pipelines/bench-thumos14-mini-ablations.py \
        work_dirs/sweep/seed0 work_dirs/sweep/seed1 work_dirs/sweep/seed2

Prints markdown tables (numbers from the work dirs of ``tools/run_pipeline.py``: one per
``--seed S``, or one per benchmark seed with ``--student-seeds``, whose method folders
``<method>-s<S>`` are pooled per method):

1. Pseudo-label quality per run, against the training split's ground truth (diagnostics only):
   precision / recall of the teacher's pseudo segments at tIoU 0.5 and 0.7, the mean tIoU of
   the pseudo segments matched at 0.5 (how tight their boundaries are), the teacher's offline
   test mAP, next to each method's online avg mAP 0.1:0.7 and mAP@0.7.
2. Final training losses per method (mean over the last quarter of the logged iterations,
   ``vis_data/scalars.json``): whether the auxiliary losses cost the instance heads their fit
   (``loss_ins_*`` of OnPoint vs the teacher + OAT-ONMS baseline, which trains the same heads
   on the same pseudo segments alone).
"""
from __future__ import annotations

import argparse
import glob
import json
import os

import numpy as np
from mmengine.config import Config

from oat.datasets.readers import read_annotations
from onpoint_ext.teachers.hrpro.detections import temporal_iou
from onpoint_ext.teachers.cache import TeacherCache
from onpoint_ext.teachers.quality import pseudo_label_quality

CACHE = os.path.join("teacher_cache", "teacher_cache.h5")
STATE_FILE = "pipeline_state.json"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pipeline", required=True, help="pipeline config (method names, order)")
    parser.add_argument("runs", nargs="+", help="pipeline work dirs (one per --seed, or per "
                        "benchmark seed with --student-seeds)")
    return parser.parse_args()


def _json(path: str) -> dict | None:
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _plan(run: str) -> dict:
    """The stage plan a pipeline run recorded (its method folders and their groups)."""
    plan = (_json(os.path.join(run, STATE_FILE)) or {}).get("plan") or {}
    if "methods" not in plan:
        raise ValueError(f"{run}: no {STATE_FILE} with a field plan.methods "
                         "(not a finished pipeline work dir?)")
    return plan


def matched_tiou(annotations, cache: TeacherCache, min_tiou: float = 0.5) -> float:
    """Mean tIoU of each ground-truth instance with its best same-class pseudo segment, over
    the instances whose best match reaches ``min_tiou``."""
    best = []
    for video_id in cache.video_ids:
        pseudo = cache.segments(video_id)
        for segment in annotations.videos[video_id].segments:
            same = np.asarray(pseudo.labels) == segment.label
            if not same.any():
                continue
            overlap = temporal_iou(np.array([segment.start, segment.end]),
                                  np.asarray(pseudo.segments)[same])
            if overlap.max() >= min_tiou:
                best.append(float(overlap.max()))
    return float(np.mean(best)) if best else float("nan")


def teacher_quality(run: str) -> dict:
    """Pseudo-label precision / recall at 0.5 and 0.7 and the matched mean tIoU of one run."""
    annotations = read_annotations(os.path.join(run, "bench", "annotations.json"))
    cache = TeacherCache(os.path.join(run, CACHE))
    outputs = {v: (cache.cas(v), cache.segments(v)) for v in cache.video_ids}
    at = {t: pseudo_label_quality(annotations, outputs, tiou=t) for t in (0.5, 0.7)}
    teacher = _json(os.path.join(run, "teacher_test", "metrics.json")) or {}
    return {"P@0.5": at[0.5]["precision"], "R@0.5": at[0.5]["recall"],
            "P@0.7": at[0.7]["precision"], "R@0.7": at[0.7]["recall"],
            "tIoU": matched_tiou(annotations, cache),
            "teacher": teacher.get("avg_0.1:0.7", float("nan"))}


def final_losses(run: str, method: str) -> dict[str, float]:
    """Mean of each logged loss over the last quarter of the logged training iterations."""
    paths = sorted(glob.glob(os.path.join(run, "methods", method, "train", "*", "vis_data",
                                          "scalars.json")))
    rows = []
    for path in paths:
        with open(path) as f:
            rows += [json.loads(line) for line in f if '"loss' in line]
    if not rows:
        return {}
    rows.sort(key=lambda row: row.get("step", 0))
    tail = rows[-max(1, len(rows) // 4):]
    keys = sorted({k for row in tail for k in row if k.startswith("loss")})
    return {k: float(np.mean([row[k] for row in tail if k in row])) for k in keys}


def method_folders(run: str) -> dict[str, list[str]]:
    """``{method group: [method folder, ...]}`` of one run: one folder per student seed
    (``<method>-s<S>``, ``--student-seeds``) or the method's own key (``--seed``)."""
    folders: dict[str, list[str]] = {}
    for method in _plan(run)["methods"]:
        folders.setdefault(method.get("group") or method["key"], []).append(method["key"])
    return folders


def _mean_or_dash(values: list[float], scale: float = 1.0) -> str:
    return f"{scale * np.mean(values):.1f}" if values else "-"


def quality_table(spec: Config, runs: list[str]) -> list[str]:
    """One row per run: pseudo-label quality and each method's avg / @0.7 (mean over the
    run's student seeds)."""
    methods = [(k, m["name"]) for k, m in spec.methods.items()]
    header = ["run", "P@0.5", "R@0.5", "P@0.7", "R@0.7", "matched tIoU", "teacher offline"]
    header += [f"{name} avg / @0.7" for _, name in methods]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for run in runs:
        quality = teacher_quality(run)
        folders = method_folders(run)
        cells = [os.path.basename(os.path.normpath(run))]
        cells += [f"{100 * quality[k]:.1f}" for k in ("P@0.5", "R@0.5", "P@0.7", "R@0.7")]
        cells += [f"{quality['tIoU']:.3f}", f"{100 * quality['teacher']:.1f}"]
        for key, _ in methods:
            tests = [_json(os.path.join(run, "methods", folder, "test", "metrics.json"))
                     for folder in folders.get(key, [])]
            tests = [metrics for metrics in tests if metrics is not None]
            cells.append("-" if not tests else
                         _mean_or_dash([m["avg_0.1:0.7"] for m in tests], 100) + " / "
                         + _mean_or_dash([m["mAP@0.7"] for m in tests], 100))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _finished(run: str, folder: str) -> bool:
    return os.path.isfile(os.path.join(run, "methods", folder, "test", "metrics.json"))


def loss_table(spec: Config, runs: list[str]) -> list[str]:
    """Final losses per method: mean ± std over every (run, student seed) that finished
    (its test has metrics: a training still running would add its early losses)."""
    per_method = {key: [] for key in spec.methods}
    for run in runs:
        for key, folders in method_folders(run).items():
            if key in per_method:
                per_method[key] += [final_losses(run, folder) for folder in folders
                                    if _finished(run, folder)]
    keys = sorted({k for losses in per_method.values() for unit in losses for k in unit})
    lines = ["| method | units | " + " | ".join(keys) + " |", "|" + "---|" * (len(keys) + 2)]
    for key, method in spec.methods.items():
        units = [unit for unit in per_method[key] if unit]
        cells = [str(len(units))]
        for loss in keys:
            values = [unit[loss] for unit in units if loss in unit]
            cells.append(f"{np.mean(values):.3f} ± {np.std(values, ddof=1):.3f}"
                         if len(values) > 1 else (f"{values[0]:.3f}" if values else "-"))
        lines.append(f"| {method['name']} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    args = parse_args()
    spec = Config.fromfile(args.pipeline)  # only names and order are read here
    print("Pseudo labels (train split) and results per run (%, GENERATED features)\n")
    print("\n".join(quality_table(spec, args.runs)))
    print("\nFinal training losses (mean over the last quarter of logged iterations; "
          "mean ± std over every trained (run, student seed))\n")
    print("\n".join(loss_table(spec, args.runs)))


if __name__ == "__main__":
    main()
