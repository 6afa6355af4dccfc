"""What the report reads back from a finished pipeline: loss curves, student actionness.

These run inside the report stage's own subprocess: building a student model imports and
registers its plugin modules, which the orchestrating process keeps out of its registries.
"""
from __future__ import annotations

import glob
import json
import os
from collections.abc import Mapping

import numpy as np
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch import nn

from oat.registry import MODELS
from pipeline.identity import resolve_config


def load_loss_curves(train_dir: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Training losses of every run in a work dir: key -> (iterations (N,), values (N,)).

    Reads each run's ``<timestamp>/vis_data/scalars.json`` (mmengine's LocalVisBackend), oldest
    run first; a resumed run's entries replace the earlier run's at the same iteration. Entries
    without a ``loss`` key are validation metrics and are left out.
    """
    by_step: dict[int, dict] = {}
    pattern = os.path.join(glob.escape(train_dir), "*", "vis_data", "scalars.json")
    for path in sorted(glob.glob(pattern)):
        with open(path) as f:
            for line in f:
                entry = json.loads(line) if line.strip() else {}
                if "loss" in entry and "step" in entry:
                    by_step[int(entry["step"])] = entry
    steps = sorted(by_step)
    keys = sorted({key for entry in by_step.values() for key in entry if key.startswith("loss")})
    curves = {}
    for key in keys:
        kept = [step for step in steps if key in by_step[step]]
        curves[key] = (np.array(kept), np.array([by_step[s][key] for s in kept], dtype=float))
    return curves


def load_model(config: str, env: Mapping[str, str], options: Mapping, checkpoint: str
               ) -> nn.Module:
    """Build a trained model from its config and checkpoint, in eval mode, on the CPU."""
    cfg = resolve_config(config, env, options)
    init_default_scope(cfg.get("default_scope", "oat"))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location="cpu", strict=True, logger="silent")
    return model.eval()


def online_actionness(model: nn.Module, features: torch.Tensor, chunk_size: int = 256
                      ) -> np.ndarray:
    """Per-step actionness ``1 - sigmoid(b_t)`` of a student with a CASS head, online.

    ``b_t`` is the CASS background logit at the newest position of the window ending at step
    t, the value the calibrated decoder uses at that step (zero front padding before the video
    starts, as in streaming). Uses the model's stage methods ``project`` / ``encode`` and its
    ``cass_head``.

    Args:
        features: (T, D_in) input features of the whole video.

    Returns:
        (T,) float array in [0, 1].
    """
    if getattr(model, "cass_head", None) is None:
        raise ValueError(f"{type(model).__name__} has no CASS head: no actionness to plot")
    window = int(model.window)
    with torch.inference_mode():
        padded = torch.cat([features.new_zeros(window - 1, features.shape[1]), features])
        projected = model.project(padded[None].float())[0]  # (T + W - 1, E)
        windows = projected.unfold(0, window, 1).transpose(1, 2)  # (T, W, E)
        logits = [model.cass_head(model.encode(chunk.contiguous()))[:, -1, -1]
                  for chunk in windows.split(chunk_size)]
    return torch.sigmoid(-torch.cat(logits)).numpy()  # 1 - sigmoid(b), stable
