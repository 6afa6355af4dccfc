"""What the inference tools share: a trained model and its online settings from a config."""
from __future__ import annotations

from mmengine.config import Config
from mmengine.utils import import_modules_from_strings
from torch import nn

from oat.inference.postprocessors import OnlineNMS, PostProcessor
from oat.inference.video_predictor import OnlineVideoPredictor
from oat.models.weights import load_model_weights
from oat.registry import MODELS


def load_trained_model(cfg: Config, checkpoint: str) -> nn.Module:
    """``MODELS.build(cfg.model)`` with the checkpoint's weights (strict), in eval mode.

    Honours ``custom_imports`` of the config (plugins register their parts on import).
    """
    if cfg.get("custom_imports"):
        import_modules_from_strings(**cfg.custom_imports)
    model = MODELS.build(cfg.model)
    load_model_weights(model, checkpoint)
    return model.eval()


def online_settings(model: nn.Module) -> tuple[PostProcessor, dict]:
    """The post-processor and decoding options of the model's ``video_predictor``.

    The predictor may sit on a wrapped sub-module (a wrapper that predicts through the model
    it wraps). Falls back to MATR's online NMS and OAT decoding when no module has an
    :class:`OnlineVideoPredictor`.
    """
    for module in model.modules():
        predictor = getattr(module, "video_predictor", None)
        if isinstance(predictor, OnlineVideoPredictor):
            decoding = dict(score_threshold=predictor.score_threshold,
                            class_rule=predictor.class_rule)
            return predictor.postprocessor, decoding
    return OnlineNMS(), dict(score_threshold=0.1, class_rule="oat")
