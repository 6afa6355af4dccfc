"""The pipeline's report: ``report.md`` with the results table and plots, and a terminal summary.

Reads only the work dir: the resolved plan and stage records in ``pipeline_state.json``, each
method's ``metrics.json`` / ``results.json``, the teacher's metrics and pseudo-label quality,
the training logs, and (for the actionness curves) the student checkpoint.
"""
from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from oat.datasets.features import FeatureStore
from oat.datasets.points import read_points_csv
from oat.datasets.readers import read_annotations
from oat.evaluation.results import read_results_json
from onpoint_ext.teachers.cache import TeacherCache
from pipeline import plots, timelines
from pipeline.atomic import write_text_atomic
from pipeline.identity import resolve_config
from pipeline.signals import load_loss_curves, load_model, online_actionness
from pipeline.spec import MethodSpec, PipelineSpec
from pipeline.stages import PipelinePaths, checkpoint_of, stage_env
from pipeline.state import PipelineState

MAP_COLUMNS = [(f"mAP@{t:g}", f"{t:g}") for t in plots.TIOUS] + [
    ("avg_0.1:0.5", "avg 0.1:0.5"), ("avg_0.1:0.7", "avg 0.1:0.7")]
DELAY_COLUMNS = [("delay_median", "delay median (s)"), ("delay_p90", "delay p90 (s)")]
TERMINAL_LABELS = [*[f"@{t:g}" for t in plots.TIOUS], "avg .1:.5", "avg .1:.7", "delay med",
                   "delay p90"]


def spec_from_plan(plan: Mapping) -> PipelineSpec:
    """The :class:`PipelineSpec` saved in the state file by the orchestrating run."""
    if not plan:
        raise ValueError("pipeline_state.json has no plan: run the pipeline before the report")
    fields = dict(plan)
    fields["teacher"] = MethodSpec(**fields["teacher"])
    fields["methods"] = [MethodSpec(**method) for method in fields["methods"]]
    return PipelineSpec(**fields)


def read_metrics(path: str) -> dict | None:
    """A ``metrics.json`` written by ``tools/test.py --metrics-out``, or None if absent."""
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def method_metrics(spec: PipelineSpec, paths: PipelinePaths) -> dict[str, dict | None]:
    """Method display name -> its test metrics (None when its test stage has not run)."""
    return {m.name: read_metrics(os.path.join(paths.test(m.key), "metrics.json"))
            for m in spec.methods}


def _percent(value) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{100.0 * value:.1f}"


def _seconds(value) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.1f}"


def table_cells(metrics: dict | None) -> list[str]:
    """One results row: mAP columns in %, delays in seconds ('-' when missing or NaN)."""
    metrics = metrics or {}
    return ([_percent(metrics.get(key)) for key, _ in MAP_COLUMNS]
            + [_seconds(metrics.get(key)) for key, _ in DELAY_COLUMNS])


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _data_note(spec: PipelineSpec) -> str:
    if spec.benchmark is None:
        return f"Data: as configured in `{spec.source}`."
    return (f"**All numbers are measured on GENERATED features** (built-in semi-synthetic "
            f"benchmark `{spec.benchmark['preset']}`, seed {spec.benchmark['seed']}: real "
            "timeline statistics, synthetic features); they are not comparable to the paper's.")


