"""TSASPC teacher end to end on the built-in ``tiny`` benchmark: dataset, ground-truth isolation,
label schedule hook, a Runner smoke run and the teacher cache tool."""
import json
import runpy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from numpy.testing import assert_array_equal

import onpoint_ext  # noqa: F401  (registers the teachers into oat.registry)
from oat.datasets.points import PointLabel
from oat.datasets.readers import read_annotations
from oat.datasets.synthetic import get_preset, make_benchmark
from oat.registry import DATASETS, HOOKS, MODELS
from onpoint_ext.teachers.cache import TeacherCache, resample_by_time
from onpoint_ext.teachers.tsaspc.background_points import (
    sample_background_points, write_background_points,
)

TOOL = Path(__file__).resolve().parents[3] / "tools" / "cache_teacher.py"
FEATURE_DIM, NUM_CLASSES = 32, 3  # tiny preset: teacher rgb 16 || flow 16, 3 classes


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> SimpleNamespace:
    """The ``tiny`` benchmark (6 train / 3 test videos) plus its background points CSV."""
    root = tmp_path_factory.mktemp("tsaspc_tiny")
    make_benchmark(str(root), get_preset("tiny"), seed=0, progress=False)
    annotations = read_annotations(str(root / "annotations.json"))
    write_background_points(str(root / "background.csv"), sample_background_points(annotations, 0),
                            annotations.classes)
    return SimpleNamespace(root=root, annotations=annotations)


def dataset_cfg(tiny, **overrides) -> dict:
    return {**dict(type="TSASPCVideoDataset", ann_file=str(tiny.root / "annotations.json"),
                   feature_file=str(tiny.root / "teacher.h5"), feat_dim=FEATURE_DIM,
                   points_file=str(tiny.root / "points.csv"),
                   background_points=str(tiny.root / "background.csv")), **overrides}


def teacher_cfg() -> dict:
    network = dict(type="TSASPCNetwork", in_channels=FEATURE_DIM, num_classes=NUM_CLASSES,
                   num_stages=2, num_layers=3, num_maps=8)
    return dict(type="TSASPCTeacher", network=network)


def runner_cfg(tiny, work_dir: Path) -> dict:
    loader = dict(num_workers=0, collate_fn=dict(type="pseudo_collate"))
    return dict(
        default_scope="oat",
        work_dir=str(work_dir),
        model=teacher_cfg(),
        train_dataloader=dict(loader, batch_size=6, sampler=dict(type="DefaultSampler",
                                                                 shuffle=True),
                              dataset=dataset_cfg(tiny, subset="train")),
        val_dataloader=dict(loader, batch_size=1, sampler=dict(type="DefaultSampler",
                                                               shuffle=False),
                            dataset=dataset_cfg(tiny, subset="test", points_file=None,
                                                background_points=None, with_ground_truth=True)),
        train_cfg=dict(type="EpochBasedTrainLoop", max_epochs=2, val_interval=2),
        val_cfg=dict(type="ValLoop"),
        val_evaluator=dict(type="TemporalMAP", unknown_labels="skip"),
        optim_wrapper=dict(optimizer=dict(type="Adam", lr=5e-4)),
        custom_hooks=[dict(type="TSASPCLabelScheduleHook", propagation_start_epoch=2)],
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=2),
                           logger=dict(type="LoggerHook", interval=1)),
        randomness=dict(seed=0),
    )


class ForbiddenSegments(list):
    """Stands in for a video's ground-truth segments: any read fails the test."""

    def _fail(self, *args):
        raise AssertionError("training read the ground-truth segments")

    __iter__ = __len__ = __getitem__ = __bool__ = _fail


def test_items_hold_sorted_action_and_background_stamps(tiny):
    dataset = DATASETS.build(dataset_cfg(tiny))
    assert len(dataset) == 6 and dataset.metainfo["classes"] == ("class_a", "class_b", "class_c")
    item = dataset[0]
    sample = item["data_samples"]
    assert item["inputs"].shape == (sample["num_steps"], FEATURE_DIM)
    assert np.all(np.diff(sample["stamp_steps"]) > 0)
    assert NUM_CLASSES in sample["stamp_labels"]  # background stamps, label C
    assert "gt_segments" not in sample


