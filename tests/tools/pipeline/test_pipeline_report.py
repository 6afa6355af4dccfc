"""The pipeline report's parts: actionness, loss curves, timelines, figures, cells, machines."""
import json

import numpy as np
import pytest
import torch
from torch import nn

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation
from oat.evaluation.detection_inputs import VideoDetections
from pipeline import plots, timelines
from pipeline.report import machines_note, table_cells
from pipeline.signals import load_loss_curves, online_actionness
from pipeline.state import StageRecord

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class WindowSumStudent(nn.Module):
    """Stand-in student: E = D = 1, the encoder's position i holds the sum of the window up to
    i, and the CASS background logit is minus that sum, so the online actionness at step t is
    ``sigmoid(x[t-W+1] + ... + x[t])`` (zeros before the video starts)."""

    window = 3

    def project(self, features):
        return features

    def encode(self, windows):
        return windows.cumsum(dim=1)

    def cass_head(self, memory):
        return torch.cat([memory, -memory], dim=-1)  # (B, W, C+1), C = 1, background last


def test_online_actionness_reads_the_newest_step_of_each_zero_padded_window():
    features = torch.tensor([[1.0], [2.0], [-3.0], [4.0], [0.5]])
    window_sums = torch.tensor([1.0, 3.0, 0.0, 3.0, 1.5])  # hand-computed, W = 3
    actionness = online_actionness(WindowSumStudent(), features, chunk_size=2)
    np.testing.assert_allclose(actionness, torch.sigmoid(window_sums).numpy(), rtol=1e-6)


def test_online_actionness_needs_a_cass_head():
    student = WindowSumStudent()
    student.cass_head = None
    with pytest.raises(ValueError, match="no CASS head"):
        online_actionness(student, torch.zeros(4, 1))


def _scalars(path, rows):
    path.mkdir(parents=True)
    (path / "scalars.json").write_text("\n".join(json.dumps(row) for row in rows) + "\n")


def test_loss_curves_join_runs_and_a_resumed_run_replaces_its_iterations(tmp_path):
    _scalars(tmp_path / "20260101_000000" / "vis_data", [
        dict(loss=3.0, loss_a=2.0, step=5), dict(loss=2.0, loss_a=1.0, step=10),
        {"mAP@0.5": 0.1, "step": 1}])  # a validation entry: not a loss
    _scalars(tmp_path / "20260101_000100" / "vis_data", [
        dict(loss=1.9, loss_a=0.9, step=10), dict(loss=1.5, loss_a=0.5, step=15)])
    curves = load_loss_curves(str(tmp_path))
    assert sorted(curves) == ["loss", "loss_a"]
    np.testing.assert_array_equal(curves["loss"][0], [5, 10, 15])
    np.testing.assert_allclose(curves["loss"][1], [3.0, 1.9, 1.5])


def _annotations():
    videos = {
        "t1": VideoAnnotation("t1", "test", 10.0, None, [Segment(1, 2, 0)]),
        "t2": VideoAnnotation("t2", "test", 12.0, None, [Segment(1, 2, 0), Segment(5, 8, 1)]),
        "t0": VideoAnnotation("t0", "test", 9.0, None, [Segment(3, 4, 1)]),
        "a": VideoAnnotation("a", "train", 9.0, None, [Segment(3, 4, 1)] * 5),
    }
    return AnnotationSet(["jump", "run"], videos)


def test_timelines_show_the_busiest_test_videos_and_each_method_top_scores():
    found = VideoDetections(np.array([[0.0, 1.0], [1.0, 2.2], [4.0, 8.0], [6.0, 7.0], [9, 10]]),
                            np.array([0, 0, 1, 1, 0]), np.array([0.2, 0.9, 0.5, 0.05, 0.3]),
                            np.array([1.5, 2.4, 8.2, 7.1, 10.0]))
    views = timelines.test_views(_annotations(), {"M": {"t2": found}}, 2, None)
    assert [v.title.split()[0] for v in views] == ["t2", "t0"]  # 2 GT, then 1 GT (id order)
    lane = views[0].lanes[1]  # max(2 * 2 GT, 3) = 4 of the 5 emissions, best first
    np.testing.assert_allclose(lane.scores, [0.9, 0.5, 0.3, 0.2])
    np.testing.assert_allclose(lane.emit_times, [2.4, 8.2, 10.0, 1.5])
    assert views[1].lanes[1].name == "M (no results)" and views[0].curves == []


def test_every_figure_is_written_as_a_png(tmp_path):
    metrics = {f"mAP@{t:g}": 0.5 - t / 2 for t in plots.TIOUS}
    plots.plot_map_vs_tiou({"A": metrics, "B": {"mAP@0.1": float("nan")}},
                           str(tmp_path / "map.png"), ("teacher", metrics), "note")
    plots.plot_loss_curves({"A": {"loss": (np.arange(3), np.ones(3))}, "empty": {}},
                           str(tmp_path / "loss.png"))
    view = plots.TimelineView("v", 10.0, [
        plots.Lane("gt", np.array([[1.0, 3.0]]), np.array([0])),
        plots.Lane("points", point_times=np.array([2.0]), point_labels=np.array([1])),
        plots.Lane("emitted", np.array([[1.0, 2.5]]), np.array([1]), np.array([0.4]),
                   np.array([3.1])),
    ], [plots.Curve("actionness", np.linspace(0, 1, 50))])
    plots.plot_timelines([view, view], ["jump", "run"], str(tmp_path / "t.png"), "title")
    for name in ("map.png", "loss.png", "t.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "map.png", "t.png"]


def test_table_cells_give_percent_seconds_and_dashes_for_missing_values():
    metrics = {f"mAP@{t:g}": 0.1234 for t in plots.TIOUS}
    metrics.update({"avg_0.1:0.5": 0.5, "delay_median": 1.26, "delay_p90": float("nan")})
    cells = table_cells(metrics)
    assert cells[:7] == ["12.3"] * 7 and cells[7:] == ["50.0", "-", "1.3", "-"]
    assert table_cells(None) == ["-"] * 11


def test_machines_note_names_the_one_machine_or_counts_stages_per_machine():
    def ran_on(machine):
        return StageRecord("done", "F", machine=machine)

    assert machines_note([ran_on("A"), ran_on("A")]) == ["Every stage ran on: A.", ""]
    lines = machines_note([ran_on("A"), ran_on("B"), ran_on("A"), ran_on("")])
    assert lines[0].startswith("The stages ran on 3 machines")
    assert lines[2:5] == ["- A: 2 stage(s)", "- B: 1 stage(s)",
                          "- not recorded (stage finished before records named it): 1 stage(s)"]
