"""Actionness calibration of the anchor decoder's cross-attention."""
import math

import pytest
import torch
from torch.testing import assert_close

from oat.models.decoder import AnchorQueryDecoder
from oat.registry import MODELS
from onpoint_ext.decoders import ActionnessCalibratedDecoder, actionness_key_bias
from onpoint_ext.decoders.calibrated import calibration_from_actionness

SIZES = dict(num_anchors=3, embed_dim=8, num_layers=2, num_heads=2, ffn_dim=16, dropout=0.0)


def test_key_bias_is_r_plus_log_r_of_the_background_complement():
    # b = 0 -> r = 0.5; b = -log 3 -> r = 1 - 1/4 = 0.75; b = +50 -> r clamped to eps
    background = torch.tensor([[0.0, -math.log(3.0), 50.0]])
    expected = torch.tensor([[0.5 + math.log(0.5), 0.75 + math.log(0.75), 0.01 + math.log(0.01)]])
    assert_close(actionness_key_bias(background, eps=0.01), expected)


def test_key_bias_peaks_at_one_for_a_certain_action_position():
    assert_close(actionness_key_bias(torch.tensor([[-60.0]])), torch.tensor([[1.0]]))


def test_calibration_off_is_oat_decoder_with_the_same_weights_both_ways():
    torch.manual_seed(0)
    oat_decoder = AnchorQueryDecoder(**SIZES).eval()
    calibrated = ActionnessCalibratedDecoder(**SIZES, calibrate=False).eval()
    calibrated.load_state_dict(oat_decoder.state_dict(), strict=True)
    oat_decoder.load_state_dict(calibrated.state_dict(), strict=True)
    with torch.no_grad():
        oat_decoder.anchor_queries.normal_()
        calibrated.anchor_queries.copy_(oat_decoder.anchor_queries)
    memory = torch.randn(2, 5, 8)
    assert calibrated.calibration_bias(torch.randn(2, 5)) is None
    assert_close(calibrated(memory, calibrated.calibration_bias(torch.randn(2, 5))),
                 oat_decoder(memory))


def test_calibration_makes_the_decoder_ignore_background_keys():
    torch.manual_seed(0)
    decoder = MODELS.build(dict(type="ActionnessCalibratedDecoder", eps=1e-12, **SIZES)).eval()
    memory = torch.randn(1, 5, 8)
    background = torch.full((1, 5), 40.0)  # background everywhere ...
    background[0, 2] = -40.0  # ... except position 2
    calibrated = decoder(memory, decoder.calibration_bias(background))
    only_position_2 = decoder(memory[:, 2:3].expand(1, 5, 8))  # every key equals key 2
    assert_close(calibrated, only_position_2, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(decoder(memory), only_position_2, atol=1e-2)


@pytest.mark.parametrize("detach", [True, False])
def test_gradient_reaches_the_actionness_only_when_not_detached(detach):
    decoder = ActionnessCalibratedDecoder(**SIZES, detach_actionness=detach)
    background = torch.zeros(1, 5, requires_grad=True)
    with torch.no_grad():
        decoder.anchor_queries.normal_()
    decoder(torch.randn(1, 5, 8), decoder.calibration_bias(background)).sum().backward()
    assert (background.grad is None) == detach


def test_eps_outside_the_unit_interval_is_rejected():
    with pytest.raises(ValueError, match="eps"):
        ActionnessCalibratedDecoder(**SIZES, eps=0.0)


def test_default_decoder_options_are_the_papers_formula():
    decoder = ActionnessCalibratedDecoder(**SIZES)
    assert (decoder.eps, decoder.detach_actionness, decoder.train_actionness) == (
        1e-4, True, "student")
    background = torch.tensor([[-3.0, 0.0, 2.0, 40.0]])
    r = (1.0 - torch.sigmoid(background)).clamp(1e-4, 1.0)
    assert_close(decoder.calibration_bias(background), r + torch.log(r))


def test_eps_moves_only_the_clamped_keys():
    background = torch.tensor([[0.0, 20.0]])  # r = 0.5 and r ~ 2e-9
    low, high = actionness_key_bias(background, eps=1e-4), actionness_key_bias(background, 1e-2)
    assert_close(low[0, 0], high[0, 0])
    assert_close(low[0, 1], torch.tensor(1e-4 + torch.log(torch.tensor(1e-4)).item()))
    assert_close(high[0, 1], torch.tensor(1e-2 + torch.log(torch.tensor(1e-2)).item()))


def test_teacher_actionness_bias_is_r_plus_log_r_of_one_minus_background():
    decoder = ActionnessCalibratedDecoder(**SIZES, train_actionness="teacher")
    background = torch.tensor([[0.25, 1.0]])
    assert_close(decoder.teacher_calibration_bias(background),
                 calibration_from_actionness(torch.tensor([[0.75, 0.0]]), 1e-4))


def test_unknown_actionness_source_is_rejected():
    with pytest.raises(ValueError, match="train_actionness"):
        ActionnessCalibratedDecoder(**SIZES, train_actionness="oracle")
