# The main job on the built-in `tiny` benchmark (GENERATED features, 3 classes, 6 train / 3 test
# videos): every stage of bench-thumos14-mini.py with configs that train in seconds. The
# pipeline test runs it end to end; the numbers mean nothing.
benchmark = dict(preset="tiny", seed=0)
teacher = dict(name="HR-Pro", config="configs/teachers/hrpro_bench-tiny.py")
teacher_cache = dict(split="train")  # CAS resampled onto the benchmark's student features
methods = dict(
    onpoint=dict(name="OnPoint", config="configs/onpoint/onpoint_bench-tiny.py"),
    oat_pseudo=dict(name="HR-Pro + OAT-ONMS",
                    config="configs/baselines/oat-pseudo_hrpro_bench-tiny.py"),
    distill_free=dict(name="Distillation-free",
                      config="configs/baselines/distill-free_bench-tiny.py"),
    oat=dict(name="OAT (fully supervised)", config="configs/oat/oat_bench-tiny.py"),
)
# Every method is tested at its final checkpoint, so validation during training would only
# cost time (about 3 s per epoch here): switched off for the students.
student_cfg_options = {"train_cfg.val_interval": 1000, "default_hooks.checkpoint.save_best": None}
evaluate = dict(checkpoint="last")
report = dict(timeline_videos=3, actionness_method="onpoint")
