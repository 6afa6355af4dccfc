"""TensorBoard logging for the pipeline's training runs, on exactly when tensorboard is installed.

mmengine's ``TensorboardVisBackend`` needs the ``tensorboard`` package (``pip install .[tb]``).
When it is importable, each training stage runs a one-line overlay config that inherits the
stage's config and adds the backend next to ``LocalVisBackend`` (whose ``scalars.json`` the
report's loss curves read). ``--cfg-options`` cannot express this: mmengine's DictAction parses
no dicts, and a list index past the list's end is refused. The overlay is not fingerprinted, so
installing tensorboard later re-runs nothing.
"""
from __future__ import annotations

import importlib.util
import os

from pipeline.atomic import write_text_atomic

VIS_BACKENDS = '[dict(type="LocalVisBackend"), dict(type="TensorboardVisBackend")]'


def tensorboard_available() -> bool:
    """Whether the ``tensorboard`` package can be imported."""
    return importlib.util.find_spec("tensorboard") is not None


def config_with_tensorboard(config: str, work_dir: str, available: bool | None = None) -> str:
    """The config a training stage runs: ``config`` itself, or an overlay that adds TensorBoard.

    The overlay is written next to ``work_dir`` (not inside: the Runner dumps its config there
    under the same name) as ``<work_dir>.tensorboard.py``, atomically.

    Args:
        available: override the detection (tests); None asks :func:`tensorboard_available`.
    """
    if not (tensorboard_available() if available is None else available):
        return config
    overlay = os.path.abspath(work_dir) + ".tensorboard.py"
    text = (f"# written by tools/run_pipeline.py: {os.path.basename(config)} + TensorBoard\n"
            f"_base_ = [{os.path.abspath(config)!r}]\n"
            f"visualizer = dict(vis_backends={VIS_BACKENDS})\n")
    write_text_atomic(overlay, text)
    return overlay
