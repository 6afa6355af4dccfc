"""Writes a benchmark folder: annotations.json, points.csv, student.h5, teacher.h5, meta.json.

All five files are first written (each atomically) into a staging folder inside the output
folder, then moved into place with ``os.replace``, ``meta.json`` last. A failure at any point
removes the staging folder and leaves the files of an earlier run untouched.
"""
from __future__ import annotations

import csv
import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone

from mmengine.utils import ProgressBar

import oat
from oat.datasets.annotations import AnnotationSet, write_json_atomic
from oat.datasets.features import write_feature_store
from oat.datasets.points import (
    PointLabel,
    read_lacp_points,
    read_points_csv,
    sample_gaussian_points,
    write_points_csv,
)
from oat.datasets.readers import read_annotations
from oat.datasets.synthetic.generator import VIEWS, FeatureGenerator, num_steps_for
from oat.datasets.synthetic.presets import generator_of
from oat.datasets.synthetic.specs import BenchmarkPreset
from oat.datasets.synthetic.statistics import timeline_statistics
from oat.datasets.synthetic.timelines import generate_timelines

GENERATOR_VERSION = "1.0"
OUTPUT_FILES = ("annotations.json", "points.csv", "student.h5", "teacher.h5", "meta.json")


def make_benchmark(
    out_dir: str,
    preset: BenchmarkPreset,
    seed: int,
    timelines: str | None = None,
    points: str | None = None,
    out_of_video: str = "drop",
    progress: bool = True,
) -> dict:
    """Generate one benchmark into ``out_dir`` and return its meta record.

    Args:
        timelines: a real annotation file (any format of ``read_annotations``) used instead of
            generated timelines; ``out_of_video`` says what to do with its instances that lie
            outside their video (features cannot show them; default: drop, logged).
        points: real point labels for ``timelines`` (canonical CSV or LACP's CSV); default:
            Gaussian points sampled from the training instances.
    """
    if points is not None and timelines is None:
        raise ValueError("--points needs --timelines (points must match the timelines)")
    started = time.time()
    if timelines is None:
        annotations = generate_timelines(preset, seed)
    else:
        annotations = read_annotations(timelines, out_of_video=out_of_video)
    train_points = _training_points(annotations, seed, points)
    os.makedirs(out_dir, exist_ok=True)
    stage = tempfile.mkdtemp(dir=out_dir, prefix=".make_benchmark-")
    try:
        generator = FeatureGenerator(preset, annotations, seed)
        for view in VIEWS:
            write_feature_store(
                os.path.join(stage, f"{view}.h5"),
                _rendered(generator, annotations, view, progress),
                steps_per_second=generator.view(view).rate,
                source=_source(preset, seed),
                description=_layout(generator.view(view), view),
            )
        write_json_atomic(annotations.to_activitynet(), os.path.join(stage, "annotations.json"))
        write_points_csv(os.path.join(stage, "points.csv"), train_points, annotations.classes)
        meta = _meta(preset, seed, annotations, train_points, generator, stage,
                     timelines=timelines, points=points, out_of_video=out_of_video)
        meta["generation"]["seconds"] = round(time.time() - started, 3)
        write_json_atomic(meta, os.path.join(stage, "meta.json"))
        for name in OUTPUT_FILES:  # meta.json last: its presence marks a complete folder
            os.replace(os.path.join(stage, name), os.path.join(out_dir, name))
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return meta


def _training_points(annotations: AnnotationSet, seed: int, path: str | None) -> list[PointLabel]:
    """Points of the training videos: read from ``path`` or sampled (Gaussian rule)."""
    if path is None:
        return sample_gaussian_points(annotations, seed, subsets=("train",))
    if not os.path.isfile(path):
        raise FileNotFoundError(f"point label file not found: {path}")
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f), [])
    if "time" in header:
        durations = {v.video_id: v.duration for v in annotations.videos.values()}
        points = read_points_csv(path, annotations.classes, durations)
    else:
        points = read_lacp_points(path, annotations)
    train = {v.video_id for v in annotations.subset("train")}
    unknown = sorted({p.video_id for p in points} - set(annotations.videos))
    if unknown:
        raise ValueError(f"{path}: video {unknown[0]!r} is not in the timelines "
                         f"({len(unknown)} unknown videos)")
    return [p for p in points if p.video_id in train]


def _rendered(generator, annotations, view, progress) -> Iterator[tuple[str, object]]:
    """``(video_id, features)`` for every video, with a progress bar over videos."""
    videos = list(annotations.videos.values())
    bar = ProgressBar(len(videos)) if progress else None
    for video in videos:
        yield video.video_id, generator.render(video, view)
        if bar is not None:
            bar.update()
    if bar is not None:
        print(f"  {view}.h5 done", flush=True)


def _source(preset: BenchmarkPreset, seed: int) -> str:
    """The h5 ``source`` attribute; the generator is named only when it is not ``plain`` (so the
    files of the issue-2 presets stay as they were)."""
    source = f"oat.datasets.synthetic {GENERATOR_VERSION} preset={preset.name} seed={seed}"
    generator = generator_of(preset)
    return source if generator == "plain" else f"{source} generator={generator}"


def _layout(view, name: str) -> str:
    """Human-readable stream layout of a view, stored in the h5 ``description``."""
    parts, start = [], 0
    for stream in view.streams:
        parts.append(f"[{start}, {start + stream.dim}) {stream.name}")
        start += stream.dim
    return f"synthetic {name} features, {view.rate} steps/s: " + ", ".join(parts)


def _meta(preset, seed, annotations, train_points, generator, stage, **sources) -> dict:
    """Every parameter, the seed, sizes and statistics of one generated benchmark."""
    sizes = {
        "classes": annotations.num_classes,
        "points": len(train_points),
        "bytes": {name: os.path.getsize(os.path.join(stage, name)) for name in OUTPUT_FILES[:-1]},
    }
    for subset in ("train", "val", "test"):
        videos = annotations.subset(subset)
        if videos:
            sizes[subset] = {
                "videos": len(videos),
                "instances": annotations.num_instances(subset),
                **{f"{view}_steps": sum(num_steps_for(v.duration, generator.view(view).rate)
                                        for v in videos) for view in VIEWS},
            }
    return {
        "generator": "oat.datasets.synthetic",
        "generator_version": GENERATOR_VERSION,
        "feature_generator": generator_of(preset),
        "oat_version": oat.__version__,
        "preset": preset.name,
        "seed": int(seed),
        "parameters": dataclasses.asdict(preset),
        "timelines": {"source": sources["timelines"] or "generated",
                      "out_of_video": sources["out_of_video"] if sources["timelines"] else None,
                      "classes": list(annotations.classes)},
        "points": {"source": sources["points"] or "sample_gaussian_points(seed, train)"},
        "confusable_pairs": [[annotations.classes[a], annotations.classes[b]]
                             for a, b in generator.confusable_pairs],
        "views": {view: {"steps_per_second": generator.view(view).rate,
                         "feature_dim": generator.view(view).dim,
                         "layout": _layout(generator.view(view), view)} for view in VIEWS},
        "sizes": sizes,
        "statistics": {subset: timeline_statistics(annotations, subset)
                       for subset in ("train", "val", "test") if annotations.subset(subset)},
        "generation": {"utc": datetime.now(timezone.utc).isoformat(timespec="seconds")},
    }
