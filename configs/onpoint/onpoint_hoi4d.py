# OnPoint on HOI4D-O (onpoint-spec §4): 12 classes, TSASPC teacher cache, Gaussian points.
# No public HOI4D-O annotations or features exist (shared/data/STATS.md): the files come from
# the environment. The paper uses CLIP-ViT features without stating their width.
_base_ = "./onpoint_thumos14.py"

window = 56                         # W
anchors = (4, 8, 16, 24, 48, 56)    # M = 6 anchor lengths in steps
horizon = 16                        # W'
num_classes = 12
feat_dim = 768  # [our choice] CLIP ViT-L/14 width: set it to the feature file's dimension
ann_file = "{{$HOI4D_ANN:data/hoi4d/annotations.json}}"
feature_file = "{{$HOI4D_STUDENT_FEATURES:data/hoi4d/clip.h5}}"
teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/tsaspc_hoi4d.h5}}"
points_file = "{{$HOI4D_POINTS:data/hoi4d/points.csv}}"  # canonical CSV, Gaussian points

model = dict(
    student=dict(window=window, anchors=anchors, num_classes=num_classes, feat_dim=feat_dim,
                 projection=dict(type="SingleStreamProjection")),  # one-stream features
    loss_weights=dict(ant=0.8),  # gamma
)
train_dataloader = dict(dataset=dict(
    dataset=dict(ann_file=ann_file, feature_file=feature_file, feat_dim=feat_dim, window=window,
                 anchors=anchors),
    cache=teacher_cache, points_file=points_file, horizon=horizon,
))
evaluation_data = dict(ann_file=ann_file, feature_file=feature_file, feat_dim=feat_dim)
test_dataloader = dict(dataset=evaluation_data)  # no validation: point supervision
