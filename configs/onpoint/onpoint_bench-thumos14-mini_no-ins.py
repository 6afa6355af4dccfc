# Ablation on the built-in thumos14-mini benchmark (GENERATED features): no instance distillation
# (alpha = 0). [our choice] the instance heads then get no
# training signal, so the anchors are scored by the point heads as in the distillation-free
# baseline (anchor span = segment).
_base_ = "./onpoint_bench-thumos14-mini.py"

model = dict(loss_weights=dict(ins=0.0), predict_with="point")
train_dataloader = dict(dataset=dict(targets=("cass", "ant", "pnt")))
