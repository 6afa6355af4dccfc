"""The paper's five datasets end to end through the documented commands (docs/datasets.md).

Per dataset: REAL annotation files from ../shared/data where they are public (THUMOS'14: OAT's
json + LACP points; EGTEA: HAT split 1; EPIC-100: a UDA file as train + the validation CSV as
test), restricted to their 3 shortest training and 2 shortest test videos; HOI4D-O and
FineAction have no public annotations, so the generator's ``hoi4d`` / ``fineaction`` preset
timelines stand in (12 and 106 classes, the documented counts). Features are GENERATED
(random, non-negative) with the real dimension and rate, written in the public release layout
and imported with tools/import_features.py. Then the dataset's own configs run through the
tools: teacher training (2 iterations), teacher cache, OnPoint training (2 iterations) and the
streaming test. Only the network WIDTHS are shrunk (``--cfg-options``); feature dims, rates,
windows, anchors and class counts stay the real ones. Slow part: each test runs 4 Runners
(a few seconds each on 2 CPU cores).
"""
from __future__ import annotations

import csv
import dataclasses
import json
import pickle
import runpy
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from oat.datasets.annotations import write_json_atomic
from oat.datasets.features import FeatureStore
from oat.datasets.readers import read_annotations
from oat.datasets.synthetic import get_preset
from oat.datasets.synthetic.specs import LogNormal
from oat.datasets.synthetic.timelines import generate_timelines

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs"

# Widths only: every network keeps its structure, input dim, window, anchors and classes.
STUDENT = dict(embed_dim=16, encoder=dict(num_layers=1, num_heads=2, ffn_dim=32),
               decoder=dict(num_layers=1, num_heads=2, ffn_dim=32))
TWO_ITERATIONS = [  # the students' epoch schedule becomes 2 iterations
    "train_cfg._delete_=True", "train_cfg.type=IterBasedTrainLoop", "train_cfg.max_iters=2",
    "train_cfg.val_interval=2", "default_hooks.checkpoint.by_epoch=False",
    "default_hooks.checkpoint.interval=2", "log_processor.by_epoch=False",
    "train_dataloader.batch_size=8", "train_dataloader.num_workers=0",
    "train_dataloader.persistent_workers=False",
]
HRPRO = ["model.network.embed_dim=32", "model.network.num_heads=2", "model.network.ffn_dim=32"]
HRPRO_RUN = ["train_cfg.max_iters=2", "train_cfg.val_interval=2", "train_dataloader.batch_size=3",
             "train_dataloader.num_workers=0", "train_dataloader.persistent_workers=False",
             "default_hooks.checkpoint.interval=2"]
TSASPC = ["model.network.num_stages=2", "model.network.num_layers=3", "model.network.num_maps=8"]
TSASPC_RUN = ["train_cfg.max_epochs=2", "train_cfg.val_interval=2",
              "default_hooks.checkpoint.interval=2"]


@pytest.fixture
def work(monkeypatch):
    """A SHORT temporary folder: mmengine formats every config with yapf, whose search time
    explodes with strings longer than a line (pytest's own folders run to 80 characters)."""
    folder = Path(tempfile.mkdtemp(prefix="oat-"))
    monkeypatch.chdir(REPO)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def student_options(prefix: str) -> list[str]:
    """``--cfg-options`` shrinking the OAT student at ``prefix`` (``model.student``, ...)."""
    options = [f"{prefix}.embed_dim={STUDENT['embed_dim']}"]
    for part in ("encoder", "decoder"):
        options += [f"{prefix}.{part}.{key}={value}" for key, value in STUDENT[part].items()]
    return options


