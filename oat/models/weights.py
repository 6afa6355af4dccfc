"""Strict loading of trained weights, with errors that say which file and which keys.

mmengine's ``Runner`` loads ``load_from`` non-strictly: a checkpoint of another model (other
sizes, other classes) only logs a warning and evaluation then runs on random weights. Its strict
mode raises torch's multi-line ``RuntimeError`` without the file name. Tools that evaluate or
stream a checkpoint use :func:`load_model_weights` instead.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

import torch
from torch import nn

MAX_LISTED = 3  # keys quoted per kind of mismatch


def load_model_weights(model: nn.Module, path: str) -> dict:
    """Load the ``state_dict`` of checkpoint ``path`` into ``model``, strictly.

    Only for local checkpoints this project wrote (read like ``oat.compat``'s resume loader,
    which allows pickled python objects). Returns the checkpoint's ``meta`` (empty if none).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is not a readable checkpoint, or its keys / shapes are not the
            model's (the message names the file and the first differing keys).
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as err:  # noqa: BLE001  (torch raises many types for unreadable files)
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"{path}: not a readable checkpoint (truncated or not written by "
                         f"torch.save?): {reason}") from None
    state = checkpoint.get("state_dict") if isinstance(checkpoint, Mapping) else None
    if not isinstance(state, Mapping):
        raise ValueError(f"{path}: expected a checkpoint dict with a 'state_dict' entry")
    problems = _mismatches(model.state_dict(), state)
    if problems:
        raise ValueError(f"{path}: not a checkpoint of this {type(model).__name__} ("
                         f"{'; '.join(problems)}); a checkpoint of another model or config?")
    model.load_state_dict(state, strict=True)
    return dict(checkpoint.get("meta") or {})


def _mismatches(expected: Mapping[str, torch.Tensor], found: Mapping[str, object]) -> list[str]:
    """Missing keys, unexpected keys and shape differences, each summarised in one phrase."""
    missing = [key for key in expected if key not in found]
    unexpected = [key for key in found if key not in expected]
    reshaped = [
        f"{key} is {tuple(found[key].shape)} in the file, {tuple(value.shape)} in the model"
        for key, value in expected.items()
        if key in found and tuple(getattr(found[key], "shape", ())) != tuple(value.shape)
    ]
    problems = []
    for name, items in (("missing keys", missing), ("unexpected keys", unexpected),
                        ("shape mismatches", reshaped)):
        if items:
            more = f", +{len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
            problems.append(f"{len(items)} {name}: {', '.join(items[:MAX_LISTED])}{more}")
    return problems
