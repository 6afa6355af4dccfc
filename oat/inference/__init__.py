"""Online inference: decoding, NMS, post-processors (OAT-NMS, OAT-OSN, ONMS), streaming.

Importing this package registers the post-processors (``OfflineNMS``, ``OATOSN``, ``OnlineNMS``,
``StepNMS``) and ``OnlineVideoPredictor`` in ``oat.registry.TASK_UTILS`` and ``SuppressNet`` in
``oat.registry.MODELS``. Modules: ``decoding`` (§6.2), ``nms`` (§6.3), ``postprocessors``
(OAT-NMS, MATR ONMS §8), ``osn``/``suppressnet``/``osn_training`` (OAT-OSN §3.5, §6.3b, §6.4),
``streaming`` (frame-by-frame, several streams), ``video_predictor`` (whole videos, batched).
"""
from oat.inference.decoding import ProposalDecoder
from oat.inference.osn import OATOSN
from oat.inference.postprocessors import OfflineNMS, OnlineNMS, PostProcessor, StepNMS
from oat.inference.proposals import Detection, Proposals, TimeBase
from oat.inference.streaming import StreamingDetector
from oat.inference.suppressnet import SuppressNet
from oat.inference.video_predictor import OnlineVideoPredictor

__all__ = [
    "Detection",
    "OATOSN",
    "OfflineNMS",
    "OnlineNMS",
    "OnlineVideoPredictor",
    "PostProcessor",
    "ProposalDecoder",
    "Proposals",
    "StepNMS",
    "StreamingDetector",
    "SuppressNet",
    "TimeBase",
]
