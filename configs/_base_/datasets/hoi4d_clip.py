# HOI4D-O with CLIP-ViT features, one vector per step. No public annotation file or feature
# release exists (shared/data/STATS.md §7): both come from the environment, the annotations
# in any format oat.datasets.readers reads (docs/datasets.md). The loaders are those of
# thumos14_tsn.py.
_base_ = ["./thumos14_tsn.py"]
ann_file = "{{$HOI4D_ANN:data/hoi4d/annotations.json}}"
feature_file = "{{$HOI4D_STUDENT_FEATURES:data/hoi4d/clip.h5}}"
ann_options = dict(out_of_video="error")

dataset_files = dict(ann_file=ann_file, feature_file=feature_file, ann_options=ann_options)
train_dataloader = dict(dataset=dataset_files)
val_dataloader = dict(dataset=dataset_files)
test_dataloader = dict(dataset=dataset_files)
