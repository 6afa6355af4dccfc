# Ablation on the built-in thumos14-mini benchmark (GENERATED features): OAT's plain
# cross-attention (no actionness calibration); L_cass still trains.
_base_ = "./onpoint_bench-thumos14-mini.py"

model = dict(student=dict(decoder=dict(calibrate=False)))
