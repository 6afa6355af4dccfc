# TSASPC teacher for EPIC-Kitchens-100, noun task: the verb teacher on the noun files
# (300 classes). Paths: EPIC100_NOUN_ANN, EPIC100_FEATURES, EPIC100_NOUN_POINTS,
# EPIC100_NOUN_BACKGROUND_POINTS.
_base_ = ["./tsaspc_epic100-verb.py"]

num_classes = 300
ann_file = "{{$EPIC100_NOUN_ANN:data/epic100/annotations_noun.json}}"
points_file = "{{$EPIC100_NOUN_POINTS:data/epic100/points_noun.csv}}"
background_points = "{{$EPIC100_NOUN_BACKGROUND_POINTS:data/epic100/background_points_noun.csv}}"

model = dict(network=dict(num_classes=num_classes))
train_dataloader = dict(dataset=dict(ann_file=ann_file, points_file=points_file,
                                     background_points=background_points))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = val_dataloader
