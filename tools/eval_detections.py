"""Score a detection results json against ground truth: temporal mAP and online timing.

    python tools/eval_detections.py GT.json RESULTS.json [--subset test] [--tiou 0.3 0.5 0.7]
        [--json OUT.json] [--unknown-labels error|skip] [--per-class]

GT is any file ``oat.datasets.readers.read_annotations`` reads (OAT json, gt_full.json, our
canonical json, ...). Prints a table (tIoU, mAP in %, averages, AEDT) and the emission delays;
``--json`` also writes every number. Predictions of videos outside the subset count as false
positives (ActivityNet reference behaviour); their number is printed.
"""
import argparse

from oat.cli import run_tool
from oat.datasets.annotations import write_json_atomic
from oat.datasets.readers import read_annotations
from oat.evaluation.metric import format_map_table, format_per_class_table
from oat.evaluation.results import ground_truth_of_subset, read_results_json, to_json_value
from oat.evaluation.tal_map import DEFAULT_TIOU_THRESHOLDS, evaluate_detections


def parse_args() -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gt", help="ground-truth annotation file")
    parser.add_argument("results", help="ActivityNet-style results json")
    parser.add_argument("--subset", default="test", help="canonical subset: train, val or test")
    parser.add_argument("--tiou", type=float, nargs="+", default=list(DEFAULT_TIOU_THRESHOLDS),
                        help="tIoU thresholds (default 0.1 ... 0.7)")
    parser.add_argument("--json", help="also write all numbers to this json file")
    parser.add_argument("--unknown-labels", choices=("error", "skip"), default="error",
                        help="predictions of a class without GT in the subset")
    parser.add_argument("--out-of-video", choices=("keep", "drop", "error"), default="keep",
                        help="GT instances outside their video (default keep, like upstream OAT)")
    parser.add_argument("--per-class", action="store_true", help="also print AP per class")
    return parser.parse_args()


def main() -> None:
    """Read GT and results, evaluate, print the table, write the optional json."""
    args = parse_args()
    annotations = read_annotations(args.gt, out_of_video=args.out_of_video)
    ground_truth = ground_truth_of_subset(annotations, args.subset)
    if not ground_truth:
        raise ValueError(f"{args.gt}: no video in subset {args.subset!r}")
    predictions = read_results_json(args.results, annotations.classes)
    outside = [vid for vid in predictions if vid not in ground_truth]
    result = evaluate_detections(ground_truth, predictions, annotations.classes, args.tiou,
                                 args.unknown_labels)
    print(f"{args.subset}: {len(ground_truth)} videos, {result['num_gt']} GT, "
          f"{result['num_predictions']} predictions in {len(predictions)} videos "
          f"({len(outside)} videos outside the subset: all false positives)")
    print(format_map_table(result))
    if args.per_class:
        print(format_per_class_table(result))
    if args.json:
        summary = dict(result, gt=args.gt, results=args.results, subset=args.subset)
        write_json_atomic(to_json_value(summary), args.json)
        print(f"written: {args.json}")


if __name__ == "__main__":
    run_tool(main)
