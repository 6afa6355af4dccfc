"""benchmarks/select_gamma.py on the `tiny` benchmark: trains and scores each gamma against the
teacher's pseudo segments of the held-out training videos, then skips finished runs."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from oat.datasets.timebase import seconds_to_steps
from onpoint_ext.teachers.cache import (
    PROVENANCE_FIELDS, CachedVideo, TeacherSegments, feature_file_identity, write_teacher_cache)

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("select_gamma",
                                              ROOT / "benchmarks" / "select_gamma.py")
select_gamma = importlib.util.module_from_spec(spec)
spec.loader.exec_module(select_gamma)


def oracle_cache(bench: Path, path: Path) -> None:
    """A stand-in teacher for the test: CAS and pseudo segments = the training ground truth,
    each pseudo segment shifted by +0.5 s so that scoring against it differs from the GT."""
    annotations = json.loads((bench / "annotations.json").read_text())
    classes = annotations["classes"]
    with h5py.File(bench / "student.h5", "r") as f:
        lengths = {name: f[name].shape[0] for name in f}
    entries = []
    for video_id, video in annotations["database"].items():
        if video["subset"] != "train":
            continue
        steps, duration = lengths[video_id], video["duration"]
        cas = np.zeros((steps, len(classes) + 1), dtype=np.float32)
        cas[:, -1] = 1.0
        rows = [(a["segment"], a["label_id"]) for a in video["annotations"]]
        for (start, end), label in rows:
            lo, hi = seconds_to_steps([start, end], steps, duration)
            cas[int(lo):int(np.ceil(hi)), label], cas[int(lo):int(np.ceil(hi)), -1] = 1.0, 0.0
        segments = np.array([[s + 0.5, min(e + 0.5, duration)] for (s, e), _ in rows])
        segments = segments.reshape(-1, 2)
        labels = np.array([c for _, c in rows], dtype=np.int64)
        pseudo = TeacherSegments(segments, labels, np.ones(len(rows)))
        entries.append((video_id, CachedVideo(cas, pseudo)))
    provenance = {name: "test-oracle" for name in PROVENANCE_FIELDS if name != "format_version"}
    provenance.update(num_classes=len(classes), class_names=classes, split="train",
                      student_features=feature_file_identity(str(bench / "student.h5")))
    write_teacher_cache(str(path), entries, provenance)


def test_select_gamma_trains_each_gamma_scores_on_pseudo_segments_and_resumes(tmp_path,
                                                                             monkeypatch):
    bench = tmp_path / "bench"
    subprocess.run([sys.executable, "tools/make_benchmark.py", "--preset", "tiny", "--out",
                    str(bench), "--seed", "0"], cwd=ROOT, check=True, capture_output=True)
    cache = tmp_path / "teacher.h5"
    oracle_cache(bench, cache)
    monkeypatch.setenv("BENCH_DIR", str(bench))
    argv = ["configs/onpoint/onpoint_bench-tiny.py", "--cache", str(cache), "--work-dir",
            str(tmp_path / "sel"), "--gammas", "0", "1", "--cfg-options", "train_cfg.max_epochs=1"]
    monkeypatch.chdir(ROOT)
    summary = select_gamma.main(argv)
    assert set(summary["results"]) == {"0", "1"} and summary["selected"] in {"0", "1"}
    pseudo = json.loads((tmp_path / "sel" / "pseudo_train.json").read_text())
    assert {v["subset"] for v in pseudo["database"].values()} == {"train"}
    first = pseudo["database"][sorted(pseudo["database"])[0]]["annotations"][0]["segment"]
    original = json.loads((bench / "annotations.json").read_text())["database"]
    assert first[0] == pytest.approx(
        original[sorted(pseudo["database"])[0]]["annotations"][0]["segment"][0] + 0.5)
    written = json.loads((tmp_path / "sel" / "select_gamma.json").read_text())
    assert written["results"] == summary["results"]
    stamps = {g: os.path.getmtime(tmp_path / "sel" / f"gamma_{g}" / "metrics.json") for g in "01"}
    select_gamma.main(argv)  # resumes: nothing retrained
    assert stamps == {g: os.path.getmtime(tmp_path / "sel" / f"gamma_{g}" / "metrics.json")
                      for g in "01"}


def test_val_and_test_read_the_held_out_training_videos_of_the_pseudo_file(monkeypatch):
    from mmengine.config import Config
    monkeypatch.chdir(ROOT)
    cfg = Config.fromfile("configs/onpoint/onpoint_bench-tiny.py")
    options = select_gamma.held_out_options(cfg, "/x/pseudo.json")
    assert {"val_dataloader.dataset.ann_file=/x/pseudo.json",
            "test_dataloader.dataset.ann_file=/x/pseudo.json",
            "test_dataloader.dataset.subset=train", "test_dataloader.dataset.holdout=only",
            "test_dataloader.dataset.holdout_fraction=0.5"} <= set(options)


def test_a_config_that_trains_on_every_training_video_still_holds_some_out(monkeypatch):
    from mmengine.config import Config
    monkeypatch.chdir(ROOT)
    cfg = Config.fromfile("configs/onpoint/onpoint_bench-thumos14-mini.py")
    assert cfg.val_dataloader is None  # point-supervised: no validation of its own
    options = select_gamma.held_out_options(cfg, "/x/pseudo.json")
    assert "train_dataloader.dataset.dataset.holdout=exclude" in options
    assert "test_dataloader.dataset.holdout=only" in options
    assert not any(option.startswith("val_dataloader") for option in options)
