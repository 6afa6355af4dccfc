"""WithTeacherTargets on a tiny hand-made set: two videos, a teacher cache and point labels.

Video "a": 10 steps over 5 s (2 steps/s); video "b": 6 steps over 3 s. W = 4, anchors (2, 4),
C = 2 classes ("Jump", "Run"), W' = 2.
"""
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from torch.utils.data import default_collate

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation, write_json_atomic
from oat.datasets.features import write_feature_store
from oat.datasets.points import PointLabel, write_points_csv
from oat.registry import DATASETS, MODELS
from onpoint_ext.teachers.cache import (
    PROVENANCE_FIELDS,
    CachedVideo,
    TeacherSegments,
    feature_file_identity,
    write_teacher_cache,
)

CLASSES = ["Jump", "Run"]
LENGTHS, DURATIONS = dict(a=10, b=6), dict(a=5.0, b=3.0)


def teacher_cas(num_steps: int) -> np.ndarray:
    """Background everywhere except "Run" (class 1) at steps 5 and 6."""
    cas = np.zeros((num_steps, 3), dtype=np.float32)
    cas[:, 2] = 1.0
    if num_steps > 6:
        cas[5:7] = [0.1, 0.8, 0.1]
    return cas


def write_cache(path, student_features: str, classes=CLASSES, steps=LENGTHS):
    pseudo = dict(a=TeacherSegments(np.array([[1.0, 2.0]]), np.array([1]), np.array([0.9])),
                  b=TeacherSegments(np.zeros((0, 2)), np.zeros(0, int), np.zeros(0)))
    provenance = {name: "test" for name in PROVENANCE_FIELDS if name != "format_version"}
    provenance.update(num_classes=len(classes), class_names=list(classes),
                      student_features=feature_file_identity(student_features))
    videos = [(v, CachedVideo(teacher_cas(steps[v]), pseudo[v])) for v in ("a", "b")]
    write_teacher_cache(str(path), videos, provenance)
    return str(path)


@pytest.fixture()
def files(tmp_path):
    videos = {v: VideoAnnotation(v, "train", DURATIONS[v], 30.0, [Segment(0.5, 2.5, 1)])
              for v in ("a", "b")}
    ann_file = tmp_path / "annotations.json"
    write_json_atomic(AnnotationSet(CLASSES, videos).to_activitynet(), str(ann_file))
    feature_file = tmp_path / "student.h5"
    rng = np.random.default_rng(0)
    write_feature_store(str(feature_file),
                        [(v, rng.normal(size=(LENGTHS[v], 4)).astype(np.float32)) for v in videos],
                        steps_per_second=2.0, source="test")
    points_file = tmp_path / "points.csv"
    write_points_csv(str(points_file), [PointLabel("a", 1.5, 1), PointLabel("b", 0.5, 0)], CLASSES)
    return dict(ann_file=str(ann_file), feature_file=str(feature_file),
                points_file=str(points_file),
                cache=write_cache(tmp_path / "teacher.h5", str(feature_file)))


def window_dataset(files, **options):
    return dict(type="OATWindowDataset", ann_file=files["ann_file"],
                feature_file=files["feature_file"], window=4, anchors=(2, 4), feat_dim=4,
                subset="train", holdout="all",
                with_targets=options.pop("with_targets", False), **options)


def build(files, **options):
    config = dict(type="WithTeacherTargets", dataset=window_dataset(files), cache=files["cache"],
                  points_file=files["points_file"], horizon=2)
    return DATASETS.build({**config, **options})


def item_of(dataset, video_id, step):
    index = next(i for i in range(len(dataset)) if dataset.dataset.locate(i) == (video_id, step))
    return dataset[index]["data_samples"]


def test_every_window_gets_the_four_target_groups_with_their_shapes(files):
    dataset = build(files)
    assert len(dataset) == 16
    item = dataset[0]
    assert item["inputs"].shape == (4, 4)
    shapes = {key: tuple(value.shape) for key, value in item["data_samples"].items()}
    assert shapes == dict(teacher_cas=(4, 3), ant_target=(2,), cls_target=(2, 3),
                          reg_target=(2, 2), point_cls_target=(2,), point_distance_target=(2,))


def test_teacher_cas_window_is_background_padded_before_the_start(files):
    samples = item_of(build(files), "a", 1)
    expected = np.tile(np.float32([0.0, 0.0, 1.0]), (4, 1))  # steps -2..1: padding and background
    assert_array_equal(samples["teacher_cas"].numpy(), expected)
    samples = item_of(build(files), "a", 6)
    assert_array_equal(samples["teacher_cas"].numpy(), teacher_cas(10)[3:7])


def test_anticipation_target_looks_w_prime_steps_ahead(files):
    dataset = build(files)
    assert_array_equal(item_of(dataset, "a", 2)["ant_target"].numpy(), [0.0, 0.0])  # sees 3, 4
    assert_array_equal(item_of(dataset, "a", 3)["ant_target"].numpy(), [0.0, 1.0])  # sees 4, 5
    assert_array_equal(item_of(dataset, "a", 6)["ant_target"].numpy(), [0.0, 0.0])  # 7, 8


