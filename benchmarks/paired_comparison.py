"""Methods compared as paired differences with 95 % confidence intervals over seeds.

    python benchmarks/paired_comparison.py --versus onpoint --metric avg_0.1:0.7 \
        work_dirs/power/bench0 work_dirs/power/bench1 [--bootstrap 300] [--json out.json] \
        [--plot differences.png]

Each run folder is one ``tools/run_pipeline.py`` work dir: one benchmark seed and one teacher,
with one or several student seeds (``--student-seeds``). A *unit* is one (run, student seed);
the methods of one unit share the benchmark and the teacher, so ``versus - method`` per unit
removes that part of the spread. Two intervals are printed for every paired difference:

- ``t``: Student's t over the units (df = units - 1). It treats the runs' benchmarks and
  teachers as fixed: the interval says how well the student-seed noise has been averaged out
  on THESE benchmarks, not how a new benchmark draw would come out.
- ``boot``: a bootstrap that, within each run, resamples the student seeds and the test videos
  (with replacement, the same videos for both methods) and recomputes mAP from the results
  files, so test-set sampling noise is included too. Percentile interval.
- ``runs``: Student's t over the runs' mean differences (df = runs - 1): the benchmark draw
  (and its teacher) as a random effect, i.e. how a new benchmark seed could come out. Wide
  with few runs; NaN with one.

Numbers are percentage points of mAP. Built-in benchmark runs use GENERATED features.
``--plot`` draws the paired differences as a forest plot (one row per method: the mean, the t
interval as a thick bar, the bootstrap interval as a thin one, every unit's difference as a dot).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from oat.datasets.readers import read_annotations
from oat.evaluation.results import ground_truth_of_subset, read_results_json
from oat.evaluation.tal_map import evaluate_detections

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pipeline.atomic import replaced_atomically  # noqa: E402
from pipeline.identity import file_identity  # noqa: E402
from pipeline.plots import GENERATED_NOTE, save_figure  # noqa: E402
from pipeline.state import STATE_FILE, PipelineState  # noqa: E402


@dataclass
class Unit:
    """One method's test of one (run, student seed): its metrics and results file."""

    run: str
    seed: int | None
    metrics: dict
    results: str


def collect_units(runs: list[str]) -> tuple[dict[str, list[Unit]], dict[str, str]]:
    """``({method group: [Unit, ...]}, {group: display name})`` of every finished test.

    A test counts only when the pipeline recorded it as done and its ``metrics.json`` is still
    the file it recorded; others (interrupted, or rewritten since) are named on stderr.
    """
    units: dict[str, list[Unit]] = defaultdict(list)
    names: dict[str, str] = {}
    for run in runs:
        state = _state(run)
        for method in state.plan["methods"]:
            test = os.path.join(run, "methods", method["key"], "test")
            metrics_path = os.path.join(test, "metrics.json")
            if not os.path.isfile(metrics_path):
                continue
            if not _recorded_as_done(state, method["key"], metrics_path):
                print(f"{run}: test_{method['key']} is not recorded as finished by the pipeline "
                      f"(or its metrics.json changed since); not counted", file=sys.stderr)
                continue
            group = method.get("group") or method["key"]
            names.setdefault(group, method["name"].split(" (seed ")[0])
            with open(metrics_path) as f:
                metrics = json.load(f)
            units[group].append(Unit(run, method.get("seed"), metrics,
                                     os.path.join(test, "results.json")))
    return dict(units), names


def _state(run: str) -> PipelineState:
    """The run's pipeline state, checked to hold the plan's methods."""
    state = PipelineState(run)
    if not os.path.isfile(state.path):
        raise FileNotFoundError(f"{run}: no {STATE_FILE} (not a pipeline work dir?)")
    if "methods" not in state.plan:
        raise ValueError(f"{state.path}: field plan.methods is missing (run the pipeline first)")
    return state


