# HR-Pro stage 1 on the built-in `thumos14-mini` benchmark (GENERATED features, 5 classes,
# 40 train / 20 test one-minute videos, teacher view 128-d at 1.5625 steps/s).
# Build the data with: python tools/make_benchmark.py --preset thumos14-mini --out $BENCH_DIR
# [our choice] a narrow network (E 128, 4 heads, FFN 128) and a 10x learning rate so it
# trains in a few minutes on 2 CPU cores; everything else as in hrpro_thumos14.py.
_base_ = ["./hrpro_thumos14.py"]

bench_dir = "{{$BENCH_DIR:work_dirs/bench/thumos14-mini}}"
feat_dim = 128  # generated two-stream teacher view: rgb 64 || flow 64
num_classes = 5

model = dict(network=dict(in_channels=feat_dim, num_classes=num_classes, embed_dim=128,
                          num_heads=4, ffn_dim=128))
dataset = dict(ann_file=bench_dir + "/annotations.json",
               feature_file=bench_dir + "/teacher.h5", feat_dim=feat_dim)
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(dataset, points_file=bench_dir + "/points.csv"))
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_iters=200, val_interval=200)
default_hooks = dict(checkpoint=dict(interval=200))
