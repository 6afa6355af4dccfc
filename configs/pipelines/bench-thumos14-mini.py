# The main job (`make demo`) on the built-in `thumos14-mini` benchmark: real THUMOS'14 timeline
# statistics with GENERATED features, 5 classes, 40 train / 20 test one-minute videos.
# HR-Pro teacher -> frozen teacher cache -> OnPoint and the three baselines of the paper's
# table, each trained with the same schedule (the configs' 3-epoch demo schedule; set
# `student_cfg_options` to change it for all four) and tested online at its final checkpoint.
benchmark = dict(preset="thumos14-mini", seed=0)
teacher = dict(name="HR-Pro", config="configs/teachers/hrpro_bench-thumos14-mini.py")
teacher_cache = dict(split="train")  # CAS resampled onto the benchmark's student features
methods = dict(
    onpoint=dict(name="OnPoint", config="configs/onpoint/onpoint_bench-thumos14-mini.py"),
    oat_pseudo=dict(name="HR-Pro + OAT-ONMS",
                    config="configs/baselines/oat-pseudo_hrpro_bench-thumos14-mini.py"),
    distill_free=dict(name="Distillation-free",
                      config="configs/baselines/distill-free_bench-thumos14-mini.py"),
    oat=dict(name="OAT (fully supervised)", config="configs/oat/oat_bench-thumos14-mini.py"),
)
evaluate = dict(checkpoint="last")  # no selection on ground truth for any method
report = dict(timeline_videos=3, actionness_method="onpoint")
