"""OnPoint and baseline configs: each ablation switches off exactly what its name says."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import onpoint_ext  # noqa: F401  (what custom_imports does in a run)
from oat.registry import MODELS

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
HEADS = dict(cass="cass_head", ant="anticipation_head", pnt="point_heads")


def load(name: str):
    """(config, model built on the meta device: structure only, no weights)."""
    cfg = Config.fromfile(str(CONFIGS / name))
    init_default_scope("oat")
    with torch.device("meta"):
        return cfg, MODELS.build(cfg.model)


@pytest.mark.parametrize("name", ["onpoint/onpoint_thumos14.py",
                                  "onpoint/onpoint_bench-thumos14-mini.py"])
def test_onpoint_builds_every_head_and_calibrates_on_teacher_targets(name):
    cfg, model = load(name)
    assert all(getattr(model, head) is not None for head in HEADS.values())
    assert model.calibrated and model.predict_with == "instance"
    dataset = cfg.train_dataloader.dataset
    assert dataset.type == "WithTeacherTargets" and dataset.dataset.with_targets is False
    assert (dataset.dataset.window, tuple(dataset.dataset.anchors)) == (model.window, model.anchors)
    assert cfg.custom_imports.imports == ["onpoint_ext"]


@pytest.mark.parametrize("name, window, anchors, horizon, gamma", [
    ("onpoint_thumos14.py", 64, (4, 8, 16, 32, 48, 64), 16, 1.0),
    ("onpoint_egtea.py", 24, (2, 4, 6, 8, 12, 16, 24), 12, 0.8),
    ("onpoint_hoi4d.py", 56, (4, 8, 16, 24, 48, 56), 16, 0.8),
])
def test_dataset_configs_follow_the_papers_table(name, window, anchors, horizon, gamma):
    cfg, model = load(f"onpoint/{name}")
    windows = cfg.train_dataloader.dataset
    assert (model.window, model.anchors, model.loss_weights["ant"]) == (window, anchors, gamma)
    assert (windows.dataset.window, tuple(windows.dataset.anchors)) == (window, anchors)
    assert windows.horizon == horizon
    assert len(model.student.decoder.anchor_queries) == len(anchors)
    assert cfg.val_dataloader is None  # point supervision: no ground truth selects checkpoints
    for loader in ("train_dataloader", "test_dataloader"):
        data = cfg[loader].dataset.get("dataset", cfg[loader].dataset)
        assert data.feat_dim == model.student.feat_dim, loader


@pytest.mark.parametrize("loss", ["cass", "ant", "pnt"])
def test_each_head_ablation_drops_its_head_and_its_targets(loss):
    cfg, model = load(f"onpoint/onpoint_thumos14_no-{loss}.py")
    assert model.loss_weights[loss] == 0.0 and getattr(model, HEADS[loss]) is None
    assert loss not in cfg.train_dataloader.dataset.targets
    others = set(HEADS) - {loss}
    assert all(getattr(model, HEADS[other]) is not None for other in others)


def test_no_ins_ablation_scores_anchors_with_the_point_heads():
    cfg, model = load("onpoint/onpoint_thumos14_no-ins.py")
    assert model.loss_weights["ins"] == 0.0 and model.predict_with == "point"
    assert "ins" not in cfg.train_dataloader.dataset.targets


def test_no_calib_ablation_keeps_the_cass_loss_but_not_the_calibration():
    _, model = load("onpoint/onpoint_thumos14_no-calib.py")
    assert not model.calibrated and model.cass_head is not None


@pytest.mark.parametrize("name", ["baselines/distill-free_thumos14.py",
                                  "baselines/distill-free_bench-thumos14-mini.py"])
def test_distillation_free_baseline_uses_points_only(name):
    cfg, model = load(name)
    assert {k for k, v in model.loss_weights.items() if v > 0} == {"pnt"}
    assert model.predict_with == "point" and not model.calibrated
    assert cfg.train_dataloader.dataset.cache is None
    assert tuple(cfg.train_dataloader.dataset.targets) == ("pnt",)


@pytest.mark.parametrize("name", ["baselines/oat-pseudo_hrpro_thumos14.py",
                                  "baselines/oat-pseudo_hrpro_bench-thumos14-mini.py"])
def test_pseudo_label_baseline_is_vanilla_oat_on_teacher_segments(name):
    cfg, model = load(name)
    assert type(model).__name__ == "OATDetector"
    assert type(model.decoder).__name__ == "AnchorQueryDecoder"
    dataset = cfg.train_dataloader.dataset
    assert tuple(dataset.targets) == ("ins",) and dataset.dataset.with_targets is False


@pytest.mark.parametrize("name, projection", [
    ("oat/oat_thumos14.py", "TwoStreamProjection"),  # TSN rgb || flow
    ("onpoint/onpoint_egtea.py", "TwoStreamProjection"),  # I3D rgb || flow
    ("onpoint/onpoint_hoi4d.py", "SingleStreamProjection"),  # CLIP
    ("onpoint/onpoint_epic100-verb.py", "SingleStreamProjection"),  # SlowFast 2048 || 256
    ("onpoint/onpoint_fineaction.py", "SingleStreamProjection"),  # VideoMAE
])
def test_one_stream_features_get_one_linear_projection(name, projection):
    _, model = load(name)
    student = getattr(model, "student", model)
    assert type(student.projection).__name__ == projection
