# "HR-Pro + OAT-ONMS" (onpoint-spec §6): vanilla OAT trained on the HR-Pro teacher's pseudo
# segments as if they were ground truth, evaluated with online NMS. The model is OAT's config
# unchanged; only the training windows take their anchor targets from the teacher cache.
_base_ = "../_base_/point_supervised/oat_thumos14.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/hrpro_thumos14.h5}}"

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type="WithTeacherTargets",
        dataset=_base_.train_dataloader.dataset,
        cache=teacher_cache,
        targets=("ins",),  # OAT's cls_target / reg_target, from pseudo segments
    )
)