class Pipeline:
    """One dataset's run: files in ``root``; tools run in this process, as ``python tools/X``."""

    def __init__(self, root: Path, monkeypatch):
        self.root = root
        self.monkeypatch = monkeypatch

    def tool(self, name: str, *argv) -> None:
        """Run ``tools/<name>`` with ``argv``; a bad-input exit fails the test with its message."""
        self.monkeypatch.setattr(sys, "argv", [name, *map(str, argv)])
        runpy.run_path(str(REPO / "tools" / name), run_name="__main__")

    def env(self, **variables) -> None:
        """Environment variables the configs read (``{{$NAME:default}}``)."""
        for name, value in variables.items():
            self.monkeypatch.setenv(name, str(value))

    def write_list(self, name: str, lines) -> Path:
        path = self.root / name
        path.write_text("".join(f"{line}\n" for line in lines))
        return path

    def train(self, config: str, work: str, *options: str) -> Path:
        """tools/train.py; returns the last checkpoint."""
        work_dir = self.root / work
        self.tool("train.py", CONFIGS / config, "--work-dir", work_dir, "--cfg-options", *options)
        return Path((work_dir / "last_checkpoint").read_text().strip())

    def teacher_and_onpoint(self, teacher: str, teacher_options: list[str], onpoint: str,
                            student_h5: Path, num_classes: int) -> dict:
        """Train the teacher, cache it on the student's steps, train OnPoint, test it."""
        from onpoint_ext.teachers.cache import TeacherCache

        checkpoint = self.train(teacher, "teacher", *teacher_options)
        cache = self.root / "teacher_cache.h5"
        model_options = [o for o in teacher_options if o.startswith("model.")]
        self.tool("cache_teacher.py", CONFIGS / teacher, checkpoint, "--split", "train", "--out",
                  cache, "--student-features", student_h5, "--cfg-options", *model_options)
        frozen, student = TeacherCache(str(cache)), FeatureStore(str(student_h5))
        assert len(frozen.video_ids) == 3  # every training video, on the student's steps
        for video_id in frozen.video_ids:
            assert frozen.cas(video_id).shape == (student.num_steps(video_id), num_classes + 1)
        self.env(ONPOINT_TEACHER_CACHE=cache)
        student = student_options("model.student")
        checkpoint = self.train(onpoint, "onpoint", *student, *TWO_ITERATIONS)
        metrics = self.root / "metrics.json"
        self.tool("test.py", CONFIGS / onpoint, checkpoint, "--work-dir", self.root / "test",
                  "--metrics-out", metrics, "--cfg-options", *student)
        return json.loads(metrics.read_text())


def random_features(num_steps: int, dim: int, seed: int) -> np.ndarray:
    """Non-negative float32 ``(T, dim)`` (post-ReLU-like) features."""
    return np.random.default_rng(seed).random((num_steps, dim), dtype=np.float32)


def shortest(annotations, subset: str, count: int, exclude=()) -> list[str]:
    """Ids of the ``count`` shortest videos of ``subset`` with at least one instance."""
    videos = [v for v in annotations.subset(subset) if v.segments and v.video_id not in exclude]
    return [v.video_id for v in sorted(videos, key=lambda v: (v.duration, v.video_id))[:count]]


def assert_streaming_metrics(metrics: dict) -> None:
    for key in ("mAP@0.5", "avg_0.1:0.5", "avg_0.1:0.7"):
        assert 0.0 <= metrics[key] <= 1.0, key


def test_thumos14_oat_json_lacp_points_tsn_pickle_and_i3d_npy(shared_data, work, monkeypatch):
    data = shared_data / "thumos14"
    run = Pipeline(work, monkeypatch)
    full = read_annotations(str(data / "oat_thumos14_v2.json"), out_of_video="keep")
    outside = {v.video_id for v in full.videos.values()  # keep the test free of them
               if any(s.start >= v.duration or s.end > v.duration + 0.5 for s in v.segments)}
    train, test = shortest(full, "train", 3, outside), shortest(full, "test", 2, outside)
    ann = work / "annotations.json"
    run.tool("convert_annotations.py", ann, "--as-is", data / "oat_thumos14_v2.json",
             "--videos", run.write_list("videos.txt", train + test), "--out-of-video", "keep")
    with open(data / "point_gaussian.csv", newline="") as f:  # LACP's file, these videos only
        rows = list(csv.DictReader(f))
    lacp = work / "point_gaussian.csv"
    with open(lacp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for row in rows if row["video_id"] in train)
    points = work / "points.csv"
    run.tool("convert_points.py", points, "--annotations", ann, "--lacp", lacp,
             "--fps", data / "fps_dict.json", "--out-of-video", "keep")
    small = read_annotations(str(ann), out_of_video="keep")
    tsn, i3d = {}, work / "i3d"  # OAT's TSN pickle (fps/6 steps/s) and HR-Pro's I3D npy
    i3d.mkdir()
    for seed, video in enumerate(small.videos.values()):
        steps = int(video.duration * video.fps / 6)
        tsn[video.video_id] = dict(rgb=random_features(steps, 2048, seed),
                                   flow=random_features(steps, 2048, seed + 100))
        np.save(i3d / f"{video.video_id}.npy", random_features(int(video.duration * 25 / 16),
                                                               2048, seed + 200))
    (work / "tsn.pkl").write_bytes(pickle.dumps(tsn))
    student, teacher = work / "tsn.h5", work / "i3d.h5"
    run.tool("import_features.py", work / "tsn.pkl", student, "--layout", "oat-pickle",
             "--steps-per-second", 5.0, "--dim", 4096, "--videos", ann)
    run.tool("import_features.py", i3d, teacher, "--layout", "npy", "--steps-per-second", 1.5625,
             "--dim", 2048, "--videos", ann)
    run.env(THUMOS14_ANN=ann, THUMOS14_POINTS=points, THUMOS14_STUDENT_FEATURES=student,
            THUMOS_TEACHER_FEATURES=teacher)
    metrics = run.teacher_and_onpoint("teachers/hrpro_thumos14.py", HRPRO + HRPRO_RUN,
                                      "onpoint/onpoint_thumos14.py", student, 20)
    assert_streaming_metrics(metrics)


