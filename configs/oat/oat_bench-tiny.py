# OAT on the built-in `tiny` benchmark (GENERATED features, 3 classes): the configuration the
# reliability tests train in seconds (resume after kill -9, CPU torchrun, determinism).
# Build the data with: python tools/make_benchmark.py --preset tiny --out work_dirs/bench/tiny
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/models/oat.py",
    "../_base_/datasets/thumos14_tsn.py",
    "../_base_/schedules/oat_adam_5ep.py",
]
bench_dir = "{{$BENCH_DIR:work_dirs/bench/tiny}}"
ann_file = bench_dir + "/annotations.json"
feature_file = bench_dir + "/student.h5"
window = 16  # W, the preset's suggested window
anchors = (2, 4, 8, 16)
num_classes = 3
feat_dim = 32  # generated two-stream features: rgb 16 || flow 16
steps_per_second = 5.0  # the student view's rate; a teacher file (1.5625/s) is refused
holdout_fraction = 0.5  # 3 of the 6 training videos select checkpoints (5 instances)

model = dict(
    window=window,
    anchors=anchors,
    num_classes=num_classes,
    feat_dim=feat_dim,
    embed_dim=16,
    # [our choice] dropout 0: a 2-process run then sees exactly the single-process computation
    encoder=dict(num_layers=1, num_heads=2, ffn_dim=32, dropout=0.0),
    decoder=dict(num_layers=1, num_heads=2, ffn_dim=32, dropout=0.0),
    # a zero regression gradient instead of none when a batch has no foreground anchor, as
    # every DDP run does; single- and multi-process runs then take identical Adam steps
    reg_graph_without_foreground=True,
    # [our choice] a 3-epoch model still regresses ends after the current step, which MATR's
    # online NMS drops; deferring them and a low threshold give segments worth scoring
    video_predictor=dict(score_threshold=0.02, postprocessor=dict(defer_future_ends=True)),
)
optim_wrapper = dict(optimizer=dict(lr=1e-2))
param_scheduler = [dict(type="StepLR", step_size=2, gamma=0.1, by_epoch=True)]
train_cfg = dict(max_epochs=3)  # 3 short epochs: one checkpoint per epoch to resume from
# Full batches only (drop_last): 2 ranks of 16 then see exactly the global batches of one
# process of 32, even when DefaultSampler pads an odd number of windows for 2 ranks.
train_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False, drop_last=True,
    dataset=dict(ann_file=ann_file, feature_file=feature_file, window=window, anchors=anchors,
                 feat_dim=feat_dim, steps_per_second=steps_per_second,
                 holdout_fraction=holdout_fraction),
)
val_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file,
                                   feat_dim=feat_dim, steps_per_second=steps_per_second,
                                   holdout_fraction=holdout_fraction))
test_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file,
                                    feat_dim=feat_dim, steps_per_second=steps_per_second))
default_hooks = dict(logger=dict(interval=5))
