"""A tiny point-labelled benchmark for the teacher tests, written once per session.

Two classes, four training and two test videos of 32 teacher steps (1.5625 steps/s, 20.48 s)
and 8-d teacher features where class c adds +2 to dimension c inside its instances, so a small
network separates action from background within a few iterations. Student features: 5 steps/s.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import onpoint_ext  # noqa: F401  (registers the teachers into oat.registry)
from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation, write_json_atomic
from oat.datasets.features import write_feature_store
from oat.datasets.points import PointLabel, write_points_csv

TEACHER_RATE, STUDENT_RATE, NUM_TEACHER_STEPS, FEATURE_DIM = 1.5625, 5.0, 32, 8
DURATION = NUM_TEACHER_STEPS / TEACHER_RATE  # 20.48 s
INSTANCES = {  # video -> (subset, [(start s, end s, class)])
    "train_a": ("train", [(2.0, 6.0, 0), (12.0, 15.0, 1)]),
    "train_b": ("train", [(4.0, 9.0, 1)]),
    "train_c": ("train", [(1.0, 4.0, 0), (9.0, 12.0, 0), (15.0, 19.0, 1)]),
    "train_d": ("train", [(8.0, 13.0, 0)]),
    "test_a": ("test", [(3.0, 7.0, 1), (12.0, 16.0, 0)]),
    "test_b": ("test", [(6.0, 11.0, 0)]),
}


def teacher_features(instances, rng: np.random.Generator) -> np.ndarray:
    """(32, 8) features: noise, plus +2 on dimension c over the steps of class-c instances."""
    features = rng.normal(0.0, 0.3, size=(NUM_TEACHER_STEPS, FEATURE_DIM)).astype(np.float32)
    times = np.arange(NUM_TEACHER_STEPS) / TEACHER_RATE
    for start, end, label in instances:
        features[(times >= start) & (times < end), label] += 2.0
    return features


def make_annotations(instances: dict = INSTANCES) -> AnnotationSet:
    videos = {
        video_id: VideoAnnotation(video_id, subset, DURATION, 25.0,
                                  [Segment(s, e, c) for s, e, c in segments])
        for video_id, (subset, segments) in instances.items()
    }
    return AnnotationSet(["jump", "throw"], videos, source="tiny")


@pytest.fixture(scope="session")
def tiny_bench(tmp_path_factory) -> SimpleNamespace:
    """Paths of the tiny benchmark: annotations.json, points.csv, teacher.h5, student.h5."""
    root: Path = tmp_path_factory.mktemp("tiny_bench")
    rng = np.random.default_rng(0)
    annotations = make_annotations()
    write_json_atomic(annotations.to_activitynet(), str(root / "annotations.json"))
    points = [PointLabel(video_id, (s + e) / 2, c)
              for video_id, (subset, segments) in INSTANCES.items() if subset == "train"
              for s, e, c in segments]
    write_points_csv(str(root / "points.csv"), points, annotations.classes)
    write_feature_store(
        str(root / "teacher.h5"),
        [(v, teacher_features(segs, rng)) for v, (_, segs) in INSTANCES.items()],
        TEACHER_RATE, source="tiny", description="tiny teacher view",
    )
    num_student_steps = int(round(DURATION * STUDENT_RATE))
    write_feature_store(
        str(root / "student.h5"),
        [(v, rng.normal(size=(num_student_steps, 4))) for v in INSTANCES],
        STUDENT_RATE, source="tiny", description="tiny student view",
    )
    return SimpleNamespace(
        root=root, annotations=annotations, ann_file=str(root / "annotations.json"),
        points_file=str(root / "points.csv"), teacher_file=str(root / "teacher.h5"),
        student_file=str(root / "student.h5"), num_student_steps=num_student_steps,
    )


@pytest.fixture
def tiny_network_cfg() -> dict:
    """Config of a small HR-Pro network for the tiny benchmark (8-d features, 2 classes)."""
    return dict(type="HRProNetwork", in_channels=FEATURE_DIM, num_classes=2, embed_dim=16,
                num_heads=2, ffn_dim=16)


@pytest.fixture
def tiny_teacher_cfg(tiny_network_cfg) -> dict:
    """Config of a small HRProTeacher."""
    return dict(type="HRProTeacher", network=tiny_network_cfg)


@pytest.fixture
def tiny_runner_cfg(tiny_bench, tiny_teacher_cfg, tmp_path) -> dict:
    """A complete Runner config: HR-Pro on the tiny benchmark, a few iterations, val on test."""
    dataset = dict(type="HRProVideoDataset", ann_file=tiny_bench.ann_file,
                   feature_file=tiny_bench.teacher_file, feat_dim=FEATURE_DIM,
                   points_file=tiny_bench.points_file)
    return dict(
        default_scope="oat",
        work_dir=str(tmp_path / "work"),
        model=tiny_teacher_cfg,
        train_dataloader=dict(
            batch_size=4, num_workers=0, sampler=dict(type="InfiniteSampler", shuffle=True),
            collate_fn=dict(type="pseudo_collate"), dataset=dict(dataset, subset="train")),
        val_dataloader=dict(
            batch_size=1, num_workers=0, sampler=dict(type="DefaultSampler", shuffle=False),
            collate_fn=dict(type="pseudo_collate"),
            dataset=dict(dataset, subset="test", with_ground_truth=True)),
        train_cfg=dict(type="IterBasedTrainLoop", max_iters=3, val_interval=3),
        val_cfg=dict(type="ValLoop"),
        val_evaluator=dict(type="TemporalMAP", unknown_labels="skip"),
        optim_wrapper=dict(optimizer=dict(type="Adam", lr=1e-3, weight_decay=5e-4)),
        custom_hooks=[dict(type="HRProPrototypeInitHook")],
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=3, by_epoch=False),
                           logger=dict(type="LoggerHook", interval=1)),
        log_processor=dict(by_epoch=False),
        randomness=dict(seed=0),
    )
