# TSASPC (Du et al., IJCAI 2023) teacher for EGTEA Gaze+ at paper size (teachers-spec §2):
# MS-TCN, 4 stages x 10 layers x 64 maps, two-branch first stage; PLE initial segments;
# 70 epochs, CE on the timestamps, label propagation from epoch 51; Adam 5e-4, batch 8.
# Needs REAL features (not in git); every path comes from an environment variable:
#   EGTEA_ANN                HAT split json (shared/data/egtea/egtea_annotations_split1.json)
#   EGTEA_TEACHER_FEATURES   teacher feature h5: I3D rgb 1024 || flow 1024 at snippet rate
#   EGTEA_POINTS             canonical points CSV (Gaussian points, onpoint-spec §4)
#   EGTEA_BACKGROUND_POINTS  background points CSV, one per gap (teachers-spec §2.8), made by
#       python -m onpoint_ext.teachers.tsaspc.make_background_points $EGTEA_ANN --out CSV
_base_ = ["../_base_/default_runtime.py"]
custom_imports = dict(imports=["onpoint_ext"], allow_failed_imports=False)

num_classes = 22  # C; the network outputs C+1 with background LAST
feat_dim = 2048
ann_file = "{{$EGTEA_ANN:data/egtea/egtea_annotations_split1.json}}"
feature_file = "{{$EGTEA_TEACHER_FEATURES:data/egtea/i3d.h5}}"
points_file = "{{$EGTEA_POINTS:data/egtea/points_split1.csv}}"
background_points = "{{$EGTEA_BACKGROUND_POINTS:data/egtea/background_points_split1.csv}}"

model = dict(
    type="TSASPCTeacher",
    network=dict(
        type="TSASPCNetwork", in_channels=feat_dim, num_classes=num_classes,
        num_stages=4, num_layers=10, num_maps=64,
        input_dropout=0.2,  # Dropout2d over the input channels
        layer_dropout=0.5,
    ),
    loss_weights=dict(cls=1.0, smooth=0.15, conf=0.075, cluster=0.15),  # L_cls L_sm L_conf L_clu
    smooth_clamp=16.0,
    ple=dict(num_streams=2, methods=("energy", "kmedoids", "agglomerative"), max_iters=300,
             tol=1e-4),
    min_segment_steps=1,  # keep every argmax run as a pseudo segment
)

train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    sampler=dict(type="DefaultSampler", shuffle=True),
    collate_fn=dict(type="pseudo_collate"),
    dataset=dict(type="TSASPCVideoDataset", ann_file=ann_file, feature_file=feature_file,
                 feat_dim=feat_dim, points_file=points_file, background_points=background_points,
                 subset="train"),
)
# The paper evaluates the final-epoch model on the test split; no checkpoint selection.
val_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="pseudo_collate"),
    dataset=dict(type="TSASPCVideoDataset", ann_file=ann_file, feature_file=feature_file,
                 feat_dim=feat_dim, subset="test", with_ground_truth=True),
)
test_dataloader = val_dataloader
val_evaluator = dict(type="TemporalMAP", unknown_labels="skip")
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type="Adam", lr=5e-4, weight_decay=0.0))  # no scheduler
train_cfg = dict(type="EpochBasedTrainLoop", max_epochs=70, val_interval=70)
val_cfg = dict(type="ValLoop")
test_cfg = dict(type="TestLoop")
custom_hooks = [dict(type="TSASPCLabelScheduleHook", propagation_start_epoch=51)]
default_hooks = dict(
    logger=dict(type="LoggerHook", interval=5),
    checkpoint=dict(type="CheckpointHook", interval=10, max_keep_ckpts=1, save_best=None),
)
randomness = dict(seed=1538574472)  # TSASPC's fixed seed
