"""Compare two detection runs on the same ground truth: mAP, AEDT and delays of A, B and B - A.

    python tools/compare_runs.py --gt GT.json RESULTS_A.json RESULTS_B.json [--subset test]
        [--names OAT OnPoint] [--tiou 0.1 ... 0.7] [--per-class] [--json OUT.json]
        [--unknown-labels error|skip] [--out-of-video keep|drop|error]

A run is the results json that ``tools/test.py --out`` writes (ActivityNet layout, optional
``emit_time``). GT is any file ``oat.datasets.readers.read_annotations`` reads. Both runs are
scored on the videos of ``--subset`` with the same thresholds; deltas are ``B - A`` (mAP in
percentage points; a negative delay delta means B emits earlier). ``--per-class`` adds the AP
deltas per class; ``--json`` writes every number of both runs and the deltas.
"""
import argparse

from oat.cli import run_tool
from oat.datasets.annotations import write_json_atomic
from oat.datasets.readers import read_annotations
from oat.evaluation.compare import (
    format_per_class_comparison,
    format_run_comparison,
    run_deltas,
    score_runs,
)
from oat.evaluation.results import ground_truth_of_subset, to_json_value
from oat.evaluation.tal_map import DEFAULT_TIOU_THRESHOLDS


def parse_args() -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gt", required=True, help="ground-truth annotation file")
    parser.add_argument("results_a", help="results json of run A (the reference)")
    parser.add_argument("results_b", help="results json of run B")
    parser.add_argument("--names", nargs=2, default=("A", "B"), metavar=("NAME_A", "NAME_B"),
                        help="short names of the runs in the tables (default A B)")
    parser.add_argument("--subset", default="test", help="canonical subset: train, val or test")
    parser.add_argument("--tiou", type=float, nargs="+", default=list(DEFAULT_TIOU_THRESHOLDS),
                        help="tIoU thresholds (default 0.1 ... 0.7)")
    parser.add_argument("--per-class", action="store_true", help="also print AP deltas per class")
    parser.add_argument("--json", help="also write all numbers to this json file")
    parser.add_argument("--unknown-labels", choices=("error", "skip"), default="error",
                        help="predictions of a class without GT in the subset")
    parser.add_argument("--out-of-video", choices=("keep", "drop", "error"), default="keep",
                        help="GT instances outside their video (default keep, like upstream OAT)")
    return parser.parse_args()


def main() -> None:
    """Read GT and both runs, score them, print the comparison, write the optional json."""
    args = parse_args()
    if args.names[0] == args.names[1]:
        raise ValueError(f"--names must differ, got {args.names[0]!r} twice")
    annotations = read_annotations(args.gt, out_of_video=args.out_of_video)
    ground_truth = ground_truth_of_subset(annotations, args.subset)
    if not ground_truth:
        raise ValueError(f"{args.gt}: no video in subset {args.subset!r}")
    run_a, run_b = score_runs(ground_truth, annotations.classes,
                              list(zip(args.names, (args.results_a, args.results_b))), args.tiou,
                              args.unknown_labels)
    print(f"{args.subset}: {len(ground_truth)} videos, {run_a.result['num_gt']} GT")
    for run in (run_a, run_b):
        print(f"{run.name}: {run.path} ({run.result['num_predictions']} predictions)")
    print(format_run_comparison(run_a, run_b))
    if args.per_class:
        print(format_per_class_comparison(run_a, run_b))
    if args.json:
        runs = {run.name: dict(run.result, results=run.path) for run in (run_a, run_b)}
        summary = dict(gt=args.gt, subset=args.subset, runs=runs, delta=run_deltas(run_a, run_b))
        write_json_atomic(to_json_value(summary), args.json)
        print(f"written: {args.json}")


if __name__ == "__main__":
    run_tool(main)
