# OnPoint on the built-in `thumos14-mini` benchmark (GENERATED features, 5 classes): the
# benchmark's small OAT student, the HR-Pro teacher cache built from configs/teachers/
# hrpro_bench-thumos14-mini.py, and the benchmark's Gaussian points.
_base_ = "../_base_/point_supervised/oat_bench-thumos14-mini.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

horizon = 16  # W', anticipation horizon in steps (THUMOS setting)
teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/bench/thumos14-mini/teacher_cache.h5}}"
points_file = "{{$BENCH_DIR:work_dirs/bench/thumos14-mini}}/points.csv"

_base_.model.decoder.type = "ActionnessCalibratedDecoder"  # same weights as OAT's decoder
model = dict(
    _delete_=True,
    type="OnPointDistiller",
    student=_base_.model,  # the benchmark's OAT model, otherwise unchanged
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
