# OnPoint on EGTEA Gaze+ (onpoint-spec §4): HAT's split-1 annotations, I3D features (rgb 1024 ||
# flow 1024, 2 steps/s), TSASPC teacher cache, Gaussian points (one per training instance,
# sigma = duration / 6, seeded). The THUMOS config with EGTEA's row of the table.
_base_ = "./onpoint_thumos14.py"

window = 24                         # W
anchors = (2, 4, 6, 8, 12, 16, 24)  # M = 7 anchor lengths in steps
horizon = 12                        # W'
num_classes = 22
feat_dim = 2048
ann_file = "{{$EGTEA_ANN:data/egtea/egtea_annotations_split1.json}}"
feature_file = "{{$EGTEA_STUDENT_FEATURES:data/egtea/i3d.h5}}"
teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/tsaspc_egtea_split1.h5}}"
points_file = "{{$EGTEA_POINTS:data/egtea/points_split1.csv}}"  # canonical CSV, Gaussian points

model = dict(
    student=dict(window=window, anchors=anchors, num_classes=num_classes, feat_dim=feat_dim),
    loss_weights=dict(ant=0.8),  # gamma
)
train_dataloader = dict(dataset=dict(
    dataset=dict(ann_file=ann_file, feature_file=feature_file, feat_dim=feat_dim, window=window,
                 anchors=anchors),
    cache=teacher_cache, points_file=points_file, horizon=horizon,
))
evaluation_data = dict(ann_file=ann_file, feature_file=feature_file, feat_dim=feat_dim)
test_dataloader = dict(dataset=evaluation_data)  # no validation: point supervision
