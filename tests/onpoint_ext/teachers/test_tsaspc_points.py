"""TSASPC's timestamps: background points per gap and one stamp per teacher step."""
import runpy

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation, write_json_atomic
from oat.datasets.points import PointLabel, write_points_csv
from onpoint_ext.teachers.tsaspc.background_points import (
    background_gaps, read_background_points, sample_background_points, write_background_points,
)
from onpoint_ext.teachers.tsaspc.stamps import timestamps_on_grid


def _video(segments, duration=20.0, subset="train", video_id="v") -> VideoAnnotation:
    return VideoAnnotation(video_id, subset, duration, 25.0, [Segment(*s) for s in segments])


def test_gaps_skip_nested_and_overlapping_instances_and_include_the_ends():
    # (2, 6) contains (3, 4); (5.5, 8) overlaps (2, 6); then a gap 8..10; (10, 12); tail 12..20
    video = _video([(10.0, 12.0, 0), (2.0, 6.0, 1), (3.0, 4.0, 0), (5.5, 8.0, 1)])
    assert background_gaps(video) == [(0.0, 2.0), (8.0, 10.0), (12.0, 20.0)]
    assert background_gaps(video, include_ends=False) == [(8.0, 10.0)]
    assert background_gaps(video, min_gap=2.0) == [(12.0, 20.0)]
    assert background_gaps(_video([])) == [(0.0, 20.0)]


def test_background_points_are_seeded_gaussian_draws_inside_their_gaps():
    annotations = AnnotationSet(["a", "b"], {
        "v": _video([(2.0, 6.0, 0), (9.0, 12.0, 1)]),
        "t": _video([(1.0, 2.0, 0)], subset="test", video_id="t"),
    })
    points = sample_background_points(annotations, seed=3)
    assert [p.video_id for p in points] == ["v", "v", "v"]  # train only: 3 gaps
    assert all(p.label == 2 for p in points)  # background = C, LAST
    gaps = [(0.0, 2.0), (6.0, 9.0), (12.0, 20.0)]
    assert all(lo <= p.time <= hi for p, (lo, hi) in zip(points, gaps))
    rng = np.random.default_rng(3)
    expected = [np.clip(rng.normal((lo + hi) / 2, (hi - lo) / 6), lo, hi) for lo, hi in gaps]
    assert_allclose([p.time for p in points], expected)
    assert points == sample_background_points(annotations, seed=3)


def test_background_points_csv_round_trip_and_rejects_action_rows(tmp_path):
    classes = ["a", "b"]
    points = [PointLabel("v", 1.5, 2), PointLabel("w", 0.25, 2)]
    path = str(tmp_path / "background.csv")
    write_background_points(path, points, classes)
    assert read_background_points(path, classes) == points
    write_points_csv(str(tmp_path / "mixed.csv"), [PointLabel("v", 1.0, 1)], classes)
    with pytest.raises(ValueError, match="mixed.csv: video 'v': class 'b'"):
        read_background_points(str(tmp_path / "mixed.csv"), classes)


def _run_cli(monkeypatch, *argv: str) -> None:
    monkeypatch.setattr("sys.argv", ["make_background_points", *argv])
    runpy.run_module("onpoint_ext.teachers.tsaspc.make_background_points", run_name="__main__")


def test_make_background_points_cli_writes_the_csv_and_fails_in_one_line(tmp_path, monkeypatch,
                                                                          capsys):
    annotations = AnnotationSet(["a"], {"v": _video([(2.0, 6.0, 0)])})
    ann_file, out = str(tmp_path / "ann.json"), tmp_path / "bg.csv"
    write_json_atomic(annotations.to_activitynet(), ann_file)
    _run_cli(monkeypatch, ann_file, "--out", str(out))
    assert len(read_background_points(str(out), ["a"])) == 2
    with pytest.raises(SystemExit) as exit_info:
        _run_cli(monkeypatch, str(tmp_path / "missing.json"), "--out", str(out))
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip().endswith("missing.json")


def test_timestamps_keep_one_stamp_per_step_action_first():
    # 10 steps over 5 s: 1.1 s and 1.3 s both land on step 2; background (label 3) at 1.2 s
    stamps = timestamps_on_grid(np.array([4.9, 1.3, 1.2, 1.1, 5.0]), np.array([0, 2, 3, 1, 3]),
                                num_steps=10, duration=5.0, background_label=3)
    assert_array_equal(stamps.steps, [2, 9])
    assert_array_equal(stamps.labels, [1, 0])  # earliest action at step 2; action beats bg at 9
