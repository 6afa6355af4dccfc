"""OAT building blocks (oat-spec §3.1-§3.2) at a small size."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from oat.models import (
    AnchorInstanceHeads,
    AnchorQueryDecoder,
    SingleStreamProjection,
    SinusoidalPositionalEncoding,
    TwoStreamProjection,
    WindowTransformerEncoder,
    sinusoidal_table,
)


def test_two_stream_projection_projects_each_half_with_its_own_linear():
    torch.manual_seed(0)
    projection = TwoStreamProjection(in_dim=6, out_dim=4)
    features = torch.randn(2, 5, 6)
    expected = torch.cat([
        F.linear(features[..., :3], projection.rgb.weight, projection.rgb.bias),
        F.linear(features[..., 3:], projection.flow.weight, projection.flow.bias),
    ], dim=-1)
    assert_close(projection(features), expected)
    with pytest.raises(ValueError, match="8-d"):
        TwoStreamProjection(in_dim=8, out_dim=4)(features)


def test_single_stream_projection_mixes_every_input_channel_and_checks_the_width():
    torch.manual_seed(0)
    projection = SingleStreamProjection(in_dim=6, out_dim=4)
    features = torch.randn(2, 5, 6)
    expected = F.linear(features, projection.linear.weight, projection.linear.bias)
    assert_close(projection(features), expected)
    assert (projection.linear.weight != 0).all()  # no block-diagonal structure
    with pytest.raises(ValueError, match="6-d features, got 8"):
        projection(torch.randn(2, 5, 8))


def test_sinusoidal_table_has_sin_on_even_and_cos_on_odd_channels():
    table = sinusoidal_table(5, 4)  # frequencies 1 and 10000 ** -0.5 = 0.01
    assert_close(table[3], torch.tensor([math.sin(3), math.cos(3), math.sin(0.03), math.cos(0.03)]))
    assert_close(table[0], torch.tensor([0.0, 1.0, 0.0, 1.0]))


def test_positional_table_is_a_saved_buffer_and_limits_the_window():
    encoding = SinusoidalPositionalEncoding(dim=4, max_len=6)
    assert list(encoding.state_dict()) == ["table"]
    assert_close(encoding(torch.zeros(1, 3, 4))[0], sinusoidal_table(6, 4)[:3])
    with pytest.raises(ValueError, match="exceeds"):
        encoding(torch.zeros(1, 7, 4))


def test_encoder_ffn_width_is_2048_whatever_the_embedding_size():
    encoder = WindowTransformerEncoder(embed_dim=32, num_heads=8)
    assert [layer.linear1.out_features for layer in encoder.layers] == [2048] * 3


def test_stacked_layers_start_as_identical_copies():
    torch.manual_seed(0)
    encoder = WindowTransformerEncoder(embed_dim=16, num_heads=4, ffn_dim=8)
    decoder = AnchorQueryDecoder(num_anchors=3, embed_dim=16, num_heads=4, ffn_dim=8)
    for stack in (encoder.layers, decoder.layers):
        first = stack[0].state_dict()
        for layer in stack[1:]:
            for name, tensor in layer.state_dict().items():
                assert torch.equal(tensor, first[name]), name
    assert torch.count_nonzero(decoder.anchor_queries) == 0
    assert decoder.anchor_queries.shape == (3, 1, 16)


def test_dropout_is_0_3_everywhere_by_default():
    encoder = WindowTransformerEncoder(embed_dim=16, num_heads=4, ffn_dim=8)
    decoder = AnchorQueryDecoder(num_anchors=2, embed_dim=16, num_heads=4, ffn_dim=8)
    for module in (encoder, decoder):
        rates = [m.p for m in module.modules() if isinstance(m, torch.nn.Dropout)]
        rates += [m.dropout for m in module.modules() if isinstance(m, torch.nn.MultiheadAttention)]
        assert rates and set(rates) == {0.3}


def _small_decoder():
    torch.manual_seed(0)
    decoder = AnchorQueryDecoder(num_anchors=3, embed_dim=16, num_layers=2, num_heads=4, ffn_dim=8)
    with torch.no_grad():
        decoder.anchor_queries.normal_()
    return decoder.eval()


def test_zero_or_constant_key_bias_leaves_the_decoder_unchanged():
    decoder = _small_decoder()
    memory = torch.randn(2, 7, 16)
    plain = decoder(memory)
    assert_close(decoder(memory, torch.zeros(2, 7)), plain)
    assert_close(decoder(memory, torch.full((2, 7), 3.5)), plain)


def test_minus_infinity_key_bias_hides_keys_per_sample():
    decoder = _small_decoder()
    memory = torch.randn(2, 7, 16)
    bias = torch.zeros(2, 7)
    bias[0, 3:] = -math.inf
    bias[1, 5:] = -math.inf
    out = decoder(memory, bias)
    assert_close(out[0], decoder(memory[:1, :3])[0])
    assert_close(out[1], decoder(memory[1:, :5])[0])
    with pytest.raises(ValueError, match=r"\(B, W\)"):
        decoder(memory, torch.zeros(2, 6))


def test_a_decoder_subclass_reuses_every_parameter_name():
    class ReweightingDecoder(AnchorQueryDecoder):
        def cross_attention_bias(self, memory, memory_key_bias):
            return super().cross_attention_bias(memory, memory_key_bias.log())

    base = _small_decoder()
    derived = ReweightingDecoder(num_anchors=3, embed_dim=16, num_layers=2, num_heads=4, ffn_dim=8)
    derived.load_state_dict(base.state_dict(), strict=True)
    memory = torch.randn(1, 4, 16)
    assert_close(derived.eval()(memory, torch.ones(1, 4)), base(memory))
    assert (derived.embed_dim, derived.num_heads) == (16, 4)


def test_heads_give_class_logits_with_background_last_and_two_regression_values():
    heads = AnchorInstanceHeads(embed_dim=8, num_classes=3)
    cls_logits, reg = heads(torch.randn(2, 5, 8))
    assert cls_logits.shape == (2, 5, 4) and reg.shape == (2, 5, 2)
    assert heads.classifier[0].out_features == 8  # hidden width = E, as upstream
