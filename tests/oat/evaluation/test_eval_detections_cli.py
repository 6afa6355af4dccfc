"""tools/eval_detections.py: table and json on a canonical GT file; one-line errors."""
import json
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from oat.datasets.annotations import (
    AnnotationSet,
    Segment,
    VideoAnnotation,
    write_json_atomic,
)
from oat.evaluation.results import write_results_json
from oat.evaluation.detection_inputs import VideoDetections

TOOL = Path(__file__).resolve().parents[3] / "tools" / "eval_detections.py"


def write_inputs(tmp_path: Path) -> tuple[str, str]:
    """Canonical GT (a test video with 2 jumps, a train video) and results: TP, FP, TP."""
    videos = {
        "t1": VideoAnnotation("t1", "test", 100.0, 30.0,
                              [Segment(0.0, 10.0, 0), Segment(20.0, 30.0, 0)]),
        "r1": VideoAnnotation("r1", "train", 50.0, 30.0, [Segment(5.0, 8.0, 1)]),
    }
    gt_path = str(tmp_path / "gt.json")
    write_json_atomic(AnnotationSet(["jump", "run"], videos).to_activitynet(), gt_path)
    results_path = str(tmp_path / "results.json")
    write_results_json(results_path, {"t1": VideoDetections(
        np.array([[0.0, 10.0], [50.0, 60.0], [20.0, 30.0]]), np.array([0, 0, 0]),
        np.array([0.9, 0.8, 0.7]), np.array([11.0, 61.0, 31.0]))}, ["jump", "run"])
    return gt_path, results_path


def test_cli_prints_the_table_and_writes_the_json(tmp_path):
    gt_path, results_path = write_inputs(tmp_path)
    out_json = str(tmp_path / "metrics.json")
    run = subprocess.run(
        [sys.executable, str(TOOL), gt_path, results_path, "--subset", "test",
         "--tiou", "0.3", "0.5", "0.7", "--json", out_json],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "83.33" in run.stdout and "avg_0.3:0.7" in run.stdout  # AP 5/6 in %
    metrics = json.loads(Path(out_json).read_text())
    assert metrics["mAP@0.5"] == pytest.approx(5 / 6)
    assert metrics["aedt@0.5"] == pytest.approx(1.0)
    assert metrics["per_class_ap"] == {"jump": [pytest.approx(5 / 6)] * 3}


@pytest.mark.parametrize("change, message", [
    ({"results": "missing.json"}, "results file not found"),
    ({"subset": "val"}, "no video in subset 'val'"),
])
def test_cli_reports_bad_input_in_one_line_and_exits_1(tmp_path, monkeypatch, capsys, change,
                                                       message):
    gt_path, results_path = write_inputs(tmp_path)
    results_path = str(tmp_path / change.get("results", "results.json"))
    argv = [str(TOOL), gt_path, results_path, "--subset", change.get("subset", "test")]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(TOOL), run_name="__main__")
    assert exit_info.value.code == 1
    error = capsys.readouterr().err.strip()
    assert message in error and "Traceback" not in error and len(error.splitlines()) == 1
