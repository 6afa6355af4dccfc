# OAT's optimisation (oat-spec §5): Adam 1e-4 with L2 weight decay 1e-4 (not AdamW),
# StepLR(3 epochs, 0.1), 5 epochs, batch 128 windows, no warm-up, no clipping, fp32.
optim_wrapper = dict(
    optimizer=dict(type="Adam", lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4)
)
param_scheduler = [dict(type="StepLR", step_size=3, gamma=0.1, by_epoch=True)]
train_cfg = dict(type="EpochBasedTrainLoop", max_epochs=5, val_interval=1)
val_cfg = dict(type="ValLoop")
test_cfg = dict(type="TestLoop")
