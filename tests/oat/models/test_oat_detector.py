"""OATDetector (oat-spec §3-§4): size, stages, mmengine modes."""
import pytest
import torch
from torch.testing import assert_close

from oat.models import OATDetector
from oat.models.losses import foreground_l1_loss, soft_target_cross_entropy
from oat.registry import MODELS

SMALL = dict(
    window=8, anchors=(2, 4, 8), num_classes=3, feat_dim=16, embed_dim=32,
    encoder=dict(type="WindowTransformerEncoder", ffn_dim=64),
    decoder=dict(type="AnchorQueryDecoder", ffn_dim=64),
)


def _small_model(**overrides):
    torch.manual_seed(0)
    return MODELS.build(dict(type="OATDetector", **{**SMALL, **overrides}))


def _targets(batch=2):
    cls_target = torch.zeros(batch, 3, 4)
    cls_target[..., 3] = 1.0
    cls_target[0, 1] = torch.tensor([1.0, 0.0, 1.0, 0.0])
    reg_target = torch.zeros(batch, 3, 2)
    reg_target[..., 1] = -1000.0
    reg_target[0, 1] = torch.tensor([0.25, -0.1])
    return dict(cls_target=cls_target, reg_target=reg_target)


def test_paper_size_model_has_92_432_407_parameters():
    with torch.device("meta"):
        model = OATDetector()
    assert sum(p.numel() for p in model.parameters()) == 92_432_407
    assert model.encoder.positional_encoding.table.shape == (400, 1024)
    assert len(model.state_dict()) == 144


def test_paper_size_window_gives_one_output_per_anchor():
    model = OATDetector().eval()
    with torch.no_grad():
        cls_logits, reg = model(torch.randn(1, 64, 4096))
    assert cls_logits.shape == (1, 6, 21) and reg.shape == (1, 6, 2)


def test_tensor_mode_is_the_composition_of_the_stage_methods():
    model = _small_model().eval()
    windows = torch.randn(2, 8, 16)
    staged = model.predict_instances(model.decode(model.encode(model.project(windows))))
    for got, expected in zip(model(windows, mode="tensor"), staged):
        assert_close(got, expected)


def test_all_anchors_give_the_same_output_at_initialisation():
    model = _small_model().eval()
    cls_logits, reg = model(torch.randn(2, 8, 16))
    assert_close(cls_logits, cls_logits[:, :1].expand_as(cls_logits))
    assert_close(reg, reg[:, :1].expand_as(reg))


def test_loss_mode_returns_weighted_losses_that_reach_every_parameter():
    model = _small_model(reg_loss_weight=2.0).train()
    windows, targets = torch.randn(2, 8, 16), _targets()
    losses = model(windows, targets, mode="loss")
    assert set(losses) == {"loss_cls", "loss_reg"}
    (losses["loss_cls"] + losses["loss_reg"]).backward()
    unused = [name for name, p in model.named_parameters() if p.grad is None]
    assert unused == []
    model.eval()
    cls_logits, reg = model(windows)
    losses = model(windows, targets, mode="loss")
    assert_close(losses["loss_cls"], soft_target_cross_entropy(cls_logits, targets["cls_target"]))
    assert_close(losses["loss_reg"], 2.0 * foreground_l1_loss(reg, targets["reg_target"]))


def test_background_only_batch_can_still_reach_every_parameter_for_ddp():
    model = _small_model(reg_graph_without_foreground=True).train()
    targets = _targets()
    targets["reg_target"][..., 1] = -1000.0
    losses = model(torch.randn(2, 8, 16), targets, mode="loss")
    (losses["loss_cls"] + losses["loss_reg"]).backward()
    assert all(p.grad is not None for p in model.parameters())
    assert_close(model.heads.regressor[2].weight.grad, torch.zeros(2, 32))


def test_mmengine_init_weights_keeps_pytorch_initialisation():
    model = _small_model()
    before = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    model.init_weights()
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, before[name]), name


def test_bad_windows_and_missing_targets_are_reported():
    model = _small_model()
    with pytest.raises(ValueError, match=r"\(B, 8, 16\)"):
        model(torch.randn(2, 7, 16))
    with pytest.raises(KeyError, match="cls_target"):
        model(torch.randn(2, 8, 16), dict(reg_target=torch.zeros(2, 3, 2)), mode="loss")
    with pytest.raises(ValueError, match="unknown mode"):
        model(torch.randn(2, 8, 16), mode="train")


def test_predict_mode_calls_the_video_predictor_once_per_video():
    calls = []

    def predictor(model, features, meta):
        calls.append((model, features.shape))
        return dict(video_id=meta["video_id"], segments=torch.zeros(0, 2))

    model = _small_model(video_predictor=predictor)
    videos = [torch.randn(5, 16), torch.randn(11, 16)]
    results = model(videos, [dict(video_id="a"), dict(video_id="b")], mode="predict")
    assert [r["video_id"] for r in results] == ["a", "b"]
    assert calls == [(model, (5, 16)), (model, (11, 16))]


def test_predict_mode_without_a_video_predictor_says_how_to_configure_one():
    with pytest.raises(ValueError, match="video_predictor"):
        _small_model()([torch.randn(5, 16)], [dict(video_id="a")], mode="predict")


def test_part_config_may_not_contradict_the_detector_sizes():
    with pytest.raises(ValueError, match="embed_dim"):
        _small_model(decoder=dict(type="AnchorQueryDecoder", embed_dim=64))
    model = _small_model(decoder=dict(type="AnchorQueryDecoder", embed_dim=32, num_layers=2))
    assert len(model.decoder.layers) == 2 and model.decoder.num_anchors == 3


def test_predict_mode_accepts_what_pseudo_collate_makes_of_the_video_dicts():
    from mmengine.dataset import pseudo_collate

    def predictor(model, features, meta):
        return dict(video_id=meta["video_id"], steps=meta["num_steps"])

    model = _small_model(video_predictor=predictor)
    batch = pseudo_collate([dict(inputs=torch.randn(5, 16), data_samples=dict(
        video_id=name, num_steps=5)) for name in ("a", "b")])
    assert isinstance(batch["data_samples"], dict)  # a dict of per-video lists
    results = model(batch["inputs"], batch["data_samples"], mode="predict")
    assert results == [dict(video_id="a", steps=5), dict(video_id="b", steps=5)]
    with pytest.raises(ValueError, match="one entry per video"):
        model(batch["inputs"], dict(video_id=["a"], num_steps=[5, 5]), mode="predict")


def test_ddp_regression_loss_divides_by_the_mean_foreground_count_of_the_ranks(monkeypatch):
    import oat.models.detector as detector

    model = _small_model().eval()  # no dropout; reg_graph_without_foreground=False (upstream)
    targets = _targets()  # 1 foreground anchor on this rank
    windows = torch.randn(2, 8, 16)
    reg = model(windows)[1]
    # e.g. 2 ranks with 1 and 3 foreground anchors: each divides by 2 * (1 + 3) / 2
    monkeypatch.setattr(detector, "mean_foreground_count_over_ranks", lambda t: torch.tensor(2.0))
    losses = model(windows, targets, mode="loss")
    error = (reg[0, 1] - targets["reg_target"][0, 1]).abs().sum()
    assert_close(losses["loss_reg"], error / 4)
    # a rank without foreground still reaches every parameter (DDP), whatever the flag says
    targets["reg_target"][..., 1] = -1000.0
    losses = model(windows, targets, mode="loss")
    (losses["loss_cls"] + losses["loss_reg"]).backward()
    assert all(p.grad is not None for p in model.parameters())
