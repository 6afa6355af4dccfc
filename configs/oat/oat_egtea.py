# Supervised OAT on EGTEA Gaze+ (HAT split 1, I3D 2 steps/s) with EGTEA's row of OnPoint's
# table (onpoint-spec §4): W = 24 steps (12 s), M = 7 anchors. Other splits: EGTEA_ANN.
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/models/oat.py",
    "../_base_/datasets/egtea_i3d.py",
    "../_base_/schedules/oat_adam_5ep.py",
]
window = 24                          # W
anchors = (2, 4, 6, 8, 12, 16, 24)   # anchor lengths in steps
num_classes = 22
feat_dim = 2048  # I3D rgb 1024 || flow 1024

model = dict(window=window, anchors=anchors, num_classes=num_classes, feat_dim=feat_dim)
train_dataloader = dict(dataset=dict(window=window, anchors=anchors, feat_dim=feat_dim))
val_dataloader = dict(dataset=dict(feat_dim=feat_dim))
test_dataloader = dict(dataset=dict(feat_dim=feat_dim))
default_hooks = dict(checkpoint=dict(save_best="avg_0.1:0.5"))  # EGTEA reports avg 0.1:0.5
