"""Upstream OAT-OSN checkpoint names <-> ours (oat-spec §3.4), checked through the forward pass."""
import importlib.util
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from oat.models import OATDetector
from oat.models.upstream_keys import (
    convert_our_state_dict,
    convert_upstream_state_dict,
)

TOOL = Path(__file__).resolve().parents[3] / "tools" / "convert_oat_checkpoint.py"
SMALL = dict(feat_dim=16, embed_dim=32, num_classes=3, num_anchors=3, enc_layers=3,
             dec_layers=5, ffn_dim=24, max_len=40, hidden_dim=32)
PAPER = dict(feat_dim=4096, embed_dim=1024, num_classes=20, num_anchors=6, enc_layers=3,
             dec_layers=5, ffn_dim=2048, max_len=400, hidden_dim=1024)


def upstream_shapes(feat_dim, embed_dim, num_classes, num_anchors, enc_layers, dec_layers,
                    ffn_dim, max_len, hidden_dim):
    """Upstream MYNET's state-dict names and shapes, written out from oat-spec §3.4."""
    e = embed_dim
    attention = {"in_proj_weight": (3 * e, e), "in_proj_bias": (3 * e,),
                 "out_proj.weight": (e, e), "out_proj.bias": (e,)}
    ffn = {"linear1.weight": (ffn_dim, e), "linear1.bias": (ffn_dim,),
           "linear2.weight": (e, ffn_dim), "linear2.bias": (e,)}
    norm = {"weight": (e,), "bias": (e,)}
    shapes = {"decoder_token": (num_anchors, 1, e),
              "feature_reduction_rgb.weight": (e // 2, feat_dim // 2),
              "feature_reduction_rgb.bias": (e // 2,),
              "feature_reduction_flow.weight": (e // 2, feat_dim // 2),
              "feature_reduction_flow.bias": (e // 2,),
              "positional_encoding.pos_embedding": (max_len, 1, e)}
    for i in range(enc_layers):
        p = f"encoder.layers.{i}."
        shapes.update({p + "self_attn." + k: v for k, v in attention.items()})
        shapes.update({p + k: v for k, v in ffn.items()})
        shapes.update({p + f"norm{n}.{k}": v for n in (1, 2) for k, v in norm.items()})
    shapes.update({"encoder.norm." + k: v for k, v in norm.items()})
    for i in range(dec_layers):
        p = f"decoder.layers.{i}."
        for block in ("self_attn.", "multihead_attn."):
            shapes.update({p + block + k: v for k, v in attention.items()})
        shapes.update({p + k: v for k, v in ffn.items()})
        shapes.update({p + f"norm{n}.{k}": v for n in (1, 2, 3) for k, v in norm.items()})
    shapes.update({"decoder.norm." + k: v for k, v in norm.items()})
    for head, out_dim in (("classifier", num_classes + 1), ("regressor", 2)):
        shapes.update({f"{head}.0.weight": (hidden_dim, e), f"{head}.0.bias": (hidden_dim,),
                       f"{head}.2.weight": (out_dim, hidden_dim), f"{head}.2.bias": (out_dim,)})
    return shapes


def random_upstream_state_dict(seed=0, **sizes):
    generator = torch.Generator().manual_seed(seed)
    return {name: 0.3 * torch.randn(shape, generator=generator)
            for name, shape in upstream_shapes(**{**SMALL, **sizes}).items()}


def upstream_forward(sd, windows, enc_heads, dec_heads):
    """MYNET's eval forward written directly against upstream names (sequence math by hand)."""
    def linear(x, prefix):
        return F.linear(x, sd[prefix + "weight"], sd[prefix + "bias"])

    def norm(x, prefix):
        return F.layer_norm(x, x.shape[-1:], sd[prefix + "weight"], sd[prefix + "bias"], 1e-5)

    def attention(query, source, prefix, heads):
        e = query.shape[-1]
        w, b = sd[prefix + "in_proj_weight"], sd[prefix + "in_proj_bias"]
        q, k, v = (F.linear(x, w[i * e:(i + 1) * e], b[i * e:(i + 1) * e])
                   for i, x in enumerate((query, source, source)))
        split = [t.reshape(t.shape[0], t.shape[1], heads, e // heads).transpose(1, 2)
                 for t in (q, k, v)]
        weights = torch.softmax(split[0] @ split[1].transpose(-1, -2) / math.sqrt(e // heads), -1)
        context = (weights @ split[2]).transpose(1, 2).reshape(query.shape)
        return linear(context, prefix + "out_proj.")

    def feed_forward(x, prefix):
        hidden = linear(x, prefix + "linear1.")
        return linear(0.5 * hidden * (1 + torch.erf(hidden / math.sqrt(2))), prefix + "linear2.")

    half = windows.shape[-1] // 2
    x = torch.cat([linear(windows[..., :half], "feature_reduction_rgb."),
                   linear(windows[..., half:], "feature_reduction_flow.")], -1)
    x = x + sd["positional_encoding.pos_embedding"][: x.shape[1], 0]
    layers = {int(k.split(".")[2]) for k in sd if k.startswith("encoder.layers.")}
    for i in sorted(layers):
        p = f"encoder.layers.{i}."
        x = norm(x + attention(x, x, p + "self_attn.", enc_heads), p + "norm1.")
        x = norm(x + feed_forward(x, p), p + "norm2.")
    memory = norm(x, "encoder.norm.")
    q = sd["decoder_token"][:, 0].expand(windows.shape[0], -1, -1)
    layers = {int(k.split(".")[2]) for k in sd if k.startswith("decoder.layers.")}
    for i in sorted(layers):
        p = f"decoder.layers.{i}."
        q = norm(q + attention(q, q, p + "self_attn.", dec_heads), p + "norm1.")
        q = norm(q + attention(q, memory, p + "multihead_attn.", dec_heads), p + "norm2.")
        q = norm(q + feed_forward(q, p), p + "norm3.")
    q = norm(q, "decoder.norm.")
    return tuple(linear(torch.relu(linear(q, f"{head}.0.")), f"{head}.2.")
                 for head in ("classifier", "regressor"))


def _our_model(config):
    config = {key: value for key, value in config.items() if key not in ("anchors", "num_anchors")}
    model = OATDetector(**{
        **config, "window": 8, "anchors": (2, 4, 8),
        "encoder": dict(config["encoder"], num_heads=8),
        "decoder": dict(config["decoder"], num_heads=4)})
    return model.eval()


def test_paper_size_upstream_checkpoint_has_144_entries_that_all_convert():
    upstream = {name: torch.empty(shape, device="meta")
                for name, shape in upstream_shapes(**PAPER).items()}
    assert len(upstream) == 144
    ours, config = convert_upstream_state_dict(upstream)
    assert len(ours) == 144 and config["num_classes"] == 20 and config["feat_dim"] == 4096
    with torch.device("meta"):
        assert set(OATDetector().state_dict()) == set(ours)


def test_converted_weights_reproduce_upstreams_forward():
    upstream = random_upstream_state_dict()
    ours, config = convert_upstream_state_dict(upstream)
    model = _our_model(config)
    model.load_state_dict(ours, strict=True)
    windows = torch.randn(2, 8, 16)
    with torch.no_grad():
        expected = upstream_forward(upstream, windows, enc_heads=8, dec_heads=4)
        for got, want in zip(model(windows), expected):
            assert_close(got, want, rtol=1e-4, atol=1e-5)


def test_round_trip_is_exact():
    upstream = random_upstream_state_dict(seed=3)
    back = convert_our_state_dict(convert_upstream_state_dict(upstream)[0])
    assert list(back) == list(upstream)
    for name, tensor in upstream.items():
        assert torch.equal(back[name], tensor), name


@pytest.mark.parametrize("damage, message", [
    (lambda sd: sd.pop("encoder.layers.1.norm2.bias"), "missing keys.*encoder.layers.1.norm2.bias"),
    (lambda sd: sd.update(extra=torch.zeros(1)), "unexpected keys.*'extra'"),
    (lambda sd: sd.update({"regressor.2.bias": torch.zeros(3)}), "shape mismatch: .*regressor.2"),
])
def test_damaged_upstream_checkpoints_are_rejected_by_name(damage, message):
    upstream = random_upstream_state_dict()
    damage(upstream)
    with pytest.raises(ValueError, match=message):
        convert_upstream_state_dict(upstream)


def _tool():
    spec = importlib.util.spec_from_file_location("convert_oat_checkpoint", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tool_writes_an_mmengine_checkpoint_and_converts_back(tmp_path):
    tool = _tool()
    upstream = random_upstream_state_dict()
    torch.save(dict(epoch=4, state_dict=upstream), tmp_path / "ckp_best.pth.tar")
    assert tool.main([str(tmp_path / "ckp_best.pth.tar"), str(tmp_path / "ours.pth")]) == 0
    ours = torch.load(tmp_path / "ours.pth", weights_only=False)
    assert ours["meta"]["epoch"] == 4 and ours["meta"]["model_sizes"]["num_anchors"] == 3
    _our_model(ours["meta"]["model_sizes"]).load_state_dict(ours["state_dict"], strict=True)
    assert tool.main([str(tmp_path / "ours.pth"), str(tmp_path / "back.tar"), "--reverse"]) == 0
    back = torch.load(tmp_path / "back.tar", weights_only=True)
    assert back["epoch"] == 4 and set(back["state_dict"]) == set(upstream)
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["back.tar", "ckp_best.pth.tar", "ours.pth"]  # no temporary file left


def test_tool_reports_bad_input_in_one_line_and_keeps_the_old_output(tmp_path, capsys):
    tool = _tool()
    upstream = random_upstream_state_dict()
    upstream.pop("decoder.norm.weight")
    torch.save(dict(epoch=1, state_dict=upstream), tmp_path / "bad.tar")
    (tmp_path / "out.pth").write_bytes(b"previous")
    assert tool.main([str(tmp_path / "bad.tar"), str(tmp_path / "out.pth")]) == 1
    assert tool.main([str(tmp_path / "absent.tar"), str(tmp_path / "out.pth")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and "decoder.norm.weight" in lines[0] and "not found" in lines[1]
    assert (tmp_path / "out.pth").read_bytes() == b"previous"
