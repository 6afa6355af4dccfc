# OnPoint on THUMOS'14 (onpoint-spec §3-§4): HR-Pro teacher (frozen cache), LACP points,
# OAT student at paper size with the actionness-calibrated decoder.
_base_ = "../_base_/point_supervised/oat_thumos14.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

horizon = 16  # W', anticipation horizon in steps
teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/hrpro_thumos14.h5}}"
points_file = "{{$THUMOS14_POINTS:data/thumos14/points.csv}}"  # LACP points, canonical CSV

_base_.model.decoder.type = "ActionnessCalibratedDecoder"  # same weights as OAT's decoder
model = dict(
    _delete_=True,
    type="OnPointDistiller",
    student=_base_.model,  # the OAT model, otherwise unchanged
    cass_head=dict(type="CASSHead"),
    anticipation_head=dict(type="AnticipationHead"),
    point_heads=dict(type="AnchorPointHeads"),
    loss_weights=dict(ins=1.0, cass=1.0, ant=1.0, pnt=1.0),  # alpha beta gamma delta
)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type="WithTeacherTargets",
        dataset=_base_.train_dataloader.dataset,
        cache=teacher_cache,
        points_file=points_file,
        horizon=horizon,
    )
)
