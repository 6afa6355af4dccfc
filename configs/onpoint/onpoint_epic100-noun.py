# OnPoint on EPIC-Kitchens-100, noun task: the verb config with the noun files (300 classes)
# and the noun teacher's cache.
_base_ = "./onpoint_epic100-verb.py"

num_classes = 300
ann_file = "{{$EPIC100_NOUN_ANN:data/epic100/annotations_noun.json}}"
teacher_cache = "{{$ONPOINT_TEACHER_CACHE:work_dirs/teachers/tsaspc_epic100-noun.h5}}"
points_file = "{{$EPIC100_NOUN_POINTS:data/epic100/points_noun.csv}}"

model = dict(student=dict(num_classes=num_classes))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file=ann_file), cache=teacher_cache,
                                     points_file=points_file))
test_dataloader = dict(dataset=dict(ann_file=ann_file))
