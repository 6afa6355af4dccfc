# FineAction with VideoMAE-v2-g features (1408-d, 30 fps, 16-frame window, stride 16 =
# 1.875 steps/s; [our choice]: the paper does not name its FineAction features). The official
# annotations_gt.json (ActivityNet style) converted by tools/convert_annotations.py with
# "training" -> train and "validation" -> test (FineAction's evaluation split). The loaders are
# those of thumos14_tsn.py.
_base_ = ["./thumos14_tsn.py"]
ann_file = "{{$FINEACTION_ANN:data/fineaction/annotations.json}}"
feature_file = "{{$FINEACTION_FEATURES:data/fineaction/videomae_g.h5}}"
ann_options = dict(out_of_video="keep")  # as upstream OAT; convert with --out-of-video keep

dataset_files = dict(ann_file=ann_file, feature_file=feature_file, ann_options=ann_options)
train_dataloader = dict(dataset=dataset_files)
val_dataloader = dict(dataset=dataset_files)
test_dataloader = dict(dataset=dataset_files)