def _recorded_as_done(state: PipelineState, key: str, metrics_path: str) -> bool:
    """Whether stage ``test_<key>`` is done and recorded ``metrics_path``'s current identity.

    Recorded output paths are matched by their tail, so a moved work dir still counts.
    """
    record = state.record(f"test_{key}")
    if record is None or record.status != "done":
        return False
    tail = os.path.join("methods", key, "test", "metrics.json")
    recorded = [identity for path, identity in record.outputs.items() if path.endswith(tail)]
    return bool(recorded) and recorded[0] == file_identity(metrics_path)


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """``(mean, half width)`` of Student's t interval; half width NaN for fewer than 2 values."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float(values.mean()), float("nan")
    half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * stats.sem(values)
    return float(values.mean()), float(half)


def paired(a: list[Unit], b: list[Unit]) -> list[tuple[Unit, Unit]]:
    """Units of two methods that share run and student seed, in a fixed order."""
    index = {(u.run, u.seed): u for u in b}
    return [(u, index[(u.run, u.seed)]) for u in a if (u.run, u.seed) in index]


def bootstrap_difference(pairs: list[tuple[Unit, Unit]], metric: str, replicates: int,
                         seed: int = 0, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval of mean ``a - b`` (points) resampling seeds and test videos per run."""
    rng = np.random.default_rng(seed)
    by_run: dict[str, list[tuple[Unit, Unit]]] = defaultdict(list)
    for a, b in pairs:
        by_run[a.run].append((a, b))
    prepared = {run: _prepared_run(run, run_pairs) for run, run_pairs in by_run.items()}
    means = []
    for _ in range(replicates):
        diffs = []
        for run, (gt, classes, predictions) in prepared.items():
            videos = rng.choice(sorted(gt), size=len(gt), replace=True)
            seeds = rng.integers(0, len(predictions), size=len(predictions))
            sample_gt = {f"{v}#{i}": gt[v] for i, v in enumerate(videos)}
            for s in seeds:
                scores = [evaluate_detections(sample_gt, {f"{v}#{i}": side[v] for i, v in
                                                          enumerate(videos) if v in side},
                                              classes, unknown_labels="skip")[metric]
                          for side in predictions[s]]
                diffs.append(100.0 * (scores[0] - scores[1]))
        means.append(np.mean(diffs))
    low, high = np.percentile(means, [50 * (1 - confidence), 50 * (1 + confidence)])
    return float(low), float(high)


def _prepared_run(run: str, run_pairs: list[tuple[Unit, Unit]]):
    """Test ground truth, class names and per-pair (a, b) predictions of one run."""
    annotations = read_annotations(os.path.join(run, "bench", "annotations.json"))
    gt = ground_truth_of_subset(annotations, "test")
    classes = list(annotations.classes)
    predictions = [(read_results_json(a.results, classes), read_results_json(b.results, classes))
                   for a, b in run_pairs]
    return gt, classes, predictions


def comparison_tables(runs: list[str], versus: str, metric: str, replicates: int) -> dict:
    """Per-method means with t intervals, and paired differences ``versus - method``."""
    units, names = collect_units(runs)
    if versus not in units:
        raise KeyError(f"method {versus!r} has no finished test in {runs}; have {sorted(units)}")
    methods = {}
    for group, group_units in units.items():
        mean, half = t_interval(100.0 * np.array([u.metrics[metric] for u in group_units]))
        methods[group] = dict(name=names[group], units=len(group_units), mean=mean, half=half)
    differences = {}
    for group in units:
        if group == versus:
            continue
        pairs = paired(units[versus], units[group])
        if not pairs:
            continue
        values = 100.0 * np.array([a.metrics[metric] - b.metrics[metric] for a, b in pairs])
        mean, half = t_interval(values)
        per_run = {run: float(np.mean([100.0 * (a.metrics[metric] - b.metrics[metric])
                                       for a, b in pairs if a.run == run]))
                   for run in dict.fromkeys(a.run for a, _ in pairs)}
        boot = bootstrap_difference(pairs, metric, replicates) if replicates else None
        runs_mean, runs_half = t_interval(np.array(list(per_run.values())))
        differences[group] = dict(name=names[group], pairs=len(pairs), mean=mean, half=half,
                                  bootstrap=boot, per_run=per_run, values=values.tolist(),
                                  runs_mean=runs_mean, runs_half=runs_half)
    return dict(metric=metric, versus=versus, versus_name=names[versus], methods=methods,
                differences=differences)