def write_report(work_dir: str) -> str:
    """Make the plots and write ``report.md`` (atomically); returns its path."""
    paths = PipelinePaths(work_dir)
    state = PipelineState(paths.root)
    spec = spec_from_plan(state.plan)
    metrics = method_metrics(spec, paths)
    teacher_metrics = read_metrics(os.path.join(paths.teacher_test, "metrics.json"))
    figures = _make_plots(spec, paths, metrics, teacher_metrics)
    header = ["method", *[label for _, label in MAP_COLUMNS + DELAY_COLUMNS]]
    lines = [f"# Pipeline report: {os.path.basename(spec.source)}", "", _data_note(spec), "",
             "## Online detection on the test split"
             + (" (GENERATED features)" if spec.benchmark is not None else ""), "",
             "mAP (%) at tIoU 0.1 to 0.7 and their averages; emission delay = emit time minus "
             "ground-truth end, over true positives at tIoU 0.5 (seconds).", ""]
    lines += _markdown_table(header, [[name, *table_cells(m)] for name, m in metrics.items()])
    lines += ["", f"## Teacher ({spec.teacher.name}, offline) and its pseudo labels", ""]
    lines += _markdown_table(header, [[f"{spec.teacher.name} (offline, whole video)",
                                       *table_cells(teacher_metrics)]])
    quality = read_metrics(paths.quality)
    if quality is not None:
        lines += ["", f"Pseudo labels on the {quality['num_videos']} {spec.cache_split} videos: "
                  f"{quality['num_pseudo']} pseudo segments for {quality['num_gt']} ground-truth "
                  f"instances, precision@{quality['tiou']:g} {_percent(quality['precision'])} %, "
                  f"recall@{quality['tiou']:g} {_percent(quality['recall'])} %, CAS frame "
                  f"accuracy {_percent(quality['frame_accuracy'])} % (diagnostics only)."]
    lines += ["", "## Plots", ""]
    lines += [f"![{title}](plots/{name})\n\n{title}.\n" for name, title in figures]
    lines += ["## Stage timings", ""] + _markdown_table(
        ["stage", "this run", "wall (s)", "CPU (s)", "finished"],
        [[name, record.action, f"{record.seconds:.1f}", f"{record.cpu_seconds:.1f}",
          record.finished] if name != "report" else [name, "(this report)", "-", "-", "-"]
         for name, record in state.current()])
    done = [r for n, r in state.current() if n != "report"]
    lines += ["", f"Sum over the stages (excluding this report): "
              f"{sum(r.seconds for r in done):.1f} s wall, {sum(r.cpu_seconds for r in done):.1f} "
              f"s CPU; first start to last finish: {_elapsed_seconds(done):.0f} s (stages may run "
              "side by side, `--jobs`). Each stage shows the run that produced its outputs; "
              "CPU = user + system time of its subprocess.", ""]
    lines += machines_note(done)
    write_text_atomic(paths.report, "\n".join(lines))
    return paths.report


def machines_note(records) -> list[str]:
    """Report lines naming the machine(s) the stages ran on: results are bit-identical only
    between runs on the same kind of machine (``pipeline.machine``)."""
    stages_by_machine: dict[str, int] = {}
    for record in records:
        machine = record.machine or "not recorded (stage finished before records named it)"
        stages_by_machine[machine] = stages_by_machine.get(machine, 0) + 1
    if len(stages_by_machine) == 1:
        return [f"Every stage ran on: {next(iter(stages_by_machine))}.", ""]
    return [f"The stages ran on {len(stages_by_machine)} machines; a stage rerun on another "
            "machine need not reproduce its numbers bit for bit:", "",
            *[f"- {machine}: {count} stage(s)" for machine, count in stages_by_machine.items()],
            ""]


def _elapsed_seconds(records) -> float:
    """Seconds from the earliest stage start to the latest finish (``finished`` - ``seconds``)."""
    finished = [(time.mktime(time.strptime(r.finished, "%Y-%m-%d %H:%M:%S")), r.seconds)
                for r in records if r.finished]
    if not finished:
        return 0.0
    return max(end for end, _ in finished) - min(end - seconds for end, seconds in finished)


