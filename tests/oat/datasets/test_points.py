"""Point labels: LACP reader, Gaussian sampler, multi-hot step matrix."""
import collections
import csv
import math

import numpy as np
import pytest

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation
from oat.datasets.points import (
    PointLabel,
    points_to_multi_hot,
    read_lacp_points,
    read_points_csv,
    sample_gaussian_points,
    write_points_csv,
)
from oat.datasets.readers import read_annotations


def two_video_set(fps=30.0) -> AnnotationSet:
    videos = {
        "v1": VideoAnnotation("v1", "train", 10.0, fps, [Segment(1.0, 3.0, 0), Segment(4, 7, 1)]),
        "v2": VideoAnnotation("v2", "test", 6.0, fps, [Segment(0.0, 6.0, 1)]),
    }
    return AnnotationSet(["Jump", "Run"], videos, "mem.json")


def write_lacp_csv(path, rows, header=("class", "class_index", "start_frame", "stop_frame",
                                       "video_id", "point")):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------- LACP points


def test_lacp_point_frame_becomes_seconds_at_the_native_fps(tmp_path):
    path = write_lacp_csv(tmp_path / "p.csv", [("Run", 1, 120, 210, "v1", 165)])
    assert read_lacp_points(str(path), two_video_set()) == [PointLabel("v1", 5.5, 1)]
    from_mapping = read_lacp_points(str(path), two_video_set(), fps={"v1": 25.0})
    assert from_mapping == [PointLabel("v1", 6.6, 1)]


def test_lacp_reader_never_reads_start_and_stop_frames(tmp_path):
    rows = [("Jump", 0, 30, 90, "v1", 60), ("Run", 1, 120, 210, "v1", 165)]
    clean = read_lacp_points(str(write_lacp_csv(tmp_path / "a.csv", rows)), two_video_set())
    corrupt = [(c, i, "not-a-frame", "", v, p) for c, i, _, _, v, p in rows]
    garbled = read_lacp_points(str(write_lacp_csv(tmp_path / "b.csv", corrupt)), two_video_set())
    without = write_lacp_csv(tmp_path / "c.csv", [(c, i, v, p) for c, i, _, _, v, p in rows],
                             header=("class", "class_index", "video_id", "point"))
    assert clean == garbled == read_lacp_points(str(without), two_video_set())


@pytest.mark.parametrize("row, message", [
    (("Run", 1, 0, 0, "v1", 300), r"p\.csv:2: video 'v1': field 'point' 300 = 10\.000 s is "
                                  r"outside the video \(duration 10\.0 s\)"),
    (("Run", 1, 0, 0, "v1", -3), r"p\.csv:2: video 'v1': field 'point' -3 .* outside"),
    (("Run", 0, 0, 0, "v1", 3), r"p\.csv:2: video 'v1': field 'class_index' is 0, but class "
                                r"'Run' has index 1"),
    (("Fly", 0, 0, 0, "v1", 3), r"p\.csv:2: video 'v1': field 'class': unknown class 'Fly'"),
    (("Run", 1, 0, 0, "v9", 3), r"p\.csv:2: video 'v9': not in the annotations mem\.json"),
    (("Run", 1, 0, 0, "v1", "x"), r"p\.csv:2: video 'v1': field 'point' is 'x'"),
])
def test_bad_lacp_rows_name_file_row_video_and_field(tmp_path, row, message):
    path = write_lacp_csv(tmp_path / "p.csv", [row])
    with pytest.raises(ValueError, match=message):
        read_lacp_points(str(path), two_video_set())


def test_lacp_point_without_any_fps_is_an_error(tmp_path):
    path = write_lacp_csv(tmp_path / "p.csv", [("Run", 1, 0, 0, "v1", 3)])
    with pytest.raises(ValueError, match=r"video 'v1': no valid fps \(None\)"):
        read_lacp_points(str(path), two_video_set(fps=None))


def test_real_lacp_points_give_3003_points_in_200_train_videos(shared_data):
    folder = shared_data / "thumos14"
    annotations = read_annotations(folder / "gt_full.json", out_of_video="keep")
    points = read_lacp_points(str(folder / "point_gaussian.csv"), annotations)
    assert len(points) == 3003
    assert {p.video_id for p in points} == {v.video_id for v in annotations.subset("train")}
    per_class = collections.Counter(annotations.classes[p.label] for p in points)
    assert (per_class["Diving"], per_class["BaseballPitch"]) == (499, 30)
    with_fps_dict = read_lacp_points(str(folder / "point_gaussian.csv"), annotations,
                                     fps=str(folder / "fps_dict.json"))
    np.testing.assert_allclose([p.time for p in with_fps_dict], [p.time for p in points],
                               atol=1e-3)


def test_real_gtea_points_have_a_class_column_only(shared_data):
    folder = shared_data / "gtea"
    points = read_lacp_points(str(folder / "point_gaussian.csv"),
                              read_annotations(folder / "gt_full.json"))
    assert len(points) == 367
    assert points[0] == PointLabel("S3_Pealate_C1", 48 / 15, 6)  # "take"


