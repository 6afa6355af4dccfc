# Point-supervised base: supervised OAT on EPIC-Kitchens-100 (verb task) with no ground-truth
# segment in training or in checkpoint selection (README, "Configs").
_base_ = "../../oat/oat_epic100-verb.py"

_base_.train_dataloader.dataset.with_targets = False  # ground truth never becomes a target
_base_.train_dataloader.dataset.holdout = "all"  # train on every training video [our choice]
val_dataloader = None  # nothing chooses the checkpoint: keep the last [our choice]
val_evaluator = None
val_cfg = None
default_hooks = dict(checkpoint=dict(save_best=None))
