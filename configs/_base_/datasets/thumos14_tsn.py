# THUMOS'14 with OAT's two-stream TSN features (4096-d, one step per 6 native frames).
# Paths come from environment variables; see docs/datasets.md for how to prepare them.
ann_file = "{{$THUMOS14_ANN:data/thumos14/oat_thumos14_v2.json}}"
feature_file = "{{$THUMOS14_STUDENT_FEATURES:data/thumos14/tsn_oat.h5}}"
# 30 THUMOS instances start after their video ends; upstream OAT keeps them (oat-spec §1.1).
ann_options = dict(out_of_video="keep")

train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type="DefaultSampler", shuffle=True),
    collate_fn=dict(type="default_collate"),
    dataset=dict(type="OATWindowDataset", ann_file=ann_file, feature_file=feature_file,
                 ann_options=ann_options, subset="train", holdout="exclude"),  # 10% of train videos held out for selection
)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="pseudo_collate"),
    dataset=dict(type="OATVideoDataset", ann_file=ann_file, feature_file=feature_file,
                 ann_options=ann_options, subset="train", holdout="only"),
)
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="pseudo_collate"),
    dataset=dict(type="OATVideoDataset", ann_file=ann_file, feature_file=feature_file,
                 ann_options=ann_options, subset="test"),
)
# Predictions of a class absent from a subset cannot change the mAP over present classes;
# "skip" avoids upstream OAT's crash on small (held-out) subsets.
val_evaluator = dict(type="TemporalMAP", unknown_labels="skip")
test_evaluator = dict(type="TemporalMAP", unknown_labels="skip")
