# Supervised OAT on EPIC-Kitchens-100, noun task: the verb config with the noun annotation file
# (same segments, 300 noun classes, 211 of them in validation).
_base_ = ["./oat_epic100-verb.py"]
ann_file = "{{$EPIC100_NOUN_ANN:data/epic100/annotations_noun.json}}"
num_classes = 300

model = dict(num_classes=num_classes)
train_dataloader = dict(dataset=dict(ann_file=ann_file))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
