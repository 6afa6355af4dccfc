# HR-Pro stage 1 (Zhang et al., AAAI 2024) as OnPoint's offline teacher on THUMOS'14
# (teachers-spec §1.1-§1.8). Paper sizes: I3D 2048-d features at 25 fps / 16-frame snippets
# (1.5625 steps/s). About 12 h on 2 CPU cores (spec §5): on this machine it is built for shape
# tests only; train it on a GPU, then freeze its outputs with tools/cache_teacher.py.
# Stage 2 (instance-level completeness learning) is not built: OnPoint needs only the stage-1
# CAS and the reliable proposals RP.
_base_ = ["../_base_/default_runtime.py"]
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

# Same annotation file as the student, so both grids share one duration per video.
ann_file = "{{$THUMOS14_ANN:data/thumos14/oat_thumos14_v2.json}}"
ann_options = dict(out_of_video="keep")  # 30 THUMOS instances lie past their video's end
points_file = "{{$THUMOS14_POINTS:data/thumos14/points.csv}}"  # LACP points, canonical CSV
feature_file = "{{$THUMOS_TEACHER_FEATURES:data/thumos14/i3d.h5}}"
feat_dim = 2048  # I3D rgb 1024 || flow 1024
num_classes = 20

model = dict(
    type="HRProTeacher",
    network=dict(
        type="HRProNetwork",
        in_channels=feat_dim,
        num_classes=num_classes,
        embed_dim=2048,  # D (tokens, prototypes, embedding)
        num_heads=8,
        ffn_dim=128,
        num_blocks=2,  # reliability-aware attention blocks
        attn_dropout=0.1,
        dropout=0.3,
        classifier_dropout=0.7,
    ),
    loss_weights=dict(vid=0.0, point=0.5, bkg=1.0, proto=1.0),  # released lambdas [0, .5, 1, 1]
    seed_thresholds=dict(act=0.1, bkg=0.95),  # theta_act, theta_bkg
    proto_temperature=0.1,  # tau
    memory_momentum=0.999,
    video_threshold=0.5,  # classes with s_c >= 0.5 get proposals at evaluation
    soft_nms_sigma=0.3,
)

dataset = dict(type="HRProVideoDataset", ann_file=ann_file, ann_options=ann_options,
               feature_file=feature_file, feat_dim=feat_dim, points_file=points_file)
# One iteration = 16 whole videos, losses averaged (the reference's gradient accumulation).
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type="InfiniteSampler", shuffle=True),
    collate_fn=dict(type="pseudo_collate"),
    dataset=dict(dataset, subset="train"),
)
# [our choice] no checkpoint selection: the test split is evaluated once, at the end, for the
# record, and the last checkpoint is the teacher (the reference picks the best on test).
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="pseudo_collate"),
    dataset=dict(dataset, subset="test", points_file=None, with_ground_truth=True),
)
test_dataloader = val_dataloader
val_evaluator = dict(type="TemporalMAP", unknown_labels="skip")
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(type="Adam", lr=1e-4, betas=(0.9, 0.999), weight_decay=5e-4)
)
train_cfg = dict(type="IterBasedTrainLoop", max_iters=1000, val_interval=1000)
val_cfg = dict(type="ValLoop")
test_cfg = dict(type="TestLoop")
custom_hooks = [dict(type="HRProPrototypeInitHook")]
default_hooks = dict(
    logger=dict(type="LoggerHook", interval=10),
    checkpoint=dict(type="CheckpointHook", by_epoch=False, interval=100, max_keep_ckpts=2,
                    save_best=None),
)
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
