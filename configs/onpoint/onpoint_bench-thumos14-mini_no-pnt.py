# Ablation on the built-in thumos14-mini benchmark (GENERATED features): no anchor-level point
# supervision (delta = 0); the point heads are not built.
_base_ = "./onpoint_bench-thumos14-mini.py"

model = dict(loss_weights=dict(pnt=0.0))
train_dataloader = dict(dataset=dict(targets=("ins", "cass", "ant")))
