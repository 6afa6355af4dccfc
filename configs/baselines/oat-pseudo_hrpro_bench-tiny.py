# "HR-Pro + OAT-ONMS" on the built-in `tiny` benchmark (see oat-pseudo_hrpro_thumos14.py).
_base_ = "../oat/oat_bench-tiny.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/bench/tiny/teacher_cache.h5}}"

_base_.train_dataloader.dataset.with_targets = False  # ground truth never becomes a target
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type="WithTeacherTargets",
        dataset=_base_.train_dataloader.dataset,
        cache=teacher_cache,
        targets=("ins",),  # OAT's cls_target / reg_target, from pseudo segments
    )
)
