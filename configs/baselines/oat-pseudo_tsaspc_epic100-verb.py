# "TSASPC + OAT-ONMS" on epic100-verb (onpoint-spec §6; see oat-pseudo_hrpro_thumos14.py):
# vanilla OAT (its config unchanged) trained on the teacher's pseudo segments.
_base_ = "../_base_/point_supervised/oat_epic100-verb.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/tsaspc_epic100-verb.h5}}"

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type="WithTeacherTargets",
        dataset=_base_.train_dataloader.dataset,
        cache=teacher_cache,
        targets=("ins",),  # OAT's cls_target / reg_target, from pseudo segments
    )
)
