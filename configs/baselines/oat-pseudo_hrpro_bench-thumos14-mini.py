# "HR-Pro + OAT-ONMS" on the built-in `thumos14-mini` benchmark (see oat-pseudo_hrpro_thumos14.py).
_base_ = "../_base_/point_supervised/oat_bench-thumos14-mini.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/bench/thumos14-mini/teacher_cache.h5}}"

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type="WithTeacherTargets",
        dataset=_base_.train_dataloader.dataset,
        cache=teacher_cache,
        targets=("ins",),  # OAT's cls_target / reg_target, from pseudo segments
    )
)
