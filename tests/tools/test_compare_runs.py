"""tools/compare_runs.py and oat.evaluation.compare: two runs on one GT, deltas B - A."""
import json
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation, write_json_atomic
from oat.datasets.readers import read_annotations
from oat.evaluation.compare import (
    format_per_class_comparison,
    format_run_comparison,
    run_deltas,
    score_runs,
)
from oat.evaluation.results import ground_truth_of_subset, write_results_json
from oat.evaluation.detection_inputs import VideoDetections

TOOL = Path(__file__).resolve().parents[2] / "tools" / "compare_runs.py"
CLASSES = ["jump", "run"]
THRESHOLDS = (0.3, 0.5, 0.7)


def write_inputs(tmp_path: Path) -> tuple[str, str, str]:
    """GT: test video t1 with jumps [0, 10], [20, 30] and a run [40, 50] (plus a train video).

    Run A: jump TP (emitted at 11 s), jump FP, jump TP (31 s), run TP (51 s): jump AP 5/6,
    run AP 1, delays 1 s. Run B: both jumps (10.5 s, 30.5 s), no run: jump AP 1, run AP 0,
    delays 0.5 s.
    """
    videos = {
        "t1": VideoAnnotation("t1", "test", 100.0, 30.0, [
            Segment(0.0, 10.0, 0), Segment(20.0, 30.0, 0), Segment(40.0, 50.0, 1)]),
        "r1": VideoAnnotation("r1", "train", 50.0, 30.0, [Segment(5.0, 8.0, 1)]),
    }
    gt_path = str(tmp_path / "gt.json")
    write_json_atomic(AnnotationSet(CLASSES, videos).to_activitynet(), gt_path)
    path_a, path_b = str(tmp_path / "a.json"), str(tmp_path / "b.json")
    write_results_json(path_a, {"t1": VideoDetections(
        np.array([[0.0, 10.0], [60.0, 70.0], [20.0, 30.0], [40.0, 50.0]]),
        np.array([0, 0, 0, 1]), np.array([0.9, 0.8, 0.7, 0.6]),
        np.array([11.0, 71.0, 31.0, 51.0]))}, CLASSES)
    write_results_json(path_b, {"t1": VideoDetections(
        np.array([[0.0, 10.0], [20.0, 30.0]]), np.array([0, 0]), np.array([0.9, 0.8]),
        np.array([10.5, 30.5]))}, CLASSES)
    return gt_path, path_a, path_b


def scored(tmp_path: Path):
    """Runs A and B scored on the test subset."""
    gt_path, path_a, path_b = write_inputs(tmp_path)
    ground_truth = ground_truth_of_subset(read_annotations(gt_path), "test")
    return score_runs(ground_truth, CLASSES, [("A", path_a), ("B", path_b)], THRESHOLDS)


def test_deltas_are_b_minus_a_for_map_per_class_ap_and_delays(tmp_path):
    run_a, run_b = scored(tmp_path)
    deltas = run_deltas(run_a, run_b)
    for t in ("0.3", "0.5", "0.7"):
        assert run_a.result[f"mAP@{t}"] == pytest.approx((5 / 6 + 1) / 2)
        assert deltas["summary"][f"mAP@{t}"] == pytest.approx((1 + 0) / 2 - (5 / 6 + 1) / 2)
        assert deltas["summary"][f"aedt@{t}"] == pytest.approx(-0.5)
    assert deltas["summary"]["avg_0.3:0.7"] == pytest.approx(0.5 - 11 / 12)
    assert deltas["summary"]["delay_median"] == pytest.approx(-0.5)
    np.testing.assert_allclose(deltas["per_class_ap"]["jump"], [1 / 6] * 3)
    np.testing.assert_allclose(deltas["per_class_ap"]["run"], [-1.0] * 3)


def test_tables_show_both_runs_and_signed_deltas_in_percentage_points(tmp_path):
    run_a, run_b = scored(tmp_path)
    table = format_run_comparison(run_a, run_b)
    assert "mAP (%) A" in table and "mAP (%) B" in table
    assert "91.67" in table and "50.00" in table and "-41.67" in table
    assert "B - A -0.50" in table  # emission delay median: B emits half a second earlier
    per_class = format_per_class_comparison(run_a, run_b).splitlines()
    jump = next(line for line in per_class if line.startswith("jump"))
    run = next(line for line in per_class if line.startswith("run"))
    assert jump.split()[1:4] == ["83.33", "100.00", "+16.67"]
    assert run.split()[1:4] == ["100.00", "0.00", "-100.00"]


def run_tool(monkeypatch, *args: str) -> None:
    """Run tools/compare_runs.py in this process with ``args``."""
    monkeypatch.setattr(sys, "argv", [str(TOOL), *args])
    runpy.run_path(str(TOOL), run_name="__main__")


def test_cli_prints_the_comparison_and_writes_the_json(tmp_path, monkeypatch, capsys):
    gt_path, path_a, path_b = write_inputs(tmp_path)
    out = str(tmp_path / "compare.json")
    run_tool(monkeypatch, "--gt", gt_path, path_a, path_b, "--names", "OAT", "OnPoint",
             "--tiou", *map(str, THRESHOLDS), "--per-class", "--json", out)
    printed = capsys.readouterr().out
    assert "OnPoint - OAT" in printed and "-41.67" in printed and "+16.67" in printed
    document = json.loads(Path(out).read_text())
    assert set(document["runs"]) == {"OAT", "OnPoint"}
    assert document["delta"]["summary"]["mAP@0.5"] == pytest.approx(-5 / 12)
    assert document["delta"]["per_class_ap"]["run"] == [pytest.approx(-1.0)] * 3


@pytest.mark.parametrize("change, message", [
    (dict(b="missing.json"), "results file not found"),
    (dict(names=["A", "A"]), "--names must differ"),
    (dict(subset="val"), "no video in subset 'val'"),
])
def test_cli_reports_bad_input_in_one_line_and_exits_1(tmp_path, monkeypatch, capsys, change,
                                                       message):
    gt_path, path_a, path_b = write_inputs(tmp_path)
    args = ["--gt", gt_path, path_a, str(tmp_path / change["b"]) if "b" in change else path_b,
            "--names", *change.get("names", ["A", "B"]), "--subset", change.get("subset", "test")]
    with pytest.raises(SystemExit) as exit_info:
        run_tool(monkeypatch, *args)
    assert exit_info.value.code == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and message in error and "\n" not in error
