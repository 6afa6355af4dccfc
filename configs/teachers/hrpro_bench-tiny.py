# HR-Pro stage 1 on the built-in `tiny` benchmark (GENERATED features, 3 classes, 6 train /
# 3 test videos, teacher view 32-d at 1.5625 steps/s): the teacher the pipeline test trains in
# seconds. Build the data with: python tools/make_benchmark.py --preset tiny --out $BENCH_DIR
# [our choice] a very narrow network (E 32, 2 heads, FFN 32), 10x learning rate, 30 iterations.
_base_ = ["./hrpro_thumos14.py"]

bench_dir = "{{$BENCH_DIR:work_dirs/bench/tiny}}"
feat_dim = 32  # generated two-stream teacher view: rgb 16 || flow 16
num_classes = 3

model = dict(network=dict(in_channels=feat_dim, num_classes=num_classes, embed_dim=32,
                          num_heads=2, ffn_dim=32))
dataset = dict(ann_file=bench_dir + "/annotations.json",
               feature_file=bench_dir + "/teacher.h5", feat_dim=feat_dim)
train_dataloader = dict(batch_size=6, num_workers=0, persistent_workers=False,
                        dataset=dict(dataset, points_file=bench_dir + "/points.csv"))
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_iters=30, val_interval=30)
default_hooks = dict(checkpoint=dict(interval=30), logger=dict(interval=10))
