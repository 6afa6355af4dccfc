"""The stage graph of the main job, each stage one run of a tool in ``tools/``.

``benchmark -> teacher -> teacher_test, teacher_cache -> train_<method> -> test_<method> ->
report``. A student depends on the teacher cache only when its resolved config names the cache
file (the distillation-free baseline and supervised OAT do not), so a new teacher re-trains
exactly the students that read it. Work-dir layout::

    bench/                      the generated benchmark (annotations, points, features)
    teacher/, teacher_test/     teacher training run, its offline test metrics
    teacher_cache/              teacher_cache.h5, quality.json (pseudo-label quality)
    methods/<key>/train|test/   each student's training run; results.json, metrics.json
    logs/<stage>.log            each stage's output
    report.md, plots/           the report
"""
from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.spec import REPO_ROOT, MethodSpec, PipelineSpec
from pipeline.tensorboard import config_with_tensorboard

TOOLS = REPO_ROOT / "tools"
CACHE_FILE = os.path.join("teacher_cache", "teacher_cache.h5")


@dataclass
class Stage:
    """One step of the pipeline, run as ``python tools/<tool> [config] *arguments()``.

    Attributes:
        name: unique stage name (also its log file name).
        tool: script in ``tools/``.
        needs: names of the stages that must finish first.
        work_dir: everything the stage writes lies under it.
        config: the stage's mmengine config, or None; its resolved text is fingerprinted.
        cfg_options: ``--cfg-options`` for the config.
        arguments: the arguments after the config, built when the stage is reached (they may
            name an upstream checkpoint that exists only then).
        outputs: the files that must exist for a finished stage to count as done.
        resumable: a training run: continued with ``--resume`` after an interruption.
        settings: further fingerprinted settings that are not arguments (report options).
    """

    name: str
    tool: str
    needs: tuple[str, ...]
    work_dir: str
    arguments: Callable[[], list[str]]
    outputs: Callable[[], list[str]]
    config: str | None = None
    cfg_options: dict = field(default_factory=dict)
    resumable: bool = False
    settings: dict = field(default_factory=dict)

    def command(self, python: str, resume: bool = False) -> list[str]:
        """The full command line (a training config gets TensorBoard logging when available)."""
        config = []
        if self.config is not None:
            config = [config_with_tensorboard(self.config, self.work_dir) if self.resumable
                      else self.config]
        options = [f"{k}={_option_value(v)}" for k, v in self.cfg_options.items()]
        return ([python, str(TOOLS / self.tool), *config, *self.arguments()]
                + (["--cfg-options", *options] if options else [])
                + (["--resume"] if resume else []))


