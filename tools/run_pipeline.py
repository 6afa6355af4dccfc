"""The main job in one command: benchmark, teacher, teacher cache, students, evaluation, report.

    python tools/run_pipeline.py --preset thumos14-mini --work-dir work_dirs/demo [--seed S]
    python tools/run_pipeline.py --pipeline configs/pipelines/PIPELINE.py --work-dir DIR
        --benchmark-seed B --teacher-seed T --student-seeds 0 1 2 3 4
    python tools/run_pipeline.py --pipeline configs/pipelines/PIPELINE.py --work-dir DIR
        [--force STAGE ...] [--quiet]
    python tools/run_pipeline.py --work-dir DIR --report-only

``--preset P`` runs ``configs/pipelines/bench-P.py``. Every stage is a subprocess of a tool in
tools/; a stage whose inputs are unchanged since it last finished is skipped, an interrupted
training resumes from its last checkpoint (re-run the same command). Writes DIR/report.md,
DIR/plots/*.png, DIR/logs/<stage>.log and DIR/pipeline_state.json (see docs/pipeline.md).
"""
import argparse
import signal
import sys

from mmengine.config import DictAction

from oat.cli import run_tool
from pipeline.report import print_summary, write_report
from pipeline.runner import PipelineRunner, StageFailed
from pipeline.spec import Seeds, load_pipeline, preset_config


def parse_args() -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--preset", help="built-in benchmark preset (configs/pipelines/bench-P.py)")
    source.add_argument("--pipeline", help="pipeline config (configs/pipelines/*.py)")
    source.add_argument("--report-only", action="store_true",
                        help="only (re)write DIR/report.md and DIR/plots from a finished run")
    parser.add_argument("--work-dir", required=True, help="folder of all stages' outputs")
    parser.add_argument("--seed", type=int,
                        help="experiment seed: the benchmark's generator seed (overrides the "
                             "config's) and randomness.seed of the teacher and every student; "
                             "the three flags below override it source by source")
    parser.add_argument("--benchmark-seed", type=int, help="the benchmark generator's seed alone")
    parser.add_argument("--teacher-seed", type=int, help="the teacher's randomness.seed alone")
    parser.add_argument("--student-seeds", type=int, nargs="+", default=(), metavar="S",
                        help="every method trains once per seed (several: stages and method "
                             "folders are keyed <method>-s<S>); benchmark and teacher are shared")
    parser.add_argument("--student-cfg-options", nargs="+", action=DictAction, default={},
                        metavar="KEY=VALUE",
                        help="--cfg-options of every student (added to the pipeline config's "
                             "student_cfg_options), e.g. train_dataloader.sampler.fraction=0.25")
    parser.add_argument("--force", nargs="+", default=[], metavar="STAGE",
                        help="run these stages even when their inputs are unchanged")
    parser.add_argument("--jobs", type=int, default=1,
                        help="stages run side by side when their inputs are ready (e.g. 2 on "
                             "2 cores: two one-thread students train at once); with more than "
                             "1, stage output goes to DIR/logs only and progress lines are "
                             "printed every 30 s")
    parser.add_argument("--quiet", action="store_true",
                        help="stage output only to DIR/logs/<stage>.log")
    return parser.parse_args()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    """Run the pipeline (or only its report) and print the summary tables."""
    args = parse_args()
    if args.report_only:
        print(f"wrote {write_report(args.work_dir)}")
        return
    if not (args.preset or args.pipeline):
        raise ValueError("give --preset P or --pipeline CONFIG (or --report-only)")
    config = args.pipeline or preset_config(args.preset)
    seeds = Seeds(args.benchmark_seed, args.teacher_seed, tuple(args.student_seeds))
    spec = load_pipeline(config, seed=args.seed, seeds=seeds,
                         student_options=args.student_cfg_options)
    runner = PipelineRunner(spec, args.work_dir,
                            force=args.force, quiet=args.quiet, jobs=args.jobs)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the stage like Ctrl-C does
    try:
        runner.run()
    except StageFailed as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted: run the same command again to continue where it stopped",
              file=sys.stderr)
        sys.exit(130)
    print_summary(args.work_dir)


if __name__ == "__main__":
    run_tool(main)
