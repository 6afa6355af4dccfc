"""The frozen teacher cache: resampling by time, provenance checks, atomic writes, the tool."""
import json
import os
import re
import runpy
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from numpy.testing import assert_allclose, assert_array_equal

from oat.registry import MODELS
from onpoint_ext.teachers.cache import (
    PROVENANCE_FIELDS, CachedVideo, TeacherCache, TeacherSegments, resample_by_time,
    write_teacher_cache,
)

TOOL = Path(__file__).resolve().parents[3] / "tools" / "cache_teacher.py"
PROVENANCE = dict(
    teacher_type="HRProTeacher", teacher_config_sha256="c0", teacher_checkpoint_sha256="k0",
    teacher_features="t0", student_features="s0", code_version="0.1.0", num_classes=2,
    class_names=["jump", "throw"], split="train", cas_grid="student",
)


def _video(value: float = 0.5, steps: int = 4) -> CachedVideo:
    segments = TeacherSegments(np.array([[1.0, 2.5]]), np.array([1]), np.array([0.7]))
    return CachedVideo(np.full((steps, 3), value, dtype=np.float32), segments)


def test_resampling_by_time_from_teacher_to_student_rate():
    # 3.2 s: teacher 1.5625 steps/s -> 5 steps at 0, .64, 1.28, 1.92, 2.56 s; student 5 steps/s
    # -> 16 steps at 0, 0.2, ..., 3.0 s; values past 2.56 s hold the last teacher value
    teacher = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 1.0], [1.0, 1.0], [0.5, 1.0]])
    student = resample_by_time(teacher, duration=3.2, num_target_steps=16)
    expected = [0.0, 0.3125, 0.625, 0.9375, 0.75, 0.4375, 0.125, 0.1875, 0.5, 0.8125, 0.9375,
                0.78125, 0.625, 0.5, 0.5, 0.5]
    assert student.shape == (16, 2) and student.dtype == np.float32
    assert_allclose(student[:, 0], expected, atol=1e-6)
    assert_allclose(student[:, 1], 1.0)


def test_cache_round_trip_and_accessors(tmp_path):
    path = str(tmp_path / "cache.h5")
    write_teacher_cache(path, [("v1", _video(0.25)), ("v2", _video(0.75, steps=6))], PROVENANCE)
    cache = TeacherCache(path, expect=PROVENANCE)
    assert cache.video_ids == ["v1", "v2"] and "v2" in cache
    assert cache.cas("v2").shape == (6, 3) and cache.cas("v2").dtype == np.float32
    assert_allclose(cache.cas("v1"), 0.25)
    segments, labels, scores = cache.segments("v1")
    assert_allclose(segments, [[1.0, 2.5]])
    assert_array_equal(labels, [1])
    assert_allclose(scores, [0.7])
    assert cache.provenance["class_names"] == ["jump", "throw"]
    with pytest.raises(KeyError, match="cas_teacher_grid"):
        cache.cas_teacher_grid("v1")


@pytest.mark.parametrize("field", [f for f in PROVENANCE_FIELDS if f != "format_version"])
def test_stale_cache_names_the_changed_field(tmp_path, field):
    path = str(tmp_path / "cache.h5")
    write_teacher_cache(path, [("v1", _video())], PROVENANCE)
    changed = ["other"] if field == "class_names" else 3 if field == "num_classes" else "new"
    message = f"{field} changed: cached .*, expected {re.escape(repr(changed))}"
    with pytest.raises(ValueError, match=message):
        TeacherCache(path, expect={**PROVENANCE, field: changed})


def test_failed_write_keeps_the_previous_cache(tmp_path):
    path = str(tmp_path / "cache.h5")
    write_teacher_cache(path, [("v1", _video())], PROVENANCE)

    def broken():
        yield "v1", _video(0.9)
        raise RuntimeError("teacher crashed")

    with pytest.raises(RuntimeError):
        write_teacher_cache(path, broken(), {**PROVENANCE, "teacher_checkpoint_sha256": "k1"})
    cache = TeacherCache(path, expect=dict(teacher_checkpoint_sha256="k0"))
    assert_allclose(cache.cas("v1"), 0.5)
    assert os.listdir(tmp_path) == ["cache.h5"]


def test_missing_video_and_missing_file_are_clear_errors(tmp_path):
    path = str(tmp_path / "cache.h5")
    write_teacher_cache(path, [("v1", _video())], PROVENANCE)
    with pytest.raises(KeyError, match="'v9' is not in the teacher cache"):
        TeacherCache(path).cas("v9")
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        TeacherCache(str(tmp_path / "nope.h5"))


def _run_tool(monkeypatch, *argv: str) -> None:
    monkeypatch.setattr("sys.argv", ["cache_teacher.py", *argv])
    runpy.run_path(str(TOOL), run_name="__main__")


def test_cache_tool_writes_student_grid_cas_segments_and_quality(
        tiny_bench, tiny_runner_cfg, tmp_path, monkeypatch):
    config = tmp_path / "teacher.py"
    Config(tiny_runner_cfg).dump(str(config))
    torch.manual_seed(0)
    teacher = MODELS.build(tiny_runner_cfg["model"])
    checkpoint = tmp_path / "teacher.pth"
    torch.save({"state_dict": teacher.state_dict()}, checkpoint)
    out, report = tmp_path / "cache.h5", tmp_path / "quality.json"
    _run_tool(monkeypatch, str(config), str(checkpoint), "--out", str(out),
              "--student-features", tiny_bench.student_file, "--keep-teacher-grid",
              "--quality-report", str(report))
    cache = TeacherCache(str(out), expect=dict(split="train", num_classes=2, cas_grid="student"))
    assert cache.video_ids == ["train_a", "train_b", "train_c", "train_d"]
    teacher_grid = cache.cas_teacher_grid("train_a")
    assert teacher_grid.shape == (32, 3)
    assert cache.cas("train_a").shape == (tiny_bench.num_student_steps, 3)
    assert_allclose(cache.cas("train_a"), resample_by_time(teacher_grid, 20.48,
                                                           tiny_bench.num_student_steps))
    assert np.all(cache.segments("train_a").labels < 2)
    assert set(json.loads(report.read_text())) >= {"precision", "recall", "frame_accuracy"}
    with pytest.raises(ValueError, match="teacher_checkpoint_sha256 changed"):
        TeacherCache(str(out), expect=dict(teacher_checkpoint_sha256="0" * 64))


def test_cache_tool_reports_a_missing_checkpoint_in_one_line(tiny_runner_cfg, tmp_path,
                                                             monkeypatch, capsys):
    config = tmp_path / "teacher.py"
    Config(tiny_runner_cfg).dump(str(config))
    with pytest.raises(SystemExit) as exit_info:
        _run_tool(monkeypatch, str(config), str(tmp_path / "missing.pth"), "--out",
                  str(tmp_path / "cache.h5"))
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip().endswith("missing.pth")
    assert not (tmp_path / "cache.h5").exists()
