"""Two detection runs scored on the same ground truth, side by side: ``tools/compare_runs.py``.

A run is one results json (:mod:`oat.evaluation.results` format). Both are evaluated with
:func:`oat.evaluation.tal_map.evaluate_detections` on the same videos, thresholds and options,
and every number is reported for A, for B and as the delta ``B - A`` (mAP in percentage points,
times in seconds; a negative emission-delay delta means B emits earlier).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oat.evaluation.detection_inputs import VideoGroundTruth
from oat.evaluation.metric import DELAY_TIOU
from oat.evaluation.results import read_results_json
from oat.evaluation.tal_map import average_keys, evaluate_detections, threshold_name

DELAY_KEYS = ("delay_median", "delay_p90")


@dataclass
class ScoredRun:
    """One run: a short name, its results file and its ``evaluate_detections`` result."""

    name: str
    path: str
    result: dict


def score_runs(ground_truth: dict[str, VideoGroundTruth], classes: Sequence[str],
               runs: Sequence[tuple[str, str]], tiou_thresholds: Sequence[float],
               unknown_labels: str = "error") -> list[ScoredRun]:
    """Evaluate each ``(name, results json path)`` of ``runs`` on the same ground truth."""
    scored = []
    for name, path in runs:
        predictions = read_results_json(path, classes)
        result = evaluate_detections(ground_truth, predictions, classes, tiou_thresholds,
                                     unknown_labels, delay_tiou=DELAY_TIOU)
        scored.append(ScoredRun(name, path, result))
    return scored


def summary_keys(result: dict) -> list[str]:
    """Scalar keys compared between runs: mAP per threshold, averages, AEDT, delays."""
    thresholds = [threshold_name(t) for t in result["tiou_thresholds"]]
    return ([f"mAP@{t}" for t in thresholds] + list(average_keys(result["tiou_thresholds"]))
            + [f"aedt@{t}" for t in thresholds] + list(DELAY_KEYS))


def run_deltas(run_a: ScoredRun, run_b: ScoredRun) -> dict:
    """``B - A`` for every summary key and, per class with ground truth, AP per threshold."""
    deltas = {key: run_b.result[key] - run_a.result[key] for key in summary_keys(run_a.result)}
    per_class = {name: np.asarray(run_b.result["per_class_ap"][name]) - np.asarray(ap)
                 for name, ap in run_a.result["per_class_ap"].items()}
    return dict(summary=deltas, per_class_ap=per_class)


def _cell(value: float, scale: float = 1.0, signed: bool = False) -> str:
    """A number with 2 decimals (``+`` sign for deltas); ``-`` when undefined."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{scale * value:+.2f}" if signed else f"{scale * value:.2f}"


def format_run_comparison(run_a: ScoredRun, run_b: ScoredRun) -> str:
    """mAP (%) and AEDT (s) rows of A, B and ``B - A`` per threshold, then the delays."""
    result_a, result_b = run_a.result, run_b.result
    thresholds = [threshold_name(t) for t in result_a["tiou_thresholds"]]
    averages = list(average_keys(result_a["tiou_thresholds"]))
    header = thresholds + averages
    widths = [max(6, len(cell)) + 2 for cell in header]
    delta_name = f"{run_b.name} - {run_a.name}"
    label = max(13, len(run_a.name) + 9, len(run_b.name) + 9, len(delta_name) + 3)
    map_keys = [f"mAP@{t}" for t in thresholds] + averages
    aedt_keys = [f"aedt@{t}" for t in thresholds]
    rows = [("tIoU", header)]
    for kind, keys, scale in (("mAP (%)", map_keys, 100.0), ("AEDT (s)", aedt_keys, 1.0)):
        rows += [(f"{kind} {run.name}", [_cell(run.result[k], scale) for k in keys])
                 for run in (run_a, run_b)]
        rows.append((f"  {delta_name}",
                     [_cell(result_b[k] - result_a[k], scale, signed=True) for k in keys]))
    lines = [f"{name:<{label}}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths))
             for name, cells in rows]
    for key in DELAY_KEYS:
        a, b = result_a[key], result_b[key]
        lines.append(f"emission {key.replace('_', ' ')} at tIoU {DELAY_TIOU:g} (s): "
                     f"{run_a.name} {_cell(a)}, {run_b.name} {_cell(b)}, "
                     f"{delta_name} {_cell(b - a, signed=True)}")
    return "\n".join(lines)


def format_per_class_comparison(run_a: ScoredRun, run_b: ScoredRun) -> str:
    """Per class: mean AP (%) over the thresholds for A and B, and ``B - A`` per threshold."""
    thresholds = [threshold_name(t) for t in run_a.result["tiou_thresholds"]]
    per_class_a, per_class_b = run_a.result["per_class_ap"], run_b.result["per_class_ap"]
    width = max([5] + [len(name) for name in per_class_a])
    columns = [f"{run_a.name} mean", f"{run_b.name} mean", "delta"] + [f"d@{t}" for t in thresholds]
    widths = [max(8, len(c) + 2) for c in columns]
    lines = [f"{'class':<{width}}" + "".join(f"{c:>{w}}" for c, w in zip(columns, widths))]
    for name, ap_a in per_class_a.items():
        ap_a, ap_b = np.asarray(ap_a), np.asarray(per_class_b[name])
        cells = ([_cell(ap_a.mean(), 100.0), _cell(ap_b.mean(), 100.0),
                  _cell(ap_b.mean() - ap_a.mean(), 100.0, signed=True)]
                 + [_cell(d, 100.0, signed=True) for d in ap_b - ap_a])
        lines.append(f"{name:<{width}}" + "".join(f"{c:>{w}}" for c, w in zip(cells, widths)))
    return "\n".join(lines)
