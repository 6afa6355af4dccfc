# "HR-Pro + OAT-ONMS" (onpoint-spec §6): vanilla OAT trained on the HR-Pro teacher's pseudo
# segments as if they were ground truth, evaluated with online NMS. The model is OAT's config
# unchanged; only the training windows take their anchor targets from the teacher cache.
_base_ = "../oat/oat_thumos14.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/hrpro_thumos14.h5}}"

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
