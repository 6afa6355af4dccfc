"""The label schedule of TSASPC's iterative clustering (teachers-spec §2.5) as an mmengine hook."""
from __future__ import annotations

import numpy as np
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from oat.registry import HOOKS

CHECKPOINT_KEY = "tsaspc_segments"


@HOOKS.register_module()
class TSASPCLabelScheduleHook(Hook):
    """Epochs ``1 .. propagation_start_epoch - 1``: CE on the timestamps only; from
    ``propagation_start_epoch`` on (51 of 70 in the paper): label propagation every mini-batch.

    Needs an epoch-based train loop. Also stores the model's per-video segments in every
    checkpoint (``checkpoint["tsaspc_segments"]``) and restores them on load, so a resumed run
    keeps the propagated labels.
    """

    priority = "NORMAL"

    def __init__(self, propagation_start_epoch: int = 51):
        if propagation_start_epoch < 1:
            raise ValueError("TSASPCLabelScheduleHook: propagation_start_epoch must be >= 1, "
                             f"got {propagation_start_epoch}")
        self.propagation_start_epoch = propagation_start_epoch

    @staticmethod
    def _teacher(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def before_train_epoch(self, runner) -> None:
        model, epoch = self._teacher(runner), runner.epoch + 1
        propagate = epoch >= self.propagation_start_epoch
        if propagate and not model.propagate_labels:
            print_log(f"TSASPC: label propagation on from epoch {epoch}", logger="current")
        model.propagate_labels = propagate

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[CHECKPOINT_KEY] = {video_id: np.asarray(spans).tolist() for video_id, spans
                                      in self._teacher(runner).segment_state.items()}

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(CHECKPOINT_KEY)
        if state is not None:
            self._teacher(runner).segment_state = {
                video_id: np.asarray(spans, dtype=np.int64).reshape(-1, 2)
                for video_id, spans in state.items()
            }
