"""The report's figures (matplotlib, object API with the Agg canvas: no display, no pyplot state).

Every function takes plain arrays and writes one PNG atomically. Times are seconds; class
colours are shared by all figures (``tab10`` by class index).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from oat.datasets.timebase import steps_to_seconds
from pipeline.atomic import replaced_atomically

TIOUS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
GENERATED_NOTE = "measured on GENERATED features (built-in benchmark), not comparable to the paper"


def class_color(label: int) -> tuple:
    """The colour of class ``label`` (``tab10``, cycling)."""
    return colormaps["tab10"](int(label) % 10)


@dataclass
class Lane:
    """One row of a timeline: segments (K, 2) s and/or point times (P,), with class labels.

    ``scores`` set the segment opacity; ``emit_times`` (K,) draw a tick where each segment was
    emitted, joined to the segment's end (the online detector's delay).
    """

    name: str
    segments: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    scores: np.ndarray | None = None
    emit_times: np.ndarray | None = None
    point_times: np.ndarray | None = None
    point_labels: np.ndarray | None = None


@dataclass
class Curve:
    """A per-step signal of one video (values (T,) in [0, 1] on T equal steps over the video)."""

    name: str
    values: np.ndarray
    color: tuple | str = "black"
    style: str = "-"


@dataclass
class TimelineView:
    """What one video's panel shows."""

    title: str
    duration: float
    lanes: list[Lane]
    curves: list[Curve]


def save_figure(figure: Figure, path: str) -> None:
    """Write a PNG atomically (temp file in the same folder, then ``os.replace``)."""
    with replaced_atomically(path) as tmp:
        figure.savefig(tmp, format="png", dpi=110)


def plot_map_vs_tiou(methods: Mapping[str, Mapping[str, float]], path: str,
                     reference: tuple[str, Mapping[str, float]] | None = None,
                     note: str = "") -> None:
    """mAP (%) at tIoU 0.1..0.7, one line per method; ``reference`` dashed (offline teacher)."""
    figure = Figure(figsize=(7.0, 4.2), layout="constrained")
    axes = figure.add_subplot()
    for name, metrics in methods.items():
        axes.plot(TIOUS, _map_row(metrics), marker="o", linewidth=2, label=name)
    if reference is not None:
        axes.plot(TIOUS, _map_row(reference[1]), linestyle="--", color="grey", marker="s",
                  label=reference[0])
    axes.set(xlabel="tIoU threshold", ylabel="mAP (%)", xticks=TIOUS, ylim=(0, 100))
    axes.set_title("Online detection on the test split: mAP vs tIoU"
                   + (f"\n({note})" if note else ""), fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="upper right")
    save_figure(figure, path)


def _map_row(metrics: Mapping[str, float]) -> list[float]:
    return [100.0 * float(metrics.get(f"mAP@{t:g}", np.nan)) for t in TIOUS]


def plot_loss_curves(runs: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray]]],
                     path: str) -> None:
    """One panel per training run: the total ``loss`` (thick) and each ``loss_*`` term."""
    names = [name for name, curves in runs.items() if curves]
    columns = min(3, max(1, len(names)))
    rows = max(1, -(-len(names) // columns))
    figure = Figure(figsize=(4.2 * columns, 3.0 * rows), layout="constrained")
    figure.suptitle("Training losses (weighted, as logged every few iterations)")
    for index, name in enumerate(names):
        axes = figure.add_subplot(rows, columns, index + 1)
        for key, (steps, values) in sorted(runs[name].items()):
            total = key == "loss"
            axes.plot(steps, values, label=key, color="black" if total else None,
                      linewidth=2.2 if total else 1.0)
        axes.set(title=name, xlabel="iteration", ylabel="loss")
        axes.grid(alpha=0.3)
        axes.legend(fontsize=6, ncol=2)
    save_figure(figure, path)


def plot_timelines(views: Sequence[TimelineView], classes: Sequence[str], path: str,
                   title: str) -> None:
    """Per video: a lane panel (ground truth, points, segments, emissions) over a curve panel."""
    height = [0.55 * max(1, len(view.lanes)) + 0.6 for view in views]
    figure = Figure(figsize=(12.0, sum(h + 1.9 for h in height) + 0.6), layout="constrained")
    figure.suptitle(title, fontsize=11)
    grid = figure.add_gridspec(2 * len(views), 1,
                               height_ratios=[r for h in height for r in (h, 1.9)])
    for index, view in enumerate(views):
        lanes = figure.add_subplot(grid[2 * index])
        curves = figure.add_subplot(grid[2 * index + 1], sharex=lanes)
        _draw_lanes(lanes, view)
        _draw_curves(curves, view)
        lanes.set_title(view.title, fontsize=9, loc="left")
        lanes.set_xlim(0, view.duration)
    handles = [_class_patch(k, name) for k, name in enumerate(classes)]
    figure.legend(handles=handles, loc="outside lower center", ncol=min(len(classes), 6),
                  fontsize=8, title="classes", title_fontsize=8)
    save_figure(figure, path)


def _class_patch(label: int, name: str) -> Patch:
    return Patch(color=class_color(label), label=name)


def _draw_lanes(axes, view: TimelineView) -> None:
    rows = len(view.lanes)
    for row, lane in enumerate(view.lanes):
        y = rows - 1 - row
        scores = lane.scores if lane.scores is not None else np.ones(len(lane.labels))
        for k, (start, end) in enumerate(np.asarray(lane.segments).reshape(-1, 2)):
            color = class_color(lane.labels[k])
            fill = (*color[:3], float(np.clip(scores[k], 0.15, 1.0)))  # opacity = score
            axes.broken_barh([(start, max(end - start, 1e-3))], (y - 0.35, 0.7),
                             facecolor=fill, edgecolor=color, linewidth=0.8)
            if lane.emit_times is not None and np.isfinite(lane.emit_times[k]):
                emit = float(lane.emit_times[k])
                axes.plot([end, emit], [y, y], color="black", linewidth=0.6)
                axes.plot([emit], [y], marker="|", markersize=9, color="black")
        if lane.point_times is not None:
            for time, label in zip(lane.point_times, lane.point_labels):
                axes.plot([time], [y], marker="v", markersize=8, linestyle="none",
                          color=class_color(label), markeredgecolor="black")
    axes.set_yticks(range(rows), [lane.name for lane in reversed(view.lanes)], fontsize=8)
    axes.set_ylim(-0.6, rows - 0.4)
    axes.tick_params(labelbottom=False)
    axes.grid(axis="x", alpha=0.3)


def _draw_curves(axes, view: TimelineView) -> None:
    for curve in view.curves:
        steps = len(curve.values)
        times = steps_to_seconds(np.arange(steps), steps, view.duration)
        axes.plot(times, curve.values, linestyle=curve.style, color=curve.color,
                  linewidth=1.3, label=curve.name)
    axes.set(ylim=(-0.02, 1.02), xlabel="time (s)", ylabel="probability")
    axes.grid(alpha=0.3)
    if view.curves:
        axes.legend(fontsize=7, loc="upper right", ncol=min(3, len(view.curves)))
