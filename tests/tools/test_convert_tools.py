"""tools/convert_annotations.py and tools/convert_points.py on tiny hand-made files."""
import csv
import json
import runpy
import sys
from pathlib import Path

import pytest

from oat.datasets.points import read_points_csv
from oat.datasets.readers import read_annotations

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def run(monkeypatch, tool: str, *argv) -> None:
    monkeypatch.setattr(sys, "argv", [tool, *map(str, argv)])
    runpy.run_path(str(TOOLS / tool), run_name="__main__")


def activitynet(path: Path, videos: dict) -> Path:
    """An ActivityNet-style json: ``{video: (subset, duration, [(start, end, label)])}``."""
    database = {video_id: dict(subset=subset, duration=duration, annotations=[
        dict(segment=[start, end], label=label) for start, end, label in segments])
        for video_id, (subset, duration, segments) in videos.items()}
    path.write_text(json.dumps({"version": "test", "database": database}))
    return path


@pytest.fixture
def two_files(tmp_path):
    first = activitynet(tmp_path / "a.json", {
        "v1": ("training", 20.0, [(1.0, 4.0, "jump"), (10.0, 12.0, "throw")]),
        "v2": ("validation", 30.0, [(5.0, 9.0, "throw")])})
    second = activitynet(tmp_path / "b.json", {
        "v3": ("training", 10.0, [(2.0, 3.0, "jump"), (6.0, 8.0, "throw")])})
    return first, second


def test_files_given_per_subset_are_merged_into_that_subset_and_listed_videos_kept(
        two_files, tmp_path, monkeypatch):
    first, second = two_files
    (tmp_path / "keep.txt").write_text("v3\nv1\n")
    out = tmp_path / "merged.json"
    run(monkeypatch, "convert_annotations.py", out, "--train", first, "--test", second,
        "--videos", tmp_path / "keep.txt")
    merged = read_annotations(str(out))
    assert merged.classes == ["jump", "throw"]
    assert [(v.video_id, v.subset) for v in merged.videos.values()] == [("v3", "test"),
                                                                       ("v1", "train")]
    assert [(s.start, s.end, s.label) for s in merged.videos["v3"].segments] == [
        (2.0, 3.0, 0), (6.0, 8.0, 1)]


def test_subset_words_map_and_a_class_file_fixes_the_class_order(two_files, tmp_path,
                                                                   monkeypatch):
    first, _ = two_files
    (tmp_path / "classes.txt").write_text("throw\njump\nspin\n")
    out = tmp_path / "out.json"
    run(monkeypatch, "convert_annotations.py", out, "--as-is", first, "--subset-map",
        "training=train", "validation=test", "--classes", tmp_path / "classes.txt")
    converted = read_annotations(str(out))
    assert converted.classes == ["throw", "jump", "spin"]
    assert {v.video_id: v.subset for v in converted.videos.values()} == {"v1": "train",
                                                                         "v2": "test"}
    assert converted.videos["v2"].segments[0].label == 0


@pytest.mark.parametrize("case, message", [
    ("same video twice", "video 'v1' is also in another input"),
    ("unknown listed video", "1 listed videos are in no input"),
    ("different classes", "its classes differ"),
])
def test_bad_inputs_end_with_one_line_naming_file_and_video(case, message, two_files, tmp_path,
                                                            monkeypatch, capsys):
    first, second = two_files
    inputs = ["--as-is", first, second]
    if case == "same video twice":
        inputs = ["--as-is", first, first]
    elif case == "unknown listed video":
        (tmp_path / "keep.txt").write_text("v1\nv9\n")
        inputs += ["--videos", tmp_path / "keep.txt"]
    else:
        other = activitynet(tmp_path / "c.json", {"v4": ("training", 5.0, [(1.0, 2.0, "spin")])})
        inputs = ["--as-is", first, other]
    with pytest.raises(SystemExit) as stop:
        run(monkeypatch, "convert_annotations.py", tmp_path / "out.json", *inputs)
    assert stop.value.code == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def test_gaussian_points_fall_inside_training_instances_only(two_files, tmp_path, monkeypatch):
    first, _ = two_files
    out = tmp_path / "points.csv"
    run(monkeypatch, "convert_points.py", out, "--annotations", first, "--gaussian", "--seed",
        3)
    points = read_points_csv(str(out), ["jump", "throw"])
    assert [(p.video_id, p.label) for p in points] == [("v1", 0), ("v1", 1)]
    assert 1.0 <= points[0].time <= 4.0 and 10.0 <= points[1].time <= 12.0


def test_lacp_points_become_seconds_at_the_native_frame_rate(two_files, tmp_path, monkeypatch):
    first, _ = two_files
    lacp = tmp_path / "point_gaussian.csv"
    with open(lacp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["class", "class_index", "start_frame", "stop_frame", "video_id", "point"])
        writer.writerow(["throw", 1, 300, 360, "v1", 330])
    (tmp_path / "fps.json").write_text(json.dumps({"v1": 30.0}))
    out = tmp_path / "points.csv"
    run(monkeypatch, "convert_points.py", out, "--annotations", first, "--lacp", lacp, "--fps",
        tmp_path / "fps.json")
    points = read_points_csv(str(out), ["jump", "throw"])
    assert [(p.video_id, p.time, p.label) for p in points] == [("v1", 11.0, 1)]
