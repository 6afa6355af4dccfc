"""TSASPC's MS-TCN, its background-last CAS and its pseudo segments."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from numpy.testing import assert_allclose, assert_array_equal

import onpoint_ext  # noqa: F401  (registers the teachers into oat.registry)
from oat.registry import MODELS
from onpoint_ext.teachers.tsaspc.segments import argmax_runs

CONFIGS = Path(__file__).resolve().parents[3] / "configs" / "teachers"


def tiny_teacher(num_classes: int = 2, in_channels: int = 4, **options) -> torch.nn.Module:
    network = dict(type="TSASPCNetwork", in_channels=in_channels, num_classes=num_classes,
                   num_stages=2, num_layers=3, num_maps=8)
    return MODELS.build(dict(type="TSASPCTeacher", network=network, **options))


def test_paper_size_config_builds_and_gives_background_last_cas():
    cfg = Config.fromfile(str(CONFIGS / "tsaspc_egtea.py"))
    teacher = MODELS.build(cfg.model)
    network = teacher.network
    assert len(network.first_stage) == 2 and len(network.refinement_stages) == 3  # 4 stages
    assert [len(s.layers) for s in network.first_stage] == [10, 10]
    assert [s.conv_dilated.kernel_size[0] for s in network.first_stage[1].layers][:1] == [5]
    assert network.first_stage[0].layers[9].conv_dilated.dilation == (512,)
    teacher.eval()
    cas = teacher.infer(torch.randn(40, 2048))
    assert cas.shape == (40, 23) and cas.dtype == np.float32
    assert_allclose(cas.sum(axis=1), 1.0, rtol=1e-5)


def test_bench_config_uses_the_paper_network_on_128_channels():
    cfg = Config.fromfile(str(CONFIGS / "tsaspc_bench-egtea-mini.py"))
    assert cfg.model.network.in_channels == 128 and cfg.model.network.num_classes == 22
    assert (cfg.model.network.num_stages, cfg.model.network.num_layers) == (4, 10)
    hook = cfg.custom_hooks[0]
    assert hook.type == "TSASPCLabelScheduleHook"
    assert 1 < hook.propagation_start_epoch <= cfg.train_cfg.max_epochs


def test_network_masks_padding_and_stacks_every_stage():
    torch.manual_seed(0)
    teacher = tiny_teacher().eval()
    short, long = torch.randn(5, 4), torch.randn(9, 4)
    output, mask = teacher.run_network([short, long])
    assert output.logits.shape == (2, 2, 3, 9) and output.middle.shape == (2, 8, 9)
    assert_array_equal(mask.numpy(), [[1] * 5 + [0] * 4, [1] * 9])
    assert output.logits[:, 0, :, 5:].abs().sum() == 0
    assert output.middle[0, :, 5:].abs().sum() == 0


def test_cas_background_channel_is_last():
    # train only on stamps of the background class (index C = 2): the LAST CAS channel must win
    torch.manual_seed(0)
    teacher = tiny_teacher()
    features = torch.randn(12, 4)
    sample = dict(video_id="v", stamp_steps=np.array([2, 9]), stamp_labels=np.array([2, 2]))
    optimizer = torch.optim.Adam(teacher.parameters(), lr=0.05)
    for _ in range(15):
        loss = sum(v for k, v in teacher([features], [sample], mode="loss").items() if "loss" in k)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    teacher.eval()
    cas = teacher([features], mode="tensor")[0].numpy()
    assert cas.shape == (12, 3) and (cas.argmax(axis=1) == 2).all()
    segments = teacher.teacher_outputs(features, dict(duration=6.0))[1]
    assert len(segments.labels) == 0  # background runs are never pseudo segments


def test_argmax_runs_give_non_background_runs_with_mean_probability_scores():
    # 6 steps over 3 s (0.5 s each); classes: 0 0 bg 1 1 1 (background = index 2)
    cas = np.array([[0.7, 0.1, 0.2], [0.5, 0.2, 0.3], [0.1, 0.1, 0.8],
                    [0.1, 0.6, 0.3], [0.2, 0.8, 0.0], [0.3, 0.4, 0.3]])
    runs = argmax_runs(cas, duration=3.0)
    assert_allclose(runs.segments, [[0.0, 1.0], [1.5, 3.0]])
    assert_array_equal(runs.labels, [0, 1])
    assert_allclose(runs.scores, [0.6, 0.6])
    short = argmax_runs(cas, duration=3.0, min_steps=3)
    assert_array_equal(short.labels, [1])


def test_unknown_loss_weight_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown loss weights \\['smoothness'\\]"):
        tiny_teacher(loss_weights=dict(smoothness=1.0))
