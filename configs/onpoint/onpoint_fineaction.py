# OnPoint on FineAction: the THUMOS config (onpoint_thumos14.py) with FineAction's files and
# [our choice] settings (the paper's table has no FineAction row): W = 32 and anchors 1..32 as
# for EPIC (short instances at the same 1.875 steps/s, configs/oat/oat_fineaction.py),
# W' = 8 (a quarter of the window, as THUMOS' 16 / 64), gamma = 1.0 (THUMOS' value: sparse
# third-person video), HR-Pro teacher cache, Gaussian points.
_base_ = "./onpoint_thumos14.py"

window = 32                          # W
anchors = (1, 2, 4, 8, 16, 32)       # M = 6 anchor lengths in steps
horizon = 8                          # W'
num_classes = 106
feat_dim = 1408
ann_file = "{{$FINEACTION_ANN:data/fineaction/annotations.json}}"
feature_file = "{{$FINEACTION_FEATURES:data/fineaction/videomae_g.h5}}"
teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/hrpro_fineaction.h5}}"
points_file = "{{$FINEACTION_POINTS:data/fineaction/points.csv}}"  # canonical CSV

model = dict(
    student=dict(window=window, anchors=anchors, num_classes=num_classes, feat_dim=feat_dim,
                 projection=dict(type="SingleStreamProjection")),  # one-stream features
    loss_weights=dict(ant=1.0),  # gamma
)
train_dataloader = dict(dataset=dict(
    dataset=dict(ann_file=ann_file, feature_file=feature_file, feat_dim=feat_dim, window=window,
                 anchors=anchors),
    cache=teacher_cache, points_file=points_file, horizon=horizon,
))
test_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file,
                                    feat_dim=feat_dim))
