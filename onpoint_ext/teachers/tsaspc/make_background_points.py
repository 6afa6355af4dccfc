"""Write the background points CSV of an annotation file (teachers-spec §2.8, our choice).

    python -m onpoint_ext.teachers.tsaspc.make_background_points ANNOTATIONS --out CSV
        [--seed 0] [--subsets train] [--min-gap 0] [--no-ends]
"""
import argparse

from oat.cli import run_tool
from oat.datasets.readers import read_annotations
from onpoint_ext.teachers.tsaspc.background_points import (
    sample_background_points,
    write_background_points,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("annotations", help="annotation file (any format read_annotations reads)")
    parser.add_argument("--out", required=True, help="background points CSV to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subsets", nargs="+", default=["train"])
    parser.add_argument("--min-gap", type=float, default=0.0, help="skip shorter gaps (s)")
    parser.add_argument("--no-ends", action="store_true", help="no point in lead-in / tail")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    annotations = read_annotations(args.annotations)
    points = sample_background_points(annotations, args.seed, args.subsets, not args.no_ends,
                                      args.min_gap)
    write_background_points(args.out, points, annotations.classes)
    print(f"{args.out}: {len(points)} background points ({', '.join(args.subsets)}, "
          f"seed {args.seed})")


if __name__ == "__main__":
    run_tool(main)
