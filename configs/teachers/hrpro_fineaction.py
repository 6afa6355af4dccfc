# HR-Pro stage 1 as the teacher for FineAction. The paper's table names no FineAction teacher:
# [our choice] HR-Pro, the paper's teacher for sparse third-person video (THUMOS'14), at the
# same size (hrpro_thumos14.py), on the student's VideoMAE-v2-g features (one file, 1.875
# steps/s). Paths from environment variables (docs/datasets.md): FINEACTION_ANN,
# FINEACTION_FEATURES, FINEACTION_POINTS (Gaussian points, tools/convert_points.py).
_base_ = ["./hrpro_thumos14.py"]

ann_file = "{{$FINEACTION_ANN:data/fineaction/annotations.json}}"
points_file = "{{$FINEACTION_POINTS:data/fineaction/points.csv}}"
feature_file = "{{$FINEACTION_FEATURES:data/fineaction/videomae_g.h5}}"
feat_dim = 1408
num_classes = 106

model = dict(network=dict(in_channels=feat_dim, num_classes=num_classes))
dataset = dict(ann_file=ann_file, feature_file=feature_file, feat_dim=feat_dim)
train_dataloader = dict(dataset=dict(dataset, points_file=points_file))
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader
