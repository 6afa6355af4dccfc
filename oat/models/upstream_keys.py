"""State-dict names of upstream OAT-OSN's ``MYNET`` <-> ours (oat-spec §3.4).

Upstream checkpoints are ``{'epoch': int, 'state_dict': {...}}`` with 144 entries at the paper
size. Every entry maps to exactly one of ours; only the positional table changes shape
(upstream ``(max_len, 1, E)``, sequence-first; ours ``(max_len, E)``, batch-first).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import torch

from oat.models.detector import OATDetector

# (upstream name or prefix, our name or prefix); a name ending in "." is a prefix. Specific
# entries come before the prefixes that would also cover them.
_RENAMES = (
    ("decoder_token", "decoder.anchor_queries"),
    ("positional_encoding.pos_embedding", "encoder.positional_encoding.table"),
    ("feature_reduction_rgb.", "projection.rgb."),
    ("feature_reduction_flow.", "projection.flow."),
    ("encoder.layers.", "encoder.layers."),
    ("encoder.norm.", "encoder.norm."),
    ("decoder.layers.", "decoder.layers."),
    ("decoder.norm.", "decoder.norm."),
    ("classifier.", "heads.classifier."),
    ("regressor.", "heads.regressor."),
)
_UPSTREAM_TABLE = "positional_encoding.pos_embedding"
_OUR_TABLE = "encoder.positional_encoding.table"


def upstream_to_ours(state_dict: Mapping[str, torch.Tensor]) -> OrderedDict:
    """Renames (and reshapes the positional table of) an upstream ``MYNET`` state dict."""
    converted = _renamed(state_dict, list(_RENAMES), "upstream")
    if _OUR_TABLE in converted:
        converted[_OUR_TABLE] = _squeezed_table(converted[_OUR_TABLE])
    return converted


def ours_to_upstream(state_dict: Mapping[str, torch.Tensor]) -> OrderedDict:
    """Inverse of :func:`upstream_to_ours`: our ``OATDetector`` state dict -> upstream names."""
    converted = _renamed(state_dict, [(ours, up) for up, ours in _RENAMES], "our")
    if _UPSTREAM_TABLE in converted:
        converted[_UPSTREAM_TABLE] = converted[_UPSTREAM_TABLE].unsqueeze(1)
    return converted


def convert_upstream_state_dict(
    state_dict: Mapping[str, torch.Tensor],
) -> tuple[OrderedDict, dict]:
    """Upstream state dict -> (ours, the OATDetector sizes it implies), checked key by key."""
    config = detector_config_from_upstream(state_dict)
    converted = upstream_to_ours(state_dict)
    check_state_dict(converted, expected_state_shapes(config), "converted upstream checkpoint")
    return converted, config


def convert_our_state_dict(state_dict: Mapping[str, torch.Tensor]) -> OrderedDict:
    """Our OATDetector state dict -> upstream names, after checking it key by key."""
    converted = ours_to_upstream(state_dict)
    config = detector_config_from_upstream(converted)
    check_state_dict(state_dict, expected_state_shapes(config), "OATDetector checkpoint")
    return converted


def expected_state_shapes(config: Mapping) -> dict[str, torch.Size]:
    """Names and shapes of an ``OATDetector(**config)`` state dict (built on the meta device)."""
    with torch.device("meta"):
        model = OATDetector(**config)
    return {name: tensor.shape for name, tensor in model.state_dict().items()}


def detector_config_from_upstream(state_dict: Mapping[str, torch.Tensor]) -> dict:
    """OATDetector sizes read off an upstream state dict's shapes.

    Anchor *lengths*, the window and the head counts are not stored in a checkpoint: the
    anchors come back as ``1..A`` placeholders and the heads as 1 (shapes do not depend on them).
    """
    def shape_of(name: str) -> torch.Size:
        if name not in state_dict:
            raise KeyError(f"upstream state dict has no {name!r} (needed to read the model size)")
        return state_dict[name].shape

    num_anchors, _, embed_dim = shape_of("decoder_token")
    encoder = dict(
        type="WindowTransformerEncoder",
        num_layers=_count_layers(state_dict, "encoder"),
        num_heads=1,
        ffn_dim=shape_of("encoder.layers.0.linear1.weight")[0],
        max_len=shape_of(_UPSTREAM_TABLE)[0],
    )
    decoder = dict(
        type="AnchorQueryDecoder",
        num_layers=_count_layers(state_dict, "decoder"),
        num_heads=1,
        ffn_dim=shape_of("decoder.layers.0.linear1.weight")[0],
    )
    return dict(
        anchors=tuple(range(1, num_anchors + 1)),
        num_classes=shape_of("classifier.2.weight")[0] - 1,
        feat_dim=2 * shape_of("feature_reduction_rgb.weight")[1],
        embed_dim=embed_dim,
        encoder=encoder,
        decoder=decoder,
        heads=dict(type="AnchorInstanceHeads", hidden_dim=shape_of("classifier.0.weight")[0]),
    )


def check_state_dict(
    state_dict: Mapping[str, torch.Tensor], expected: Mapping[str, torch.Size], what: str
) -> None:
    """Raises ValueError listing missing keys, unexpected keys and shape mismatches."""
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    mismatched = [
        f"{name} {tuple(state_dict[name].shape)} != expected {tuple(expected[name])}"
        for name in expected
        if name in state_dict and state_dict[name].shape != expected[name]
    ]
    problems = [f"missing keys {missing}"] if missing else []
    problems += [f"unexpected keys {unexpected}"] if unexpected else []
    problems += [f"shape mismatch: {'; '.join(mismatched)}"] if mismatched else []
    if problems:
        raise ValueError(f"{what}: " + " | ".join(problems))


def _renamed(
    state_dict: Mapping[str, torch.Tensor], renames: list[tuple[str, str]], side: str
) -> OrderedDict:
    converted, unknown = OrderedDict(), []
    for name, tensor in state_dict.items():
        new_name = _rename(name, renames)
        if new_name is None:
            unknown.append(name)
        else:
            converted[new_name] = tensor
    if unknown:
        raise ValueError(f"unexpected keys for an {side} OAT state dict: {sorted(unknown)}")
    return converted


def _rename(name: str, renames: list[tuple[str, str]]) -> str | None:
    for source, target in renames:
        if source.endswith(".") and name.startswith(source):
            return target + name[len(source):]
        if name == source:
            return target
    return None


def _squeezed_table(table: torch.Tensor) -> torch.Tensor:
    if table.dim() != 3 or table.shape[1] != 1:
        raise ValueError(
            f"{_UPSTREAM_TABLE}: expected shape (max_len, 1, E), got {tuple(table.shape)}")
    return table.squeeze(1)


def _count_layers(state_dict: Mapping[str, torch.Tensor], stack: str) -> int:
    prefix = f"{stack}.layers."
    indices = {int(name[len(prefix):].split(".")[0]) for name in state_dict
               if name.startswith(prefix)}
    if not indices:
        raise KeyError(f"upstream state dict has no {prefix}* entries")
    return max(indices) + 1
