# "HR-Pro + OAT-ONMS" on the built-in `thumos14-mini` benchmark (see oat-pseudo_hrpro_thumos14.py).
_base_ = "../oat/oat_bench-thumos14-mini.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/bench/thumos14-mini/teacher_cache.h5}}"

_base_.train_dataloader.dataset.with_targets = False  # ground truth never becomes a target
# Point supervision all the way: no ground-truth segment chooses the checkpoint either, so
# train on every training video and keep the last checkpoint [our choice].
_base_.train_dataloader.dataset.holdout = "all"
val_dataloader = None
val_evaluator = None
val_cfg = None
default_hooks = dict(checkpoint=dict(save_best=None))
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type="WithTeacherTargets",
        dataset=_base_.train_dataloader.dataset,
        cache=teacher_cache,
        targets=("ins",),  # OAT's cls_target / reg_target, from pseudo segments
    )
)
