# The main job on real THUMOS'14 features (no benchmark stage). Data paths come from the same
# environment variables the stage configs read (see docs/datasets.md); set them to absolute
# paths, or run from the repository root. The HR-Pro teacher at paper size takes about 12 h on
# 2 CPU cores (hrpro_thumos14.py): train it on a GPU, or expect a long first run.
benchmark = None
teacher = dict(name="HR-Pro", config="configs/teachers/hrpro_thumos14.py")
teacher_cache = dict(  # CAS resampled onto the student's TSN steps
    split="train",
    student_features="{{$THUMOS14_STUDENT_FEATURES:data/thumos14/tsn_oat.h5}}",
)
methods = dict(
    onpoint=dict(name="OnPoint", config="configs/onpoint/onpoint_thumos14.py"),
    oat_pseudo=dict(name="HR-Pro + OAT-ONMS",
                    config="configs/baselines/oat-pseudo_hrpro_thumos14.py"),
    distill_free=dict(name="Distillation-free",
                      config="configs/baselines/distill-free_thumos14.py"),
    oat=dict(name="OAT (fully supervised)", config="configs/oat/oat_thumos14.py"),
)
evaluate = dict(checkpoint="last")
report = dict(timeline_videos=3, actionness_method="onpoint")