def gaussian_points(run: Pipeline, ann: Path) -> Path:
    points = run.root / "points.csv"
    run.tool("convert_points.py", points, "--annotations", ann, "--gaussian", "--seed", 0)
    return points


def background_points(run: Pipeline, ann: Path) -> Path:
    out = run.root / "background_points.csv"
    run.monkeypatch.setattr(sys, "argv", ["make_background_points", str(ann), "--out", str(out)])
    runpy.run_module("onpoint_ext.teachers.tsaspc.make_background_points", run_name="__main__")
    return out


def test_egtea_hat_split1_gaussian_points_and_hat_i3d_npz(shared_data, work, monkeypatch):
    source = shared_data / "egtea" / "egtea_annotations_split1.json"
    run = Pipeline(work, monkeypatch)
    full = read_annotations(str(source))
    ann = work / "annotations.json"
    run.tool("convert_annotations.py", ann, "--as-is", source, "--videos", run.write_list(
        "videos.txt", shortest(full, "train", 3) + shortest(full, "test", 2)))
    npz = work / "i3d"  # HAT: <video>.npz with rgb and flow (T, 1024), 2 steps/s
    npz.mkdir()
    for seed, video in enumerate(read_annotations(str(ann)).videos.values()):
        steps = int(video.duration * 2.0)
        np.savez(npz / f"{video.video_id}.npz", rgb=random_features(steps, 1024, seed),
                 flow=random_features(steps, 1024, seed + 100))
    features = work / "i3d.h5"
    run.tool("import_features.py", npz, features, "--layout", "hat-npz", "--steps-per-second",
             2.0, "--dim", 2048, "--videos", ann)
    points = gaussian_points(run, ann)
    run.env(EGTEA_ANN=ann, EGTEA_STUDENT_FEATURES=features,
            EGTEA_TEACHER_FEATURES=features, EGTEA_POINTS=points,
            EGTEA_BACKGROUND_POINTS=background_points(run, ann))
    metrics = run.teacher_and_onpoint("teachers/tsaspc_egtea.py", TSASPC + TSASPC_RUN,
                                      "onpoint/onpoint_egtea.py", features, 22)
    assert_streaming_metrics(metrics)


def test_epic100_verbs_uda_train_validation_test_and_slowfast(shared_data, work, monkeypatch):
    epic = shared_data / "epic_kitchens_100"
    run = Pipeline(work, monkeypatch)
    train_csv, test_csv = epic / "EPIC_100_uda_source_train.csv", epic / "EPIC_100_validation.csv"
    videos = (shortest(read_annotations(str(train_csv), subset="train"), "train", 3)
              + shortest(read_annotations(str(test_csv)), "test", 2))
    ann = work / "annotations_verb.json"
    run.tool("convert_annotations.py", ann, "--task", "verb", "--train", train_csv, "--test",
             test_csv, "--videos", run.write_list("videos.txt", videos))
    npz, npy = work / "slowfast_npz", work / "slowfast"
    npz.mkdir()
    npy.mkdir()
    for seed, video in enumerate(read_annotations(str(ann)).videos.values()):
        # ActionFormer's release: <video>.npz holding "feats" (T, 2304) at 1.875 steps/s ...
        np.savez(npz / f"{video.video_id}.npz",
                 feats=random_features(int(video.duration * 1.875), 2304, seed))
    for path in npz.glob("*.npz"):  # ... unpacked to <video>.npy, as docs/datasets.md does
        with np.load(path) as archive:
            np.save(npy / f"{path.stem}.npy", archive["feats"])
    features = work / "slowfast.h5"
    run.tool("import_features.py", npy, features, "--layout", "npy", "--steps-per-second",
             1.875, "--dim", 2304, "--videos", ann)
    run.env(EPIC100_VERB_ANN=ann, EPIC100_FEATURES=features,
            EPIC100_VERB_POINTS=gaussian_points(run, ann),
            EPIC100_VERB_BACKGROUND_POINTS=background_points(run, ann))
    metrics = run.teacher_and_onpoint("teachers/tsaspc_epic100-verb.py", TSASPC + TSASPC_RUN,
                                      "onpoint/onpoint_epic100-verb.py", features, 97)
    assert_streaming_metrics(metrics)