def test_a_point_outside_its_video_names_the_file_and_the_video(tiny, tmp_path):
    video_id = tiny.annotations.subset("train")[0].video_id
    late = tmp_path / "late.csv"
    write_background_points(str(late), [PointLabel(video_id, 1e4, NUM_CLASSES)],
                            tiny.annotations.classes)
    with pytest.raises(ValueError, match=f"late.csv: video '{video_id}': point time 10000.0 s"):
        DATASETS.build(dataset_cfg(tiny, background_points=str(late)))
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        DATASETS.build(dataset_cfg(tiny, points_file=str(tmp_path / "nope.csv")))


def test_training_never_reads_ground_truth_segments(tiny):
    dataset = DATASETS.build(dataset_cfg(tiny))
    for video in dataset.annotations.videos.values():
        video.segments = ForbiddenSegments()
    torch.manual_seed(0)
    teacher = MODELS.build(teacher_cfg())
    teacher.propagate_labels = True  # exercise PLE and label propagation too
    items = [dataset[i] for i in range(len(dataset))]
    losses = teacher([i["inputs"] for i in items], [i["data_samples"] for i in items], mode="loss")
    assert torch.isfinite(sum(losses.values()))
    assert set(teacher.segment_state) == set(dataset.video_ids)


def test_schedule_hook_switches_propagation_and_carries_segments_in_checkpoints():
    teacher = SimpleNamespace(propagate_labels=False, segment_state={"v": np.array([[0, 4]])})
    runner = SimpleNamespace(model=teacher, epoch=0)
    hook = HOOKS.build(dict(type="TSASPCLabelScheduleHook", propagation_start_epoch=3))
    for epoch, expected in [(0, False), (1, False), (2, True), (5, True)]:
        runner.epoch = epoch  # 0-based: the hook's epochs count from 1
        hook.before_train_epoch(runner)
        assert teacher.propagate_labels is expected
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint["tsaspc_segments"] == {"v": [[0, 4]]}
    teacher.segment_state = {}
    hook.after_load_checkpoint(runner, checkpoint)
    assert_array_equal(teacher.segment_state["v"], [[0, 4]])


def test_runner_trains_with_the_label_schedule_saves_and_evaluates(tiny, tmp_path):
    runner = Runner.from_cfg(Config(runner_cfg(tiny, tmp_path / "work")))
    runner.train()
    teacher = runner.model
    assert teacher.propagate_labels  # epoch 2 >= propagation_start_epoch
    assert len(teacher.segment_state) == 6
    checkpoint = torch.load(tmp_path / "work" / "epoch_2.pth", weights_only=False)
    assert set(checkpoint["tsaspc_segments"]) == set(teacher.segment_state)
    scalars = [json.loads(line) for line in
               next((tmp_path / "work").glob("*/vis_data/scalars.json")).read_text().splitlines()]
    rates = [s["label_rate"] for s in scalars if "label_rate" in s]
    assert len(rates) == 2 and rates[1] > rates[0]  # propagation labels far more steps
    metrics = runner.val_loop.run()
    assert 0.0 <= metrics["avg_0.1:0.7"] <= 1.0


def test_cache_tool_freezes_tsaspc_cas_and_segments(tiny, tmp_path, monkeypatch):
    config = tmp_path / "teacher.py"
    Config(runner_cfg(tiny, tmp_path / "work")).dump(str(config))
    torch.manual_seed(0)
    checkpoint = tmp_path / "teacher.pth"
    torch.save({"state_dict": MODELS.build(teacher_cfg()).state_dict()}, checkpoint)
    out, report = tmp_path / "cache.h5", tmp_path / "quality.json"
    monkeypatch.setattr("sys.argv", [
        "cache_teacher.py", str(config), str(checkpoint), "--out", str(out),
        "--student-features", str(tiny.root / "student.h5"), "--keep-teacher-grid",
        "--quality-report", str(report)])
    runpy.run_path(str(TOOL), run_name="__main__")
    cache = TeacherCache(str(out), expect=dict(teacher_type="TSASPCTeacher", split="train",
                                               num_classes=NUM_CLASSES, cas_grid="student"))
    assert len(cache.video_ids) == 6
    video_id = cache.video_ids[0]
    teacher_grid = cache.cas_teacher_grid(video_id)
    assert teacher_grid.shape[1] == NUM_CLASSES + 1
    np.testing.assert_allclose(teacher_grid.sum(axis=1), 1.0, rtol=1e-5)
    duration = tiny.annotations.videos[video_id].duration
    np.testing.assert_allclose(cache.cas(video_id), resample_by_time(
        teacher_grid, duration, len(cache.cas(video_id))))
    assert np.all(cache.segments(video_id).labels < NUM_CLASSES)
    assert {"precision", "recall", "frame_accuracy"} <= set(json.loads(report.read_text()))
