# TSASPC teacher for EPIC-Kitchens-100, verb task. The paper's table names no EPIC teacher:
# [our choice] TSASPC, the paper's teacher for egocentric kitchens (EGTEA), at the same size
# (tsaspc_egtea.py), on the student's SlowFast features. EPIC segments overlap (44%), which a
# one-label-per-step teacher cannot represent: its pseudo segments cover the top class only.
# Paths from environment variables (docs/datasets.md): EPIC100_VERB_ANN, EPIC100_FEATURES,
# EPIC100_VERB_POINTS, EPIC100_VERB_BACKGROUND_POINTS.
_base_ = ["./tsaspc_egtea.py"]

num_classes = 97
feat_dim = 2304
ann_file = "{{$EPIC100_VERB_ANN:data/epic100/annotations_verb.json}}"
feature_file = "{{$EPIC100_FEATURES:data/epic100/slowfast.h5}}"
points_file = "{{$EPIC100_VERB_POINTS:data/epic100/points_verb.csv}}"
background_points = "{{$EPIC100_VERB_BACKGROUND_POINTS:data/epic100/background_points_verb.csv}}"

model = dict(network=dict(in_channels=feat_dim, num_classes=num_classes))
train_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file,
                                     feat_dim=feat_dim, points_file=points_file,
                                     background_points=background_points))
val_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file,
                                   feat_dim=feat_dim))
test_dataloader = val_dataloader