def test_real_thumos_points_collide_148_times_on_the_teacher_grid(shared_data):
    folder = shared_data / "thumos14"
    annotations = read_annotations(folder / "gt_full.json", out_of_video="keep")
    by_video = collections.defaultdict(list)
    for p in read_lacp_points(str(folder / "point_gaussian.csv"), annotations):
        by_video[p.video_id].append(p)
    occupied = multi_class = 0
    for video_id, points in by_video.items():
        # the I3D grid (25 fps, 16-frame snippets) at exactly 1.5625 steps/s: T = 25k, D = 16k
        k = math.ceil(annotations.videos[video_id].duration / 16) + 1
        matrix = points_to_multi_hot(points, 25 * k, 16.0 * k, annotations.num_classes)
        occupied += int((matrix.sum(1) > 0).sum())
        multi_class += int((matrix.sum(1) > 1).sum())
    assert (3003 - occupied, multi_class) == (148, 143)


# ---------------------------------------------------------------- Gaussian sampling


def test_gaussian_points_are_one_per_instance_inside_it_and_seeded():
    annotations = two_video_set()
    points = sample_gaussian_points(annotations, seed=3)
    assert [(p.video_id, p.label) for p in points] == [("v1", 0), ("v1", 1)]
    assert 1.0 <= points[0].time <= 3.0 and 4.0 <= points[1].time <= 7.0
    assert sample_gaussian_points(annotations, seed=3) == points
    assert sample_gaussian_points(annotations, seed=4) != points
    both = sample_gaussian_points(annotations, seed=3, subsets=("train", "test"))
    assert [p.video_id for p in both] == ["v1", "v1", "v2"]


def test_gaussian_point_is_the_seeded_normal_draw_around_the_midpoint():
    annotations = two_video_set()
    rng = np.random.default_rng(11)
    expected = [np.clip(rng.normal(2.0, 2 / 6), 1, 3), np.clip(rng.normal(5.5, 3 / 6), 4, 7)]
    got = [p.time for p in sample_gaussian_points(annotations, seed=11)]
    np.testing.assert_allclose(got, expected, rtol=0, atol=0)


def test_gaussian_points_have_sigma_of_a_sixth_of_the_instance():
    segments = [Segment(10.0 * i, 10.0 * i + 6.0, 0) for i in range(4000)]
    video = VideoAnnotation("long", "train", 40000.0, None, segments)
    points = sample_gaussian_points(AnnotationSet(["A"], {"long": video}), seed=0)
    offsets = np.array([p.time - (s.start + 3.0) for p, s in zip(points, segments)])
    assert abs(offsets.mean()) < 0.05 and abs(offsets.std() - 1.0) < 0.05
    assert np.abs(offsets).max() <= 3.0


def test_gaussian_sampling_skips_instances_that_start_after_the_video_end():
    video = VideoAnnotation("v", "train", 5.0, None, [Segment(1, 2, 0), Segment(6, 8, 0),
                                                      Segment(4.0, 5.3, 0)])
    points = sample_gaussian_points(AnnotationSet(["A"], {"v": video}), seed=0)
    assert len(points) == 2 and all(p.time < 5.0 for p in points)


# ---------------------------------------------------------------- multi-hot matrix


def test_multi_hot_marks_floor_step_and_keeps_every_class_of_a_shared_step():
    points = [PointLabel("v", 0.0, 0), PointLabel("v", 0.49, 2), PointLabel("v", 2.5, 1),
              PointLabel("v", 4.999999, 1), PointLabel("v", 2.6, 1)]
    matrix = points_to_multi_hot(points, num_steps=10, duration=5.0, num_classes=3)
    expected = np.zeros((10, 3), dtype=np.float32)
    expected[0, [0, 2]] = 1
    expected[5, 1] = expected[9, 1] = 1
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, expected)


def test_multi_hot_without_points_is_all_zero():
    np.testing.assert_array_equal(points_to_multi_hot([], 4, 2.0, 3), np.zeros((4, 3)))


@pytest.mark.parametrize("points, message", [
    ([PointLabel("a", 1.0, 0), PointLabel("b", 1.0, 0)], "points of one video"),
    ([PointLabel("a", 5.0, 0)], r"video 'a': point at 5\.0 s with class 0 is outside"),
    ([PointLabel("a", 1.0, 3)], r"video 'a': point at 1\.0 s with class 3 is outside"),
])
def test_multi_hot_rejects_foreign_out_of_range_and_bad_class_points(points, message):
    with pytest.raises(ValueError, match=message):
        points_to_multi_hot(points, num_steps=10, duration=5.0, num_classes=3)


def test_canonical_points_csv_round_trips(tmp_path):
    points = [PointLabel("v1", 1.25, 1), PointLabel("v2", 0.1 + 0.2, 0)]
    write_points_csv(str(tmp_path / "pts.csv"), points, ["Jump", "Run"])
    assert read_points_csv(str(tmp_path / "pts.csv"), ["Jump", "Run"]) == points
