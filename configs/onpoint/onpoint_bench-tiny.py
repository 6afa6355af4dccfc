# OnPoint on the built-in `tiny` benchmark (GENERATED features, 3 classes): the tiny OAT student,
# the HR-Pro teacher cache of configs/teachers/hrpro_bench-tiny.py and the benchmark's Gaussian
# points. Trains in seconds; used by the pipeline test.
_base_ = "../oat/oat_bench-tiny.py"
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

horizon = 4  # W', anticipation horizon in steps (THUMOS' W'/W = 16/64 at W = 16)
teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/bench/tiny/teacher_cache.h5}}"
points_file = "{{$BENCH_DIR:work_dirs/bench/tiny}}/points.csv"

_base_.model.decoder.type = "ActionnessCalibratedDecoder"  # same weights as OAT's decoder
_base_.train_dataloader.dataset.with_targets = False  # ground truth never becomes a target
model = dict(
    _delete_=True,
    type="OnPointDistiller",
    student=_base_.model,  # the tiny OAT model, otherwise unchanged
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
