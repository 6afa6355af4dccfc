"""Hook that initialises HR-Pro's prototype memory before the first training iteration."""
from __future__ import annotations

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.utils import ProgressBar

from oat.registry import HOOKS


@HOOKS.register_module()
class HRProPrototypeInitHook(Hook):
    """Before training, set every class prototype to the mean embedded feature of that class's
    point snippets over the training set (teachers-spec §1.5), with the untrained network.

    Skipped when the memory is already initialised (a resumed or fine-tuned checkpoint carries
    the prototypes and the flag as buffers).
    """

    priority = "NORMAL"

    def before_train(self, runner) -> None:
        """Initialise the prototypes of ``runner.model`` from ``runner.train_dataloader``."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if bool(model.memory.initialized):
            print_log("HR-Pro prototypes already initialised; keeping them", logger="current")
            return
        dataset = runner.train_dataloader.dataset
        print_log(f"HR-Pro: initialising prototypes from {len(dataset)} training videos",
                  logger="current")
        progress = ProgressBar(len(dataset))

        def items():
            """Dataset items in order, advancing the progress bar."""
            for index in range(len(dataset)):
                yield dataset[index]
                progress.update()

        model.initialize_prototypes(items())
