# Distillation-free baseline on the built-in `tiny` benchmark (see distill-free_thumos14.py):
# only L_pnt, anchors scored by the point head.
_base_ = "../onpoint/onpoint_bench-tiny.py"

model = dict(
    student=dict(decoder=dict(type="AnchorQueryDecoder")),  # nothing to calibrate with
    loss_weights=dict(ins=0.0, cass=0.0, ant=0.0, pnt=1.0),  # only delta
    predict_with="point",
)
train_dataloader = dict(dataset=dict(cache=None, targets=("pnt",)))
