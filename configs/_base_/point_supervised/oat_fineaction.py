# Point-supervised base: supervised OAT on FineAction with no ground-truth
# segment in training or in checkpoint selection (README, "Configs").
_base_ = "../../oat/oat_fineaction.py"

_base_.train_dataloader.dataset.with_targets = False  # ground truth never becomes a target
_base_.train_dataloader.dataset.holdout = "all"  # train on every training video [our choice]
val_dataloader = None  # nothing chooses the checkpoint: keep the last [our choice]
val_evaluator = None
val_cfg = None
default_hooks = dict(checkpoint=dict(save_best=None))
