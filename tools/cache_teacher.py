"""Run a trained teacher over one split and freeze its outputs in a teacher cache (h5).

    python tools/cache_teacher.py CONFIG CHECKPOINT --split train --out CACHE.h5
        [--student-features FILE] [--keep-teacher-grid] [--quality-report REPORT.json]
        [--cfg-options k=v ...]

Per video the cache holds the teacher CAS (resampled by time onto the student's steps when
``--student-features`` is given, else on the teacher's own steps) and its pseudo segments;
file attrs record the provenance (``onpoint_ext.teachers.cache``). ``--quality-report`` also
scores the pseudo labels against the split's ground truth (diagnostics only).
"""
import argparse
import dataclasses
import os

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

from oat.cli import run_tool
from oat.datasets.annotations import write_json_atomic
from oat.datasets.features import FeatureStore
from oat.models.weights import load_model_weights
from oat.registry import DATASETS, MODELS
from onpoint_ext.teachers.cache import (
    code_version,
    feature_file_identity,
    file_sha256,
    teacher_cache_entries,
    text_sha256,
    write_teacher_cache,
)
from onpoint_ext.teachers.quality import format_quality, pseudo_label_quality


def parse_args() -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint")
    parser.add_argument("--split", default="train", choices=["train", "val", "test"])
    parser.add_argument("--out", required=True, help="cache file to write (h5)")
    parser.add_argument("--student-features", help="student feature h5: resample the CAS onto it")
    parser.add_argument("--keep-teacher-grid", action="store_true",
                        help="also store the CAS on the teacher's own steps")
    parser.add_argument("--quality-report", help="write pseudo-label quality (json) here")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, default={})
    return parser.parse_args()


def main() -> None:
    """Build the teacher, run it over the split, write the cache (and the quality report)."""
    args = parse_args()
    if not os.path.isfile(args.config):
        raise FileNotFoundError(f"config not found: {args.config}")
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get("default_scope", "oat"))
    teacher = MODELS.build(cfg.model)
    if not os.path.isfile(args.checkpoint):
        raise FileNotFoundError(f"checkpoint not found: {args.checkpoint}")
    load_model_weights(teacher, args.checkpoint)
    dataset_cfg = dict(cfg.train_dataloader.dataset, subset=args.split, holdout="all")
    dataset = DATASETS.build(dataset_cfg)
    student = FeatureStore(args.student_features) if args.student_features else None
    print_log(f"caching {cfg.model.type} outputs of {len(dataset)} {args.split} videos",
              logger="current")
    progress, entries = ProgressBar(len(dataset)), []
    for entry in teacher_cache_entries(teacher, dataset, student):
        entries.append(entry)
        progress.update()
    if args.quality_report:
        outputs = {vid: (video.cas_teacher_grid, video.segments) for vid, video in entries}
        report = pseudo_label_quality(dataset.annotations, outputs)
        write_json_atomic(report, args.quality_report)
        print_log(format_quality(report), logger="current")
    if not args.keep_teacher_grid:
        entries = [(vid, dataclasses.replace(video, cas_teacher_grid=None))
                   for vid, video in entries]
    teacher_file = dataset_cfg["feature_file"]
    provenance = dict(
        teacher_type=cfg.model.type,
        teacher_config_sha256=text_sha256(cfg.pretty_text),
        teacher_checkpoint_sha256=file_sha256(args.checkpoint),
        teacher_features=feature_file_identity(teacher_file),
        teacher_features_path=os.path.abspath(teacher_file),
        student_features=feature_file_identity(args.student_features) if student else "",
        student_features_path=os.path.abspath(args.student_features) if student else "",
        code_version=code_version(),
        num_classes=teacher.num_classes,
        class_names=list(dataset.metainfo["classes"]),
        split=args.split,
        cas_grid="student" if student else "teacher",
    )
    write_teacher_cache(args.out, entries, provenance)
    print_log(f"wrote {args.out} ({len(entries)} videos)", logger="current")


if __name__ == "__main__":
    run_tool(main)
