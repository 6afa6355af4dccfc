"""Write point labels in the canonical CSV (``video_id,class,class_index,time``).

    python tools/convert_points.py OUT.csv --annotations ANN --lacp POINTS.csv [--fps FPS.json]
    python tools/convert_points.py OUT.csv --annotations ANN --gaussian --seed S
        [--subsets train] [--out-of-video keep]

``--lacp``: LACP / HR-Pro ``point_gaussian.csv`` (frame indices at the native fps; fps from
``--fps``, e.g. LACP's ``fps_dict.json``, else from the annotation file). Only ``video_id``,
``class``/``class_index`` and ``point`` are read (``oat.datasets.points.read_lacp_points``).
``--gaussian``: one point per instance of the ``--subsets`` videos, drawn from
``N(midpoint, (duration / 6)^2)`` clipped to the instance, seeded (onpoint-spec §4: every
dataset but THUMOS'14). Points of videos outside ``--subsets`` are never written. The class list
is the annotation file's, so the CSV matches the configs that read that file.
"""
from __future__ import annotations

import argparse
from collections import Counter

from oat.cli import run_tool
from oat.datasets.points import read_lacp_points, sample_gaussian_points, write_points_csv
from oat.datasets.readers import read_annotations


def main() -> None:
    """Read the annotations, make or convert the points, write them (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="canonical points CSV to write")
    parser.add_argument("--annotations", required=True, help="annotation file the points follow")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--lacp", help="LACP/HR-Pro point_gaussian.csv to convert")
    source.add_argument("--gaussian", action="store_true", help="sample Gaussian points")
    parser.add_argument("--fps", help="--lacp: {video: fps} json (LACP's fps_dict.json)")
    parser.add_argument("--seed", type=int, default=0, help="--gaussian: random seed")
    parser.add_argument("--subsets", nargs="+", default=["train"],
                        help="videos of these subsets get points (default: train)")
    parser.add_argument("--out-of-video", choices=("error", "keep", "drop"), default="error",
                        help="annotation instances outside their video (THUMOS: keep)")
    args = parser.parse_args()
    if args.fps and not args.lacp:
        raise ValueError("--fps applies to --lacp only")
    annotations = read_annotations(args.annotations, out_of_video=args.out_of_video)
    if args.lacp:
        subsets = set(args.subsets)
        points = [p for p in read_lacp_points(args.lacp, annotations, args.fps)
                  if annotations.videos[p.video_id].subset in subsets]
    else:
        points = sample_gaussian_points(annotations, args.seed, subsets=args.subsets)
    if not points:
        raise ValueError(f"{args.lacp or args.annotations}: no point for subsets {args.subsets}")
    write_points_csv(args.out, points, annotations.classes)
    per_video = Counter(p.video_id for p in points)
    print(f"wrote {args.out}: {len(points)} points in {len(per_video)} videos "
          f"(subsets {', '.join(args.subsets)}; {annotations.num_classes} classes)")


if __name__ == "__main__":
    run_tool(main)
