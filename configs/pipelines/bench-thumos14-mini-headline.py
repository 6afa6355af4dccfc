# The paper's headline comparison on the built-in `thumos14-mini` benchmark (GENERATED
# features): OnPoint against the teacher's pseudo segments fed to OAT. For many student seeds
# on one benchmark and teacher (`--student-seeds`), compared with
# `benchmarks/paired_comparison.py`.
_base_ = ["./bench-thumos14-mini.py"]
methods = dict(
    _delete_=True,
    onpoint=dict(name="OnPoint", config="configs/onpoint/onpoint_bench-thumos14-mini.py"),
    oat_pseudo=dict(name="HR-Pro + OAT-ONMS",
                    config="configs/baselines/oat-pseudo_hrpro_bench-thumos14-mini.py"),
)
