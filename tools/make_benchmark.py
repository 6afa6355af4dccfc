"""Write the built-in semi-synthetic benchmark: real timeline statistics, generated features.

    python tools/make_benchmark.py --preset thumos14-mini --out work_dirs/bench/thumos14-mini \
        [--seed 0] [--generator {pre-action,plain}]
        [--timelines ANNOTATIONS [--points POINTS.csv] [--out-of-video drop]]

Writes OUT/annotations.json, points.csv (training videos), student.h5, teacher.h5, meta.json
(see docs/benchmark.md). The same arguments give the same annotations, points and features.
``--generator`` overrides the preset's feature generator: the issue-2 presets use ``plain`` (no
context before an action), the newer ones (``thumos14-mini-pa``, ``-wide``) ``pre-action``.
"""
import argparse

from oat.cli import run_tool
from oat.datasets.synthetic import PRESETS, get_preset, make_benchmark
from oat.datasets.synthetic.presets import GENERATORS, generator_of, with_generator


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", required=True, choices=sorted(PRESETS),
                        help="sizes, statistics, feature rates and dims")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="random seed (>= 0)")
    parser.add_argument("--generator", choices=GENERATORS,
                        help="feature generator (default: the preset's own)")
    parser.add_argument("--timelines", help="real annotation file used instead of generated "
                        "timelines (any format oat.datasets.readers reads)")
    parser.add_argument("--points", help="real point labels for --timelines (canonical or LACP "
                        "CSV); default: Gaussian points sampled from the training instances")
    parser.add_argument("--out-of-video", choices=("drop", "keep", "error"), default="drop",
                        help="--timelines instances outside their video (features cannot show "
                        "them; default drop)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    preset = with_generator(get_preset(args.preset), args.generator)
    meta = make_benchmark(args.out, preset, args.seed, timelines=args.timelines,
                          points=args.points, out_of_video=args.out_of_video,
                          progress=not args.quiet)
    sizes = meta["sizes"]
    total = sum(sizes["bytes"].values()) / 2**20
    subsets = ", ".join(f"{s}: {sizes[s]['videos']} videos / {sizes[s]['instances']} instances"
                        for s in ("train", "val", "test") if s in sizes)
    print(f"{args.out}: preset {args.preset} ({generator_of(preset)}), seed {args.seed}, "
          f"{subsets}, "
          f"{sizes['points']} points, {total:.1f} MiB, {meta['generation']['seconds']:.1f} s")


if __name__ == "__main__":
    run_tool(main)