def small_preset_timelines(name: str):
    """The preset's timelines for 3 train / 2 test videos of about 40 s (all its classes)."""
    preset = get_preset(name)
    preset = dataclasses.replace(preset, num_train=3, num_test=2, timeline=dataclasses.replace(
        preset.timeline, video_duration=LogNormal(40.0, 0.2, 25.0, 60.0)))
    return generate_timelines(preset, seed=0)


def write_npy_features(folder: Path, annotations, rate: float, dim: int) -> None:
    folder.mkdir()
    for seed, video in enumerate(annotations.videos.values()):
        np.save(folder / f"{video.video_id}.npy",
                random_features(int(video.duration * rate), dim, seed))


def test_hoi4d_stand_in_timelines_12_classes_and_clip_npy(work, monkeypatch):
    run = Pipeline(work, monkeypatch)
    timelines = small_preset_timelines("hoi4d")
    assert timelines.num_classes == 12  # HOI4D-O's documented class count
    ann = work / "annotations.json"
    write_json_atomic(timelines.to_activitynet(), str(ann))  # no public format: canonical json
    write_npy_features(work / "clip", timelines, 2.0, 768)  # [our choice] 2 steps/s
    features = work / "clip.h5"
    run.tool("import_features.py", work / "clip", features, "--layout", "npy",
             "--steps-per-second", 2.0, "--dim", 768, "--videos", ann)
    points = gaussian_points(run, ann)
    run.env(HOI4D_ANN=ann, HOI4D_STUDENT_FEATURES=features, HOI4D_TEACHER_FEATURES=features,
            HOI4D_POINTS=points, HOI4D_BACKGROUND_POINTS=background_points(run, ann))
    metrics = run.teacher_and_onpoint("teachers/tsaspc_hoi4d.py", TSASPC + TSASPC_RUN,
                                      "onpoint/onpoint_hoi4d.py", features, 12)
    assert_streaming_metrics(metrics)


def test_fineaction_stand_in_timelines_106_classes_and_videomae_npy(work, monkeypatch):
    run = Pipeline(work, monkeypatch)
    timelines = small_preset_timelines("fineaction")
    assert timelines.num_classes == 106  # FineAction's documented class count
    public = timelines.to_activitynet()  # FineAction's annotations_gt.json layout
    database = {}
    for video_id, record in public["database"].items():
        subset = {"train": "training", "test": "validation"}[record["subset"]]
        database[video_id] = dict(record, subset=subset)
    source = work / "annotations_gt.json"
    source.write_text(json.dumps({"version": "FineAction", "database": database}))
    ann = work / "annotations.json"
    run.tool("convert_annotations.py", ann, "--as-is", source, "--subset-map", "training=train",
             "validation=test", "--classes", run.write_list("classes.txt", timelines.classes),
             "--out-of-video", "keep")
    write_npy_features(work / "videomae", timelines, 1.875, 1408)
    features = work / "videomae_g.h5"
    run.tool("import_features.py", work / "videomae", features, "--layout", "npy",
             "--steps-per-second", 1.875, "--dim", 1408, "--videos", ann)
    run.env(FINEACTION_ANN=ann, FINEACTION_FEATURES=features,
            FINEACTION_POINTS=gaussian_points(run, ann))
    metrics = run.teacher_and_onpoint("teachers/hrpro_fineaction.py", HRPRO + HRPRO_RUN,
                                      "onpoint/onpoint_fineaction.py", features, 106)
    assert_streaming_metrics(metrics)
