# TSASPC teacher for HOI4D-O (onpoint-spec §4): the EGTEA teacher (tsaspc_egtea.py, paper size)
# on HOI4D-O's 12 classes and CLIP-ViT features (the student's file: one rate for both).
# Every path comes from an environment variable (docs/datasets.md):
#   HOI4D_ANN, HOI4D_TEACHER_FEATURES, HOI4D_POINTS (Gaussian points, tools/convert_points.py),
#   HOI4D_BACKGROUND_POINTS (python -m onpoint_ext.teachers.tsaspc.make_background_points)
_base_ = ["./tsaspc_egtea.py"]

num_classes = 12
feat_dim = 768  # as configs/oat/oat_hoi4d.py
ann_file = "{{$HOI4D_ANN:data/hoi4d/annotations.json}}"
feature_file = "{{$HOI4D_TEACHER_FEATURES:data/hoi4d/clip.h5}}"
points_file = "{{$HOI4D_POINTS:data/hoi4d/points.csv}}"
background_points = "{{$HOI4D_BACKGROUND_POINTS:data/hoi4d/background_points.csv}}"

model = dict(network=dict(in_channels=feat_dim, num_classes=num_classes))
train_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file,
                                     feat_dim=feat_dim, points_file=points_file,
                                     background_points=background_points))
val_dataloader = dict(dataset=dict(ann_file=ann_file, feature_file=feature_file,
                                   feat_dim=feat_dim))
test_dataloader = val_dataloader
