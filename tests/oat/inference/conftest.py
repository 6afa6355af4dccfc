"""Fixtures of the inference tests: a tiny random OAT model and proposal helpers.

pytest runs with ``--import-mode=importlib``, so helpers reach the tests as fixtures (``kit``).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from oat.inference.proposals import Proposals
from oat.models import OATDetector

TINY_MODEL = dict(
    window=8, anchors=(2, 4, 8), num_classes=3, feat_dim=8, embed_dim=16,
    encoder=dict(type="WindowTransformerEncoder", num_layers=1, num_heads=2, ffn_dim=32),
    decoder=dict(type="AnchorQueryDecoder", num_layers=2, num_heads=2, ffn_dim=32),
)


def build_tiny_model(seed: int = 0, dtype: torch.dtype = torch.float32) -> OATDetector:
    """A small random OATDetector in eval mode with peaky class probabilities."""
    torch.manual_seed(seed)
    model = OATDetector(**TINY_MODEL).to(dtype).eval()
    with torch.no_grad():  # spread the logits so that some classes pass 0.1 and some do not
        model.heads.classifier[2].weight.mul_(8.0)
        model.heads.regressor[2].weight.mul_(3.0)
    return model


def make_proposals(*rows) -> Proposals:
    """Proposals from rows ``(start, end, label, score, emit_time)``."""
    if not rows:
        return Proposals.empty()
    starts, ends, labels, scores, times = (np.array(column) for column in zip(*rows))
    return Proposals(starts.astype(np.float64), ends.astype(np.float64),
                     labels.astype(np.int64), scores.astype(np.float64), times.astype(np.float64))


def rows_of(proposals: Proposals) -> list[tuple]:
    """Proposals as a list of plain tuples (start, end, label, score, emit_time)."""
    return [tuple(detection) for detection in proposals]


def detections_array(detections) -> np.ndarray:
    """(K, 5) float64 rows ``start, end, label, score, emit_time`` of Detection tuples."""
    return np.array([tuple(d) for d in detections], dtype=np.float64).reshape(-1, 5)


def assert_same_detections(actual, expected) -> None:
    """Exactly the same detections (count, order, every field).

    The shared ``tiny_model`` runs in float64: BLAS results depend on the batch size in the
    last bits, and in float32 such a difference can flip a threshold decision; in float64 it
    vanishes when the probabilities are rounded to float32 for decoding.
    """
    np.testing.assert_array_equal(detections_array(actual), detections_array(expected))


def stream_video(detector, features: torch.Tensor, stream_id, timebase) -> list:
    """Every Detection of one video streamed step by step (then finished), in emission order."""
    detector.start(stream_id, timebase)
    emitted = []
    for frame in features:
        emitted += detector.step(frame[None], [stream_id])[0]
    return emitted + detector.finish(stream_id)


@pytest.fixture(scope="module")
def tiny_model() -> OATDetector:
    """A small random float64 OATDetector in eval mode (shared by the tests of one module)."""
    return build_tiny_model(dtype=torch.float64)


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helper functions and the tiny model config, for the tests."""
    return SimpleNamespace(
        tiny_config=dict(TINY_MODEL), build_tiny_model=build_tiny_model,
        make_proposals=make_proposals, rows_of=rows_of, detections_array=detections_array,
        stream_video=stream_video, assert_same_detections=assert_same_detections,
    )
