"""Mean ± std over seeds of the pipeline's test metrics, as a markdown table.

    python benchmarks/aggregate_seeds.py --pipeline configs/pipelines/bench-thumos14-mini-ablations.py \
        work_dirs/sweep/seed0 work_dirs/sweep/seed1 work_dirs/sweep/seed2

Each run folder is one ``tools/run_pipeline.py --seed S`` work dir; a method missing in a run
(not finished) is reported with the seeds it has. Numbers are percentages of mAP. A second table
gives the paired per-seed differences against ``--versus`` (default ``onpoint``): every method
of one seed shares its benchmark and teacher, so the paired difference removes that part of the
seed-to-seed spread.
"""
import argparse
import json
import os

import numpy as np
from mmengine.config import Config

COLUMNS = ("mAP@0.1", "mAP@0.2", "mAP@0.3", "mAP@0.4", "mAP@0.5", "mAP@0.6", "mAP@0.7",
           "avg_0.1:0.5", "avg_0.1:0.7")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pipeline", required=True, help="pipeline config (method names, order)")
    parser.add_argument("--versus", default="onpoint",
                        help="method key the paired per-seed differences are taken against")
    parser.add_argument("runs", nargs="+", help="pipeline work dirs, one per seed")
    return parser.parse_args()


def read_metrics(run: str, method: str) -> dict | None:
    """A method's test metrics of one run, or None when that run has not finished it."""
    return _read(run, os.path.join("methods", method, "test"))


def table_row(name: str, runs: list[dict]) -> str:
    """``| name | n | mean ± std ... |`` over the runs (percent)."""
    cells = []
    for column in COLUMNS:
        values = 100.0 * np.array([run[column] for run in runs])
        spread = f" ± {values.std(ddof=1):.1f}" if len(values) > 1 else ""
        cells.append(f"{values.mean():.1f}{spread}")
    return f"| {name} | {len(runs)} | " + " | ".join(cells) + " |"


def main() -> None:
    args = parse_args()
    spec = Config.fromfile(args.pipeline)  # only names and order are read here
    header = "| method | seeds | " + " | ".join(c.replace("mAP@", "@") for c in COLUMNS) + " |"
    print(header)
    print("|" + "---|" * (len(COLUMNS) + 2))
    teacher = [m for m in (_read(run, "teacher_test") for run in args.runs) if m]
    if teacher:
        print(table_row(f"{spec.teacher['name']} teacher (offline)", teacher))
    for key, method in spec.methods.items():
        runs = [m for m in (read_metrics(run, key) for run in args.runs) if m]
        if runs:
            print(table_row(method["name"], runs))
    if args.versus in spec.methods:
        print()
        print("\n".join(paired_differences(spec, args.runs, args.versus)))


def paired_differences(spec: Config, runs: list[str], versus: str) -> list[str]:
    """Per-seed differences ``versus - method`` (same benchmark, teacher and seed), mean ± std
    and the per-seed values, for both averages: a paired view of the seed-to-seed noise."""
    reference = spec.methods[versus]["name"]
    lines = [f"| {reference} minus | seeds | avg_0.1:0.5 | avg_0.1:0.7 | per seed (avg_0.1:0.7) |",
             "|---|---|---|---|---|"]
    for key, method in spec.methods.items():
        if key == versus:
            continue
        pairs = [(read_metrics(run, versus), read_metrics(run, key)) for run in runs]
        pairs = [(a, b) for a, b in pairs if a and b]
        if not pairs:
            continue
        cells = []
        for column in ("avg_0.1:0.5", "avg_0.1:0.7"):
            diff = 100.0 * np.array([a[column] - b[column] for a, b in pairs])
            spread = f" ± {diff.std(ddof=1):.1f}" if len(diff) > 1 else ""
            cells.append(f"{diff.mean():+.1f}{spread}")
        per_seed = ", ".join(f"{100.0 * (a['avg_0.1:0.7'] - b['avg_0.1:0.7']):+.1f}"
                             for a, b in pairs)
        lines.append(f"| {method['name']} | {len(pairs)} | {cells[0]} | {cells[1]} | "
                     f"{per_seed} |")
    return lines


def _read(run: str, stage: str) -> dict | None:
    """``<run>/<stage>/metrics.json``, or None when that stage has not written it."""
    path = os.path.join(run, stage, "metrics.json")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


if __name__ == "__main__":
    main()
