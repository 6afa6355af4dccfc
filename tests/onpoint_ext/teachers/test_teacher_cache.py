"""The frozen teacher cache: resampling by time, provenance checks, atomic writes, the tool."""
import json
import os
import re
import runpy
from pathlib import Path

import h5py
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
    # 3.2 s: teacher 0.64 s steps centred at .32, .96, 1.6, 2.24, 2.88 s; student 0.2 s steps
    # centred at 0.1, 0.3, ..., 3.1 s; values outside the teacher centres hold the edge value
    teacher = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 1.0], [1.0, 1.0], [0.5, 1.0]])
    student = resample_by_time(teacher, duration=3.2, num_target_steps=16)
    expected = [0.0, 0.0, 0.28125, 0.59375, 0.90625, 0.78125, 0.46875, 0.15625, 0.15625, 0.46875,
                0.78125, 0.953125, 0.796875, 0.640625, 0.5, 0.5]
    assert student.shape == (16, 2) and student.dtype == np.float32
    assert_allclose(student[:, 0], expected, atol=1e-6)
    assert_allclose(student[:, 1], 1.0)


def test_a_teacher_step_pulse_lands_on_the_student_steps_it_covers():
    # teacher step 2 of 5 covers [1.28, 1.92) s; the student steps inside it are 7 and 8 in full
    # (centres 1.5, 1.7) and 6, 9 at the edges: the pulse's centre of mass stays at 1.6 s
    teacher = np.zeros((5, 1))
    teacher[2] = 1.0
    student = resample_by_time(teacher, duration=3.2, num_target_steps=16)[:, 0]
    centres = (np.arange(16) + 0.5) * 0.2
    assert set(np.flatnonzero(student == student.max())) == {7, 8}
    assert np.sum(centres * student) / np.sum(student) == pytest.approx(1.6)
    # and the other way: a student-grid pulse over [1.2, 2.0) s peaks on teacher step 2
    back = resample_by_time(((centres >= 1.2) & (centres < 2.0)).astype(float)[:, None],
                            duration=3.2, num_target_steps=5)[:, 0]
    assert int(np.argmax(back)) == 2 and back[1] == pytest.approx(back[3])


def test_cache_without_the_time_convention_is_refused_naming_file_and_field(tmp_path):
    path = str(tmp_path / "old.h5")
    write_teacher_cache(path, [("v1", _video())], PROVENANCE)
    with h5py.File(path, "a") as f:  # what a cache written before the convention looks like
        del f.attrs["time_convention"]
    with pytest.raises(ValueError, match=r"old\.h5.*time_convention: not recorded"):
        TeacherCache(path)
    with h5py.File(path, "a") as f:
        f.attrs["time_convention"] = "step-start"
    with pytest.raises(ValueError, match=r"time_convention changed: cached 'step-start'"):
        TeacherCache(path)


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
