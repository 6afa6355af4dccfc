# The built-in `thumos14-mini` benchmark (real THUMOS timeline statistics, GENERATED features).
# Build it with: python tools/make_benchmark.py --preset thumos14-mini --out work_dirs/bench/thumos14-mini
_base_ = ["./thumos14_tsn.py"]
bench_dir = "{{$BENCH_DIR:work_dirs/bench/thumos14-mini}}"
ann_file = bench_dir + "/annotations.json"
feature_file = bench_dir + "/student.h5"

train_dataloader = dict(
    batch_size=64, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file, feature_file=feature_file),
)
val_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file))
