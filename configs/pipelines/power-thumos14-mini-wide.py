# The paper's headline comparison with enough seeds to decide it (issue 15): OnPoint against the
# teacher's pseudo segments fed to OAT, on `thumos14-mini-wide` (the pre-action generator
# calibrated from the probe; thumos14-mini's 40 training videos, 80 test videos; GENERATED
# features). One work dir per benchmark seed, several student seeds each:
#   python tools/run_pipeline.py --pipeline configs/pipelines/power-thumos14-mini-wide.py \
#       --work-dir work_dirs/power/bench0 --benchmark-seed 0 --teacher-seed 10 \
#       --student-seeds 0 1 2 3 4 --jobs 2
#   python benchmarks/paired_comparison.py work_dirs/power/bench0 work_dirs/power/bench1
_base_ = ["./bench-thumos14-mini-headline.py"]
benchmark = dict(preset="thumos14-mini-wide")
