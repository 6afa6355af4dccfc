"""The HR-Pro configs parse, and the paper-size teacher runs one forward pass (shapes only)."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from oat.registry import MODELS

CONFIGS = Path(__file__).resolve().parents[3] / "configs" / "teachers"


@pytest.mark.parametrize("name", ["hrpro_thumos14.py", "hrpro_bench-thumos14-mini.py"])
def test_teacher_config_parses_into_an_iteration_based_whole_video_setup(name):
    cfg = Config.fromfile(str(CONFIGS / name))
    assert cfg.model.type == "HRProTeacher"
    assert cfg.train_cfg.type == "IterBasedTrainLoop"
    assert cfg.train_dataloader.collate_fn.type == "pseudo_collate"
    assert cfg.train_dataloader.dataset.type == "HRProVideoDataset"
    assert cfg.val_dataloader.dataset.with_ground_truth
    assert cfg.train_dataloader.dataset.get("with_ground_truth", False) is False
    assert [h.type for h in cfg.custom_hooks] == ["HRProPrototypeInitHook"]


def test_paper_size_teacher_maps_2048d_snippets_to_a_21_channel_cas():
    cfg = Config.fromfile(str(CONFIGS / "hrpro_thumos14.py"))
    assert cfg.optim_wrapper.optimizer.lr == 1e-4 and cfg.train_dataloader.batch_size == 16
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    assert model.memory.prototypes.shape == (20, 2048)
    with torch.no_grad():
        (cas,) = model([torch.randn(6, 2048)], mode="tensor")
    assert cas.shape == (6, 21)
