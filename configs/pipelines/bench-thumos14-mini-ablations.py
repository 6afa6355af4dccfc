# The thumos14-mini pipeline plus OnPoint's ablations (each loss, and the calibration, off),
# for the multi-seed table in BENCHMARKS.md (`benchmarks/aggregate_seeds.py`).
_base_ = ["./bench-thumos14-mini.py"]
methods = dict(
    no_ins=dict(name="OnPoint w/o L_ins",
                config="configs/onpoint/onpoint_bench-thumos14-mini_no-ins.py"),
    no_cass=dict(name="OnPoint w/o L_cass (and calibration)",
                 config="configs/onpoint/onpoint_bench-thumos14-mini_no-cass.py"),
    no_ant=dict(name="OnPoint w/o L_ant",
                config="configs/onpoint/onpoint_bench-thumos14-mini_no-ant.py"),
    no_pnt=dict(name="OnPoint w/o L_pnt",
                config="configs/onpoint/onpoint_bench-thumos14-mini_no-pnt.py"),
    no_calib=dict(name="OnPoint w/o calibration",
                  config="configs/onpoint/onpoint_bench-thumos14-mini_no-calib.py"),
)
