"""HRProVideoDataset: point matrix on the teacher grid, and no dependence on GT boundaries."""
import dataclasses

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from numpy.testing import assert_array_equal

from oat.datasets.annotations import Segment, write_json_atomic
from oat.datasets.points import PointLabel, write_points_csv
from oat.registry import DATASETS, MODELS


def _dataset(bench, ann_file=None, **options):
    return DATASETS.build(dict(
        type="HRProVideoDataset", ann_file=ann_file or bench.ann_file,
        feature_file=bench.teacher_file, feat_dim=8, points_file=bench.points_file, **options))


def test_items_carry_points_video_labels_and_whole_video_features(tiny_bench):
    dataset = _dataset(tiny_bench)
    assert dataset.video_ids == ["train_a", "train_b", "train_c", "train_d"]
    item = dataset[0]
    sample = item["data_samples"]
    assert item["inputs"].shape == (32, 8) and item["inputs"].dtype == torch.float32
    np.testing.assert_allclose(sample["point_times"], [4.0, 13.5])
    # 32 steps over 20.48 s: 4.0 s -> step 6.25 -> 6; 13.5 s -> 21.09 -> 21 (floor)
    assert_array_equal(torch.nonzero(sample["point_matrix"]).tolist(), [[6, 0], [21, 1]])
    assert_array_equal(sample["video_labels"], [1.0, 1.0])
    assert "gt_segments" not in sample
    assert dataset.metainfo["classes"] == ("jump", "throw")


def test_test_split_without_points_has_ground_truth_for_evaluation(tiny_bench):
    dataset = _dataset(tiny_bench, subset="test", with_ground_truth=True)
    sample = dataset[0]["data_samples"]
    assert len(sample["point_times"]) == 0
    assert_array_equal(sample["gt_segments"], [[3.0, 7.0], [12.0, 16.0]])


def test_point_outside_the_video_is_an_error_naming_the_video(tiny_bench, tmp_path):
    points = tmp_path / "bad.csv"
    write_points_csv(str(points), [PointLabel("train_b", 20.48, 0)], ["jump", "throw"])
    with pytest.raises(ValueError, match="bad.csv: video 'train_b': point time 20.48"):
        DATASETS.build(dict(type="HRProVideoDataset", ann_file=tiny_bench.ann_file,
                            feature_file=tiny_bench.teacher_file, feat_dim=8,
                            points_file=str(points)))


def test_training_never_reads_ground_truth_boundaries(tiny_bench, tmp_path, tiny_teacher_cfg):
    corrupted = tiny_bench.annotations
    corrupted = dataclasses.replace(corrupted, videos={
        vid: dataclasses.replace(video, segments=[Segment(0.0, 0.5, 1)])
        for vid, video in corrupted.videos.items()
    })
    ann_file = tmp_path / "corrupted.json"
    write_json_atomic(corrupted.to_activitynet(), str(ann_file))
    original, altered = _dataset(tiny_bench), _dataset(tiny_bench, ann_file=str(ann_file))
    losses = []
    for dataset in (original, altered):
        for index in range(len(dataset)):
            item, other = dataset[index], original[index]
            assert torch.equal(item["inputs"], other["inputs"])
            for key, value in item["data_samples"].items():
                assert_array_equal(np.asarray(value), np.asarray(other["data_samples"][key]))
        torch.manual_seed(0)
        model = MODELS.build(tiny_teacher_cfg)
        batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
        losses.append(model(batch["inputs"], batch["data_samples"], mode="loss"))
    for name in losses[0]:
        torch.testing.assert_close(losses[0][name], losses[1][name])
