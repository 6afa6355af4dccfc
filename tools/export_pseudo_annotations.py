"""Write a teacher cache's pseudo segments as a ground-truth annotation json (ActivityNet style).

    python tools/export_pseudo_annotations.py --cache teacher_cache.h5 \
        --ann-file annotations.json --subset train --out pseudo_train.json

Every video of ``--subset`` in ``--ann-file`` keeps its subset, duration and fps; its
``annotations`` become the cache's pseudo segments (class names from the cache's
``class_names``). Videos of other subsets are left out, so the file holds only what the teacher
labelled. Used by ``benchmarks/select_gamma.py`` to score students on held-out TRAINING videos
without any ground-truth segment. Every video of the subset must be in the cache (an error names
the first missing one); the written file is replaced atomically.
"""
from __future__ import annotations

import argparse
import json

from oat.datasets.annotations import write_json_atomic
from onpoint_ext.teachers.cache import TeacherCache


def pseudo_annotations(cache: TeacherCache, annotations: dict, subset: str, source: str) -> dict:
    """The ``annotations`` json dict with ``subset``'s videos labelled by the cache's segments."""
    classes = list(cache.provenance["class_names"])
    database = {}
    for video_id, video in annotations["database"].items():
        if video.get("subset") != subset:
            continue
        if video_id not in cache:
            raise KeyError(f"{cache.path}: video {video_id!r} of subset {subset!r} in {source} "
                           "is not in the teacher cache")
        pseudo = cache.segments(video_id)
        rows = [{"segment": [float(s), float(e)], "label": classes[int(c)], "label_id": int(c)}
                for (s, e), c in zip(pseudo.segments, pseudo.labels)]
        database[video_id] = {**video, "annotations": rows}
    if not database:
        raise ValueError(f"{source}: no video in subset {subset!r}")
    return {**annotations, "database": database}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", required=True, help="teacher cache h5")
    parser.add_argument("--ann-file", required=True, help="the dataset's annotation json")
    parser.add_argument("--subset", default="train")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.ann_file) as f:
        annotations = json.load(f)
    if "database" not in annotations:
        raise ValueError(f"{args.ann_file}: expected an ActivityNet-style json with 'database'")
    out = pseudo_annotations(TeacherCache(args.cache), annotations, args.subset, args.ann_file)
    write_json_atomic(out, args.out)
    print(f"{args.out}: {len(out['database'])} videos, "
          f"{sum(len(v['annotations']) for v in out['database'].values())} pseudo segments")


if __name__ == "__main__":
    main()
