# Supervised OAT on FineAction (106 classes; VideoMAE-v2-g 1408-d, 1.875 steps/s). The paper's
# table has no FineAction row and no annotation file is available here (shared/data/STATS.md
# §7: "THUMOS-like sparsity, EPIC-like short instances"). [our choice] EPIC's W = 32 and
# anchors 1..32 doubling, for the same short instances at the same rate (oat_epic100-verb.py).
# One-stream VideoMAE features: one Linear(D, E) projection instead of OAT's two halves.
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/models/oat.py",
    "../_base_/datasets/fineaction_videomae.py",
    "../_base_/schedules/oat_adam_5ep.py",
]
window = 32                          # W
anchors = (1, 2, 4, 8, 16, 32)       # anchor lengths in steps
num_classes = 106
feat_dim = 1408

model = dict(window=window, anchors=anchors, num_classes=num_classes, feat_dim=feat_dim,
             projection=dict(type="SingleStreamProjection"))
train_dataloader = dict(dataset=dict(window=window, anchors=anchors, feat_dim=feat_dim))
val_dataloader = dict(dataset=dict(feat_dim=feat_dim))
test_dataloader = dict(dataset=dict(feat_dim=feat_dim))
default_hooks = dict(checkpoint=dict(save_best="avg_0.1:0.5"))
