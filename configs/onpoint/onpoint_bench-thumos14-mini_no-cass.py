# Ablation on the built-in thumos14-mini benchmark (GENERATED features): no CASS distillation
# (beta = 0). The CASS head is not built, and the decoder's
# calibration, which reads the CASS background channel, is off with it.
_base_ = "./onpoint_bench-thumos14-mini.py"

model = dict(loss_weights=dict(cass=0.0), student=dict(decoder=dict(calibrate=False)))
train_dataloader = dict(dataset=dict(targets=("ins", "ant", "pnt")))