def _option_value(value) -> str:
    """A ``--cfg-options`` value as mmengine's DictAction parses it back."""
    if isinstance(value, (list, tuple)):
        inner = ",".join(_option_value(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return str(value)


def checkpoint_of(work_dir: str, which: str = "last") -> str:
    """The checkpoint a finished training run left in ``work_dir``.

    ``last``: the file named by ``last_checkpoint`` (looked up in ``work_dir`` itself, so a
    moved work dir still works). ``best``: the newest ``best_*.pth``, else the last one.
    """
    if which == "best":
        best = sorted(glob.glob(os.path.join(glob.escape(work_dir), "best_*.pth")),
                      key=os.path.getmtime)
        if best:
            return best[-1]
    pointer = os.path.join(work_dir, "last_checkpoint")
    if not os.path.isfile(pointer):
        raise FileNotFoundError(f"{work_dir}: no last_checkpoint (did the training finish?)")
    with open(pointer) as f:
        path = os.path.join(work_dir, os.path.basename(f.read().strip()))
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{pointer}: names {path}, which does not exist")
    return path


def has_checkpoint(work_dir: str) -> bool:
    """Whether a training run in ``work_dir`` left a checkpoint it can resume from."""
    try:
        checkpoint_of(work_dir)
    except FileNotFoundError:
        return False
    return True


class PipelinePaths:
    """Where each stage of one work dir writes."""

    def __init__(self, work_dir: str):
        self.root = os.path.abspath(work_dir)
        self.bench = os.path.join(self.root, "bench")
        self.teacher = os.path.join(self.root, "teacher")
        self.teacher_test = os.path.join(self.root, "teacher_test")
        self.cache = os.path.join(self.root, CACHE_FILE)
        self.quality = os.path.join(self.root, "teacher_cache", "quality.json")
        self.logs = os.path.join(self.root, "logs")
        self.report = os.path.join(self.root, "report.md")
        self.plots = os.path.join(self.root, "plots")

    def train(self, key: str) -> str:
        """Training work dir of a student method."""
        return os.path.join(self.root, "methods", key, "train")

    def test(self, key: str) -> str:
        """Test folder of a student method (results.json, metrics.json)."""
        return os.path.join(self.root, "methods", key, "test")


def stage_env(spec: PipelineSpec, paths: PipelinePaths) -> dict[str, str]:
    """Environment of every stage: BENCH_DIR, ONPOINT_TEACHER_CACHE and the pipeline's env."""
    env = {"ONPOINT_TEACHER_CACHE": paths.cache}
    if spec.benchmark is not None:
        env["BENCH_DIR"] = paths.bench
    for name, value in spec.env.items():
        env[name] = value.format(work_dir=paths.root, bench_dir=paths.bench)
    return env


def build_stages(spec: PipelineSpec, paths: PipelinePaths,
                 reads_cache: Callable[[MethodSpec], bool]) -> list[Stage]:
    """The stages in execution order. ``reads_cache(method)``: does its config name the cache?"""
    stages = []
    bench_needs: tuple[str, ...] = ()
    if spec.benchmark is not None:
        bench = spec.benchmark
        stages.append(Stage(
            "benchmark", "make_benchmark.py", (), paths.bench,
            arguments=lambda: ["--preset", bench["preset"], "--out", paths.bench,
                               "--seed", str(bench["seed"])],
            outputs=lambda: [os.path.join(paths.bench, name) for name in (
                "annotations.json", "points.csv", "student.h5", "teacher.h5", "meta.json")],
        ))
        bench_needs = ("benchmark",)
    teacher = spec.teacher
    student_features = spec.student_features or os.path.join(paths.bench, "student.h5")
    stages += [
        _training("teacher", teacher, paths.teacher, bench_needs),
        _testing("teacher_test", teacher, paths.teacher_test, "teacher", paths.teacher, "last",
                 with_results=False),
        Stage("teacher_cache", "cache_teacher.py", ("teacher", *bench_needs),
              os.path.dirname(paths.cache), config=teacher.config,
              cfg_options=teacher.cfg_options,
              arguments=lambda: [checkpoint_of(paths.teacher), "--split", spec.cache_split,
                                 "--out", paths.cache, "--student-features", student_features,
                                 "--quality-report", paths.quality],
              outputs=lambda: [paths.cache, paths.quality]),
    ]
    for method in spec.methods:
        needs = bench_needs + (("teacher_cache",) if reads_cache(method) else ())
        train_dir = paths.train(method.key)
        stages += [
            _training(f"train_{method.key}", method, train_dir, needs),
            _testing(f"test_{method.key}", method, paths.test(method.key), f"train_{method.key}",
                     train_dir, spec.checkpoint),
        ]
    stages.append(Stage(
        "report", "run_pipeline.py", tuple(stage.name for stage in stages), paths.plots,
        arguments=lambda: ["--work-dir", paths.root, "--report-only"],
        outputs=lambda: [paths.report],
        settings=dict(methods=[(m.key, m.name) for m in spec.methods], teacher=teacher.name,
                      timeline_videos=spec.timeline_videos,
                      actionness_method=spec.actionness_method),
    ))
    return stages


def _training(name: str, method: MethodSpec, work_dir: str, needs: tuple[str, ...]) -> Stage:
    return Stage(name, "train.py", needs, work_dir, config=method.config,
                 cfg_options=method.cfg_options, resumable=True,
                 arguments=lambda: ["--work-dir", work_dir],
                 outputs=lambda: [checkpoint_of(work_dir)])


def _testing(name: str, method: MethodSpec, out_dir: str, train_stage: str, train_dir: str,
             which: str, with_results: bool = True) -> Stage:
    results = [os.path.join(out_dir, "results.json")] if with_results else []
    metrics = os.path.join(out_dir, "metrics.json")
    return Stage(
        name, "test.py", (train_stage,), out_dir, config=method.config,
        cfg_options=method.cfg_options,
        arguments=lambda: [checkpoint_of(train_dir, which), "--work-dir", out_dir,
                           *(["--out", results[0]] if results else []), "--metrics-out", metrics],
        outputs=lambda: [*results, metrics],
    )