def format_tables(tables: dict) -> str:
    """Both tables as markdown."""
    metric = tables["metric"]
    lines = [f"| method | units | {metric} mean ± 95 % CI (t) |", "|---|---|---|"]
    for row in tables["methods"].values():
        lines.append(f"| {row['name']} | {row['units']} | {row['mean']:.1f} ± {row['half']:.1f} |")
    lines += ["", f"| {tables['versus_name']} minus | pairs | mean | 95 % CI (t) | "
              "95 % CI (bootstrap: seeds + test videos) | 95 % CI (t over run means) | per run |",
              "|---|---|---|---|---|---|---|"]
    for row in tables["differences"].values():
        boot = ("" if row["bootstrap"] is None
                else f"[{row['bootstrap'][0]:+.1f}, {row['bootstrap'][1]:+.1f}]")
        per_run = ", ".join(f"{v:+.1f}" for v in row["per_run"].values())
        lines.append(f"| {row['name']} | {row['pairs']} | {row['mean']:+.1f} | "
                     f"{_interval(row['mean'], row['half'])} | {boot} | "
                     f"{_interval(row['runs_mean'], row['runs_half'])} | {per_run} |")
    return "\n".join(lines)


def _interval(mean: float, half: float) -> str:
    return "-" if np.isnan(half) else f"[{mean - half:+.1f}, {mean + half:+.1f}]"


def plot_differences(tables: dict, path: str) -> None:
    """Forest plot of ``tables["differences"]`` (PNG, written atomically)."""
    rows = list(tables["differences"].values())
    figure = Figure(figsize=(10.0, 1.4 + 0.45 * len(rows)))
    axes = figure.subplots()
    for y, row in enumerate(rows):
        if row["bootstrap"] is not None:
            axes.plot(row["bootstrap"], [y, y], color="0.4", linewidth=1)
        axes.plot([row["mean"] - row["half"], row["mean"] + row["half"]], [y, y],
                  color="tab:blue", linewidth=5, alpha=0.6, solid_capstyle="butt")
        axes.plot(row["values"], [y] * len(row["values"]), "o", color="black", markersize=3)
        axes.plot([row["mean"]], [y], "D", color="tab:red", markersize=6)
    axes.axvline(0.0, color="0.2", linewidth=0.8, linestyle="--")
    axes.set_yticks(range(len(rows)), [row["name"] for row in rows])
    axes.invert_yaxis()
    axes.set_xlabel(f"{tables['versus_name']} minus method, {tables['metric']} (points)\n"
                    "bar: 95 % CI (t), line: bootstrap, dots: units")
    axes.set_title(GENERATED_NOTE, fontsize=8)
    figure.tight_layout()
    save_figure(figure, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="pipeline work dirs (one per benchmark seed)")
    parser.add_argument("--versus", default="onpoint", help="method key differences are from")
    parser.add_argument("--metric", default="avg_0.1:0.7", help="metrics.json key")
    parser.add_argument("--bootstrap", type=int, default=300,
                        help="bootstrap replicates (0: t intervals only)")
    parser.add_argument("--json", help="also write the tables here")
    parser.add_argument("--plot", help="also draw the paired differences here (PNG)")
    args = parser.parse_args()
    tables = comparison_tables(args.runs, args.versus, args.metric, args.bootstrap)
    print(format_tables(tables))
    if args.plot:
        plot_differences(tables, args.plot)
    if args.json:
        with replaced_atomically(args.json) as tmp, open(tmp, "w") as f:
            json.dump(tables, f, indent=1)


if __name__ == "__main__":
    main()
