"""Fixes for the torch / mmengine versions we support (conventions §8).

1. Resume on torch >= 2.6: ``torch.load`` defaults to ``weights_only=True`` there, and mmengine
   0.10.x checkpoints hold pickled objects (``HistoryBuffer``, numpy scalars), so ``--resume``
   raises ``UnpicklingError`` (mmengine#1655). We re-register the local-file loader so our own
   checkpoints load with ``weights_only=False``. Only local files are affected: these are files
   this project wrote itself.
2. torchrun on CPU-only torch: mmengine's pytorch launcher calls ``torch.cuda.set_device``.
   :func:`init_cpu_distributed` starts a ``gloo`` process group instead, before Runner is built
   (Runner then skips its own distributed set-up).
"""
from __future__ import annotations

import os

import torch
from mmengine.runner.checkpoint import CheckpointLoader


def load_trusted_local_checkpoint(filename: str, map_location=None):
    """Load a checkpoint file this project wrote, allowing pickled python objects."""
    if not os.path.isfile(filename):
        raise FileNotFoundError(f"checkpoint not found: {filename}")
    return torch.load(filename, map_location=map_location, weights_only=False)


def install_resume_fix() -> None:
    """Register :func:`load_trusted_local_checkpoint` for plain paths (mmengine's '' prefix)."""
    CheckpointLoader.register_scheme(prefixes="", force=True)(load_trusted_local_checkpoint)


def init_cpu_distributed() -> bool:
    """Start a gloo process group from torchrun's environment when CUDA is absent.

    Returns True when a group was started here; the caller then passes
    ``launcher="none"`` semantics to Runner but keeps DDP wrapping
    (``model_wrapper_cfg=dict(type="MMDistributedDataParallel", device_ids=None)``).
    """
    if torch.cuda.is_available() or "RANK" not in os.environ:
        return False
    if torch.distributed.is_initialized():
        return True
    torch.distributed.init_process_group(backend="gloo")
    return True


install_resume_fix()
