"""Fixes for the torch / mmengine versions we support (conventions §8).

1. Resume on torch >= 2.6: ``torch.load`` defaults to ``weights_only=True`` there, and mmengine
   0.10.x checkpoints hold pickled objects (``HistoryBuffer``, numpy scalars), so ``--resume``
   raises ``UnpicklingError`` (mmengine#1655). We re-register the local-file loader so our own
   checkpoints load with ``weights_only=False``. Only local files are affected: these are files
   this project wrote itself.
2. torchrun on CPU-only torch: mmengine's pytorch launcher calls ``torch.cuda.set_device``.
   :func:`init_cpu_distributed` starts a ``gloo`` process group instead, before Runner is built
   (Runner then skips its own distributed set-up).
3. Runner start-up: mmengine formats the whole config with yapf (~1.7 s of CPU at our config
   sizes) in ``Config.pretty_text`` each time it is read, and a Runner start reads it three times
   (log, dumped ``work_dir`` config, checkpoint/visualiser meta). :func:`install_format_cache`
   memoises yapf's result per (unformatted text, style): a config that changed has a different
   text and is formatted afresh, so every dumped file and log line stays exactly what mmengine
   writes; only the repeated work goes.
"""
from __future__ import annotations

import functools
import os

import mmengine.config.config as mmengine_config
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


def finish_distributed() -> None:
    """Wait for every rank, then destroy the process group, before the interpreter exits.

    Left to interpreter shutdown, a rank that exits while another still talks through gloo
    can die with "terminate called without an active exception" (SIGABRT) after training
    finished; seen once in ~10 runs of the 2-process CPU test on torch 2.13.
    """
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


@functools.lru_cache(maxsize=16)
def _format_once(text: str, style: tuple, options: tuple) -> tuple:
    return _yapf_format(text, style_config=dict(style), **dict(options))


_yapf_format = mmengine_config.FormatCode


def cached_format_code(text: str, style_config=None, **options):
    """yapf's ``FormatCode`` with its result memoised per (text, style, options); the same
    return value as the uncached call (a ``(formatted text, changed)`` pair)."""
    try:
        return _format_once(text, tuple(sorted(style_config.items())),
                            tuple(sorted(options.items())))
    except (AttributeError, TypeError):  # a style that is no plain dict: not cached
        return _yapf_format(text, style_config=style_config, **options)


def install_format_cache() -> None:
    """Make mmengine's ``Config.pretty_text`` use :func:`cached_format_code`."""
    mmengine_config.FormatCode = cached_format_code


install_resume_fix()
install_format_cache()
