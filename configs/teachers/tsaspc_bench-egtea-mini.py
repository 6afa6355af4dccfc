# TSASPC teacher on a built-in EGTEA-like benchmark (GENERATED features, 22 classes, teacher view
# 1.5 steps/s, rgb 64 || flow 64): the paper network, a short schedule that runs in minutes.
# Build the data (the preset must have EGTEA's classes and teacher view, e.g. `egtea`):
#   python tools/make_benchmark.py --preset egtea --out work_dirs/bench/egtea-mini --seed 0
#   python -m onpoint_ext.teachers.tsaspc.make_background_points \
#       work_dirs/bench/egtea-mini/annotations.json --out work_dirs/bench/egtea-mini/background.csv
# then: python tools/train.py configs/teachers/tsaspc_bench-egtea-mini.py
_base_ = ["./tsaspc_egtea.py"]

bench_dir = "{{$BENCH_DIR:work_dirs/bench/egtea-mini}}"
feat_dim = 128

model = dict(network=dict(in_channels=feat_dim))
train_dataloader = dict(
    dataset=dict(ann_file=bench_dir + "/annotations.json",
                 feature_file=bench_dir + "/teacher.h5", feat_dim=feat_dim,
                 points_file=bench_dir + "/points.csv",
                 background_points=bench_dir + "/background.csv"),
)
val_dataloader = dict(
    dataset=dict(ann_file=bench_dir + "/annotations.json",
                 feature_file=bench_dir + "/teacher.h5", feat_dim=feat_dim),
)
test_dataloader = val_dataloader
# [our choice] 14 epochs, propagation from epoch 10 (paper: 70 / 51), same 5:7 ratio
train_cfg = dict(max_epochs=14, val_interval=14)
custom_hooks = [dict(type="TSASPCLabelScheduleHook", propagation_start_epoch=10)]
default_hooks = dict(logger=dict(interval=2), checkpoint=dict(interval=14))
