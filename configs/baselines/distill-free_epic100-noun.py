# Distillation-free baseline on epic100-noun (onpoint-spec §6; see distill-free_thumos14.py): no
# teacher, only L_pnt on the anchors, anchors scored by the point head.
_base_ = "../onpoint/onpoint_epic100-noun.py"

model = dict(
    student=dict(decoder=dict(type="AnchorQueryDecoder")),  # nothing to calibrate with
    loss_weights=dict(ins=0.0, cass=0.0, ant=0.0, pnt=1.0),  # only delta
    predict_with="point",
)
train_dataloader = dict(dataset=dict(cache=None, targets=("pnt",)))