def _make_plots(spec: PipelineSpec, paths: PipelinePaths, metrics: dict,
                teacher_metrics: dict | None) -> list[tuple[str, str]]:
    """Write the PNGs; returns (file name, caption) of each."""
    env = stage_env(spec, paths)
    note = plots.GENERATED_NOTE if spec.benchmark is not None else ""
    reference = None if teacher_metrics is None else (f"{spec.teacher.name} teacher (offline)",
                                                      teacher_metrics)
    plots.plot_map_vs_tiou({n: m for n, m in metrics.items() if m}, os.path.join(
        paths.plots, "map_vs_tiou.png"), reference, note)
    figures = [("map_vs_tiou.png", "mAP vs tIoU per method (dashed: the offline teacher)")]
    first = spec.methods[0]
    data = resolve_config(first.config, env, first.cfg_options).test_dataloader.dataset
    annotations = read_annotations(data.ann_file, **dict(data.get("ann_options") or {}))
    actionness, student_name = _actionness(spec, paths, env, data.feature_file)
    results = {m.name: read_results_json(os.path.join(paths.test(m.key), "results.json"),
                                         annotations.classes) for m in spec.methods}
    suffix = (f"\nstudent actionness: {student_name}'s online 1 - sigmoid(CASS background)"
              if student_name else "")
    test_views = timelines.test_views(annotations, results, spec.timeline_videos, actionness)
    plots.plot_timelines(test_views, annotations.classes, os.path.join(
        paths.plots, "timelines_test.png"), "Test videos: each method's 2 x #GT best-scoring "
        f"emitted segments (opacity = score, | = emission time){suffix}")
    figures.append(("timelines_test.png", "Test videos: ground truth, each method's emitted "
                    "segments with their emission times, student actionness"))
    teacher_cfg = resolve_config(spec.teacher.config, env, spec.teacher.cfg_options)
    points_file = teacher_cfg.train_dataloader.dataset.get("points_file")
    points = read_points_csv(points_file, annotations.classes) if points_file else []
    train_views = timelines.train_views(annotations, TeacherCache(paths.cache), points,
                                        spec.timeline_videos, actionness, spec.teacher.name)
    plots.plot_timelines(train_views, annotations.classes, os.path.join(
        paths.plots, "timelines_train.png"), "Training videos: point labels, teacher pseudo "
        f"segments and CAS{suffix}")
    figures.append(("timelines_train.png", "Training videos: ground truth (not used), point "
                    "labels, teacher pseudo segments and CAS, student actionness"))
    runs = {spec.teacher.name: load_loss_curves(paths.teacher)}
    runs.update({m.name: load_loss_curves(paths.train(m.key)) for m in spec.methods})
    plots.plot_loss_curves(runs, os.path.join(paths.plots, "loss_curves.png"))
    figures.append(("loss_curves.png", "Training loss curves"))
    return figures


def _actionness(spec: PipelineSpec, paths: PipelinePaths, env: dict, feature_file: str):
    """(video id -> actionness function, method name), or (None, "") without such a method."""
    method = next((m for m in spec.methods if m.key == spec.actionness_method), None)
    if method is None:
        return None, ""
    model = load_model(method.config, env, method.cfg_options, checkpoint_of(
        paths.train(method.key), spec.checkpoint))
    store = FeatureStore(feature_file)

    def actionness(video_id: str) -> np.ndarray:
        return online_actionness(model, torch.from_numpy(store.get(video_id)))

    return actionness, method.name


def print_summary(work_dir: str, console: Console | None = None) -> None:
    """The results table and the stage timings, in the terminal (rich)."""
    paths = PipelinePaths(work_dir)
    state = PipelineState(paths.root)
    spec = spec_from_plan(state.plan)
    console = console or Console(width=max(Console().width, 120))
    table = Table(title="Online detection on the test split: mAP (%), emission delay (s)"
                  + (", GENERATED features" if spec.benchmark is not None else ""))
    table.add_column("method", no_wrap=True)
    for label in TERMINAL_LABELS:
        table.add_column(label, justify="right")
    for name, metrics in method_metrics(spec, paths).items():
        table.add_row(name, *table_cells(metrics))
    teacher = read_metrics(os.path.join(paths.teacher_test, "metrics.json"))
    table.add_row(f"{spec.teacher.name} (offline)", *table_cells(teacher), style="dim")
    console.print(table)
    timings = Table(title="Stages")
    for label in ("stage", "this run", "wall (s)", "CPU (s)"):
        timings.add_column(label, justify="left" if label in ("stage", "this run") else "right")
    for name, record in state.current():
        timings.add_row(name, record.action, f"{record.seconds:.1f}", f"{record.cpu_seconds:.1f}")
    console.print(timings)
    console.print(f"report: {paths.report}")
