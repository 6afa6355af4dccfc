# Issue 15's table on `thumos14-mini-wide` (the pre-action generator calibrated from the probe;
# GENERATED features): OnPoint and the paper's baselines, its five ablations, and the
# [our choice] options that test a reading: the calibration's r from the teacher at train time,
# a larger clamp, r not detached (issue 15 item 4); L_ant stopped at the encoder (item 3).
# Methods run in this order (every seed of one before the next), so a run cut short still has
# whole methods: the headline pair, the paper's other rows (widest 2 x 2-seed intervals
# first), then the [our choice] options.
# One work dir per benchmark seed; the two benchmark seeds run side by side, one stage each:
#   for b in 0 1; do
#     OMP_NUM_THREADS=1 python tools/run_pipeline.py \
#         --pipeline configs/pipelines/table-thumos14-mini-wide.py \
#         --work-dir work_dirs/table/bench$b --benchmark-seed $b --teacher-seed 1$b \
#         --student-seeds 0 1 2 3 4 --jobs 1 &
#   done; wait
#   python benchmarks/paired_comparison.py work_dirs/table/bench0 work_dirs/table/bench1 \
#       --versus onpoint --bootstrap 30 --plot docs/images/table_differences.png
_base_ = ["./bench-thumos14-mini-ablations.py"]
benchmark = dict(preset="thumos14-mini-wide")
methods = dict(
    _delete_=True,
    onpoint=dict(name="OnPoint", config="configs/onpoint/onpoint_bench-thumos14-mini.py"),
    oat_pseudo=dict(name="HR-Pro + OAT-ONMS",
                    config="configs/baselines/oat-pseudo_hrpro_bench-thumos14-mini.py"),
    no_ant=dict(name="OnPoint w/o L_ant",
                config="configs/onpoint/onpoint_bench-thumos14-mini_no-ant.py"),
    no_calib=dict(name="OnPoint w/o calibration",
                  config="configs/onpoint/onpoint_bench-thumos14-mini_no-calib.py"),
    oat=dict(name="OAT (fully supervised)", config="configs/oat/oat_bench-thumos14-mini.py"),
    no_pnt=dict(name="OnPoint w/o L_pnt",
                config="configs/onpoint/onpoint_bench-thumos14-mini_no-pnt.py"),
    no_cass=dict(name="OnPoint w/o L_cass (and calibration)",
                 config="configs/onpoint/onpoint_bench-thumos14-mini_no-cass.py"),
    no_ins=dict(name="OnPoint w/o L_ins",
                config="configs/onpoint/onpoint_bench-thumos14-mini_no-ins.py"),
    distill_free=dict(name="Distillation-free",
                      config="configs/baselines/distill-free_bench-thumos14-mini.py"),
    ant_detach=dict(name="OnPoint, L_ant stopped at the encoder",
                    config="configs/onpoint/onpoint_bench-thumos14-mini.py",
                    cfg_options={"model.ant_detach_encoder": True}),
    calib_teacher=dict(name="OnPoint, calibration r from the teacher in training",
                       config="configs/onpoint/onpoint_bench-thumos14-mini.py",
                       cfg_options={"model.student.decoder.train_actionness": "teacher"}),
    calib_eps=dict(name="OnPoint, calibration clamp eps 0.05",
                   config="configs/onpoint/onpoint_bench-thumos14-mini.py",
                   cfg_options={"model.student.decoder.eps": 0.05}),
    calib_not_detached=dict(name="OnPoint, calibration r not detached",
                            config="configs/onpoint/onpoint_bench-thumos14-mini.py",
                            cfg_options={"model.student.decoder.detach_actionness": False}),
)
