"""Convert published features into the canonical feature store (one h5 file).

    python tools/import_features.py SRC OUT.h5 --layout L --steps-per-second R
        [--videos LIST] [--subset S] [--dim D] [--description TEXT]

Layouts: oat-pickle, npy, npy-rgb-flow, mstcn, hat-npz (see ``oat/datasets/importers.py``).
``--videos`` is a text file with one video id per line (e.g. ``split_train.txt``) or any
annotation file ``read_annotations`` reads (optionally restricted to ``--subset``); every listed
video must be in SRC. The output is written atomically; on error an existing OUT.h5 is untouched.
"""
from __future__ import annotations

import argparse

from oat.cli import run_tool
from oat.datasets.importers import LAYOUTS, import_features


def read_video_list(path: str, subset: str | None) -> list[str]:
    """Video ids from a one-id-per-line text file or from an annotation file."""
    if path.endswith(".txt"):
        if subset is not None:
            raise ValueError(f"{path}: --subset needs an annotation file, not a text list")
        with open(path, encoding="utf-8") as f:
            return [line.strip() for line in f if line.strip()]
    from oat.datasets.readers import read_annotations

    # only the ids matter here, so instances outside their video are not an error
    annotations = read_annotations(path, out_of_video="keep")
    videos = annotations.videos.values() if subset is None else annotations.subset(subset)
    return [v.video_id for v in videos]


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the import."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", help="feature file (oat-pickle) or folder (other layouts)")
    parser.add_argument("out", help="output feature store (.h5)")
    parser.add_argument("--layout", required=True, choices=sorted(LAYOUTS))
    parser.add_argument("--steps-per-second", type=float, required=True,
                        help="nominal feature rate (e.g. 5.0 THUMOS TSN, 1.5625 I3D 25fps/16)")
    parser.add_argument("--videos", help="video list (.txt) or annotation file")
    parser.add_argument("--subset", help="with an annotation file: only this subset's videos")
    parser.add_argument("--dim", type=int, help="expected feature dimension D")
    parser.add_argument("--description", default="", help="free text stored in the file")
    args = parser.parse_args(argv)
    video_ids = read_video_list(args.videos, args.subset) if args.videos else None
    lengths = import_features(args.src, args.out, args.layout, args.steps_per_second,
                              video_ids, args.dim, args.description)
    print(f"\nwrote {len(lengths)} videos, {sum(lengths.values())} steps to {args.out}")


if __name__ == "__main__":
    run_tool(main)
