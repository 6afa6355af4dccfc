# Supervised OAT on THUMOS'14 (real TSN features), paper hyper-parameters.
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/models/oat.py",
    "../_base_/datasets/thumos14_tsn.py",
    "../_base_/schedules/oat_adam_5ep.py",
]
window = 64
anchors = (4, 8, 16, 32, 48, 64)
feat_dim = 4096

train_dataloader = dict(dataset=dict(window=window, anchors=anchors, feat_dim=feat_dim))
val_dataloader = dict(dataset=dict(feat_dim=feat_dim))
test_dataloader = dict(dataset=dict(feat_dim=feat_dim))