def test_instance_targets_come_from_the_pseudo_segments_not_the_ground_truth(files):
    # pseudo segment [1 s, 2 s] = steps [2, 4] of class 1 (ground truth is [0.5 s, 2.5 s])
    samples = item_of(build(files), "a", 4)
    assert_array_equal(samples["cls_target"].numpy(), [[0, 1, 0], [0, 1, 0]])
    # anchor 2 = [2, 4]: r = (0, ln(2/2)); anchor 4 = [0, 4]: IoU 0.5, r = (0, ln(2/4))
    assert_allclose(samples["reg_target"].numpy(), [[0.0, 0.0], [0.0, np.log(0.5)]], atol=1e-6)
    background = item_of(build(files), "b", 4)
    assert_array_equal(background["cls_target"].numpy(), [[0, 0, 1], [0, 0, 1]])


def test_point_targets_use_the_points_in_student_steps(files):
    # point 1.5 s of class 1 in "a" = step 3; at t = 4 anchor 2 = [2, 4] (centre 3),
    # anchor 4 = [0, 4] (centre 2)
    samples = item_of(build(files), "a", 4)
    assert_array_equal(samples["point_cls_target"].numpy(), [1, 1])
    assert_allclose(samples["point_distance_target"].numpy(), [0.0, 0.25])
    samples = item_of(build(files), "a", 7)  # [5, 7] and [3, 7]
    assert_array_equal(samples["point_cls_target"].numpy(), [2, 1])


def test_only_the_requested_groups_are_added_and_points_need_no_teacher(files):
    dataset = build(files, cache=None, targets=("pnt",))
    assert set(dataset[0]["data_samples"]) == {"point_cls_target", "point_distance_target"}
    with pytest.raises(ValueError, match="teacher cache"):
        build(files, cache=None, targets=("cass",))


def test_ground_truth_targets_in_the_wrapped_dataset_are_refused(files):
    with pytest.raises(ValueError, match="with_targets=False"):
        DATASETS.build(dict(type="WithTeacherTargets", cache=files["cache"], targets=("cass",),
                            dataset=window_dataset(files, with_targets=True)))


def test_a_cache_for_other_classes_is_refused(files, tmp_path):
    other = write_cache(tmp_path / "other.h5", files["feature_file"], classes=["Jump", "Swim"])
    with pytest.raises(ValueError, match="class_names"):
        build(files, cache=other)


def test_a_teacher_cas_on_the_wrong_grid_names_the_video(files, tmp_path):
    stale = write_cache(tmp_path / "stale.h5", files["feature_file"], steps=dict(a=8, b=6))
    with pytest.raises(ValueError, match="'a'.*student steps"):
        item_of(build(files, cache=stale), "a", 0)


def test_a_points_file_for_other_videos_is_refused(files, tmp_path):
    other = tmp_path / "other_points.csv"
    write_points_csv(str(other), [PointLabel("zz", 1.0, 0)], CLASSES)
    with pytest.raises(ValueError, match="'zz' is not in the annotations"):
        build(files, points_file=str(other))


def test_a_cache_of_logits_instead_of_probabilities_is_refused(files, tmp_path):
    pseudo = TeacherSegments(np.zeros((0, 2)), np.zeros(0, int), np.zeros(0))
    provenance = {name: "test" for name in PROVENANCE_FIELDS if name != "format_version"}
    provenance.update(num_classes=2, class_names=CLASSES,
                      student_features=feature_file_identity(files["feature_file"]))
    logits = np.full((10, 3), 2.5, dtype=np.float32)
    write_teacher_cache(str(tmp_path / "logits.h5"), [("a", CachedVideo(logits, pseudo))],
                        provenance)
    with pytest.raises(ValueError, match="probabilities"):
        item_of(build(files, cache=str(tmp_path / "logits.h5")), "a", 0)


def test_collated_items_train_the_distiller(files):
    dataset = build(files)
    batch = default_collate([dataset[i] for i in range(5)])
    student = dict(type="OATDetector", window=4, anchors=(2, 4), num_classes=2, feat_dim=4,
                   embed_dim=8,
                   encoder=dict(type="WindowTransformerEncoder", num_layers=1, num_heads=2,
                                ffn_dim=16),
                   decoder=dict(type="ActionnessCalibratedDecoder", num_layers=1, num_heads=2,
                                ffn_dim=16))
    model = MODELS.build(dict(type="OnPointDistiller", student=student,
                              cass_head=dict(type="CASSHead"),
                              anticipation_head=dict(type="AnticipationHead"),
                              point_heads=dict(type="AnchorPointHeads")))
    losses = model(batch["inputs"], batch["data_samples"], mode="loss")
    assert len(losses) == 6 and all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
