# Supervised OAT on HOI4D-O (CLIP-ViT features) with HOI4D-O's row of OnPoint's table
# (onpoint-spec §4): W = 56, M = 6 anchors. Annotations and features come from the environment
# (none are public). One-stream CLIP features: one Linear(D, E) projection instead of OAT's
# two halves [our choice] (docs/datasets.md).
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/models/oat.py",
    "../_base_/datasets/hoi4d_clip.py",
    "../_base_/schedules/oat_adam_5ep.py",
]
window = 56                          # W
anchors = (4, 8, 16, 24, 48, 56)     # anchor lengths in steps
num_classes = 12
feat_dim = 768  # [our choice] CLIP ViT-L/14 embedding width (as configs/onpoint/onpoint_hoi4d.py)

model = dict(window=window, anchors=anchors, num_classes=num_classes, feat_dim=feat_dim,
             projection=dict(type="SingleStreamProjection"))
train_dataloader = dict(dataset=dict(window=window, anchors=anchors, feat_dim=feat_dim))
val_dataloader = dict(dataset=dict(feat_dim=feat_dim))
test_dataloader = dict(dataset=dict(feat_dim=feat_dim))
default_hooks = dict(checkpoint=dict(save_best="avg_0.1:0.5"))  # HOI4D-O reports avg 0.1:0.5
