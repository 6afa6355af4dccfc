# EPIC-Kitchens-100 with SlowFast features (2304-d, 30 fps, 32-frame window, stride 16 =
# 1.875 steps/s; the ActionFormer release HAT uses). One canonical json per task made by
# tools/convert_annotations.py: the labelled training videos (the three UDA files: 253 of the
# 495 training videos; EPIC_100_train.csv where you have it) as "train", EPIC_100_validation.csv
# as "test", the split TAL papers evaluate on. The verb task by default (configs for the noun
# task set their own file). The loaders are those of thumos14_tsn.py.
_base_ = ["./thumos14_tsn.py"]
ann_file = "{{$EPIC100_VERB_ANN:data/epic100/annotations_verb.json}}"
feature_file = "{{$EPIC100_FEATURES:data/epic100/slowfast.h5}}"
ann_options = dict(out_of_video="error")  # one segment ends 0.013 s late: within tolerance

dataset_files = dict(ann_file=ann_file, feature_file=feature_file, ann_options=ann_options)
train_dataloader = dict(dataset=dataset_files)
val_dataloader = dict(dataset=dataset_files)
test_dataloader = dict(dataset=dataset_files)
