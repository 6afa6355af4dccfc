# Ablation: OAT's plain cross-attention (no actionness calibration); L_cass still trains.
_base_ = "./onpoint_thumos14.py"

model = dict(student=dict(decoder=dict(calibrate=False)))
