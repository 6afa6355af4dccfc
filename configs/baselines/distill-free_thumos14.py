# Distillation-free baseline (onpoint-spec §6): no teacher, only L_pnt on the anchors.
# [our choice] at inference the point-classification head scores each anchor and the anchor's
# own span [t - L_a, t] is the segment; OAT decoding + online NMS as usual.
_base_ = "../onpoint/onpoint_thumos14.py"

model = dict(
    student=dict(decoder=dict(type="AnchorQueryDecoder")),  # nothing to calibrate with
    loss_weights=dict(ins=0.0, cass=0.0, ant=0.0, pnt=1.0),  # only delta
    predict_with="point",
)
train_dataloader = dict(dataset=dict(cache=None, targets=("pnt",)))
