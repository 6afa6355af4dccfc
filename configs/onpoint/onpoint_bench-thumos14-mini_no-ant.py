# Ablation on the built-in thumos14-mini benchmark (GENERATED features): no anticipation
# distillation (gamma = 0); the anticipation head is not built.
_base_ = "./onpoint_bench-thumos14-mini.py"

model = dict(loss_weights=dict(ant=0.0))
train_dataloader = dict(dataset=dict(targets=("ins", "cass", "pnt")))
