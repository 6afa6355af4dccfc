# EGTEA Gaze+ with HAT's annotations (4 split files; split 1 by default) and HAT's I3D features
# (rgb 1024 || flow 1024, 24 fps video, one step per 12 frames = 2 steps/s). The loaders are
# those of thumos14_tsn.py; only the files and the instance policy change. Paths come from
# environment variables; docs/datasets.md says how to make the files.
_base_ = ["./thumos14_tsn.py"]
ann_file = "{{$EGTEA_ANN:data/egtea/egtea_annotations_split1.json}}"
feature_file = "{{$EGTEA_STUDENT_FEATURES:data/egtea/i3d.h5}}"
ann_options = dict(out_of_video="error")  # every EGTEA instance lies inside its video

dataset_files = dict(ann_file=ann_file, feature_file=feature_file, ann_options=ann_options)
train_dataloader = dict(dataset=dataset_files)
val_dataloader = dict(dataset=dataset_files)
test_dataloader = dict(dataset=dataset_files)
