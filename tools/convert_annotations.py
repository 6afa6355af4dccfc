"""Merge public annotation files into one canonical annotation json (what the configs read).

    python tools/convert_annotations.py OUT.json [--as-is FILE ...] [--train FILE ...]
        [--val FILE ...] [--test FILE ...] [--task verb|noun] [--subset-map WORD=SUBSET ...]
        [--classes NAMES.txt] [--videos LIST ...] [--out-of-video error|keep|drop]

Every input is read with ``oat.datasets.readers.read_annotations`` (format detected from the
file). ``--as-is`` files keep the subsets they declare; files given under ``--train``/``--val``/
``--test`` put all their videos into that subset (EPIC-100: the UDA files are training videos
and ``EPIC_100_validation.csv`` is the evaluation split). All inputs must share one class list
(EPIC's come from its class CSV, so they do). ``--videos`` keeps only the listed videos (text
files with one id per line, e.g. THUMOS' ``split_train.txt split_test.txt``); a listed video
that no input has is an error. ``--classes`` fixes the class list of json inputs (one name per
line, in index order; default: the sorted names found in the file); EPIC CSVs take theirs from
the class CSV beside them. The output is written atomically.

Examples (docs/datasets.md):
    python tools/convert_annotations.py data/epic100/annotations_verb.json --task verb \
        --train EPIC_100_uda_source_train.csv EPIC_100_uda_source_val.csv \
        EPIC_100_uda_target_val.csv --test EPIC_100_validation.csv
    python tools/convert_annotations.py data/fineaction/annotations.json \
        --as-is annotations_gt.json --subset-map training=train validation=test
"""
from __future__ import annotations

import argparse
import dataclasses

from oat.cli import run_tool
from oat.datasets.annotations import SUBSETS, AnnotationSet, write_json_atomic
from oat.datasets.readers import read_annotations


def read_input(path: str, subset: str | None, task: str | None, subset_map: dict | None,
               classes: list[str] | None, out_of_video: str) -> AnnotationSet:
    """One input file; with ``subset`` every video is moved into it."""
    options = dict(out_of_video=out_of_video)
    if path.lower().endswith(".csv"):
        options.update(task=task or "verb", subset=subset)
    else:
        options.update(classes=classes)
        if subset_map:
            options.update(subset_map=subset_map)
    annotations = read_annotations(path, **options)
    if subset is not None:
        annotations.videos = {video_id: dataclasses.replace(video, subset=subset)
                              for video_id, video in annotations.videos.items()}
    return annotations


def merge_annotations(parts: list[AnnotationSet]) -> AnnotationSet:
    """One set holding every video of ``parts``; class lists must be equal, ids unique."""
    first = parts[0]
    videos = {}
    for part in parts:
        if part.classes != first.classes:
            raise ValueError(f"{part.source}: its classes differ from those of {first.source} "
                             f"({len(part.classes)} vs {len(first.classes)} classes); "
                             "merge files of one class list (json inputs: give --classes)")
        for video_id, video in part.videos.items():
            if video_id in videos:
                raise ValueError(f"{part.source}: video {video_id!r} is also in another input")
            videos[video_id] = video
    sources = " + ".join(part.source for part in parts)
    return AnnotationSet(list(first.classes), videos, source=sources)


def read_lines(paths: list[str]) -> list[str]:
    """Non-empty lines of text files (video ids, class names), stripped, in order."""
    lines = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            lines += [line.strip() for line in f if line.strip()]
    return lines


def keep_videos(annotations: AnnotationSet, video_ids: list[str], lists: list[str]) -> None:
    """Restrict ``annotations`` to ``video_ids`` (in place); unknown ids are an error."""
    video_ids = list(dict.fromkeys(video_ids))  # a video listed twice is kept once
    unknown = [video_id for video_id in video_ids if video_id not in annotations.videos]
    if unknown:
        raise ValueError(f"{', '.join(lists)}: {len(unknown)} listed videos are in no input, "
                         f"e.g. {unknown[:3]}")
    annotations.videos = {video_id: annotations.videos[video_id] for video_id in video_ids}


def parse_subset_map(pairs: list[str] | None) -> dict[str, str] | None:
    """``["training=train", ...]`` -> ``{"training": "train", ...}`` (canonical subsets only)."""
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        word, _, subset = pair.partition("=")
        if not word or subset not in SUBSETS:
            raise ValueError(f"--subset-map {pair!r}: expected WORD=SUBSET with SUBSET in "
                             f"{SUBSETS}")
        mapping[word] = subset
    return mapping


def main() -> None:
    """Read, merge, restrict and write (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="canonical annotation json to write")
    parser.add_argument("--as-is", nargs="+", default=[], help="files that keep their subsets")
    for subset in SUBSETS:
        parser.add_argument(f"--{subset}", nargs="+", default=[],
                            help=f"files whose videos all go into subset {subset!r}")
    parser.add_argument("--task", choices=("verb", "noun"), help="EPIC-100 CSV: class field")
    parser.add_argument("--subset-map", nargs="+", metavar="WORD=SUBSET",
                        help="--as-is json files: subset words -> canonical subsets")
    parser.add_argument("--classes", help="json inputs: class names, one per line, index order")
    parser.add_argument("--videos", nargs="+", default=[], help="keep only these video ids")
    parser.add_argument("--out-of-video", choices=("error", "keep", "drop"), default="error",
                        help="instances outside their video (see oat.datasets.annotations)")
    args = parser.parse_args()
    subset_map = parse_subset_map(args.subset_map)
    inputs = [(path, None) for path in args.as_is]
    inputs += [(path, subset) for subset in SUBSETS for path in getattr(args, subset)]
    if not inputs:
        raise ValueError("no input: give --as-is, --train, --val or --test files")
    classes = read_lines([args.classes]) if args.classes else None
    merged = merge_annotations([
        read_input(path, subset, args.task, subset_map, classes, args.out_of_video)
        for path, subset in inputs])
    if args.videos:
        keep_videos(merged, read_lines(args.videos), args.videos)
    write_json_atomic(merged.to_activitynet(), args.out)
    counts = ", ".join(f"{subset}: {len(merged.subset(subset))} videos / "
                       f"{merged.num_instances(subset)} instances"
                       for subset in SUBSETS if merged.subset(subset))
    print(f"wrote {args.out}: {merged.num_classes} classes; {counts}")


if __name__ == "__main__":
    run_tool(main)
