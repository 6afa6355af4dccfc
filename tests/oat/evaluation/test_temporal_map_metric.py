"""TemporalMAP: built from the registry, fed the detector's predict outputs (torch or numpy)."""
import numpy as np
import pytest
import torch

from oat.evaluation.results import read_results_json
from oat.registry import METRICS

CLASSES = ("jump", "run")


def predict_output(video_id: str, as_torch: bool) -> dict:
    """One video's predict output: class 0 found (TP, FP, TP), class 1 missed."""
    convert = torch.as_tensor if as_torch else np.asarray
    return {
        "video_id": video_id,
        "segments": convert([[0.0, 10.0], [50.0, 60.0], [20.0, 30.0]]),
        "labels": convert([0, 0, 0]),
        "scores": convert([0.9, 0.8, 0.7]),
        "emit_times": convert([11.0, 61.0, 33.0]),
        "gt_segments": convert([[0.0, 10.0], [20.0, 30.0], [40.0, 45.0]]),
        "gt_labels": convert([0, 0, 1]),
    }


def build_metric(**options):
    metric = METRICS.build(dict(type="TemporalMAP", **options))
    metric.dataset_meta = {"classes": CLASSES}
    return metric


def test_metric_returns_flat_fractions_with_the_average_first_and_logs_per_class_ap(
        monkeypatch):
    # capture the log lines themselves: an MMLogger made by an earlier test keeps the stdout
    # it was created with, so capsys would see nothing depending on test order
    logged = []
    monkeypatch.setattr("oat.evaluation.metric.print_log",
                        lambda message, logger=None, **_: logged.append(message))
    metric = build_metric()
    metric.process({}, [predict_output("a", as_torch=True)])
    metric.process({}, [predict_output("b", as_torch=False)])
    result = metric.evaluate(size=2)
    # per class 0: TP FP TP over 2 GT per video, twice -> AP 5/6; class 1 -> 0; mAP 5/12
    assert list(result)[0] == "avg_0.1:0.7"
    assert set(result) == {"avg_0.1:0.7", "avg_0.1:0.5", "avg_0.3:0.7", "aedt@0.5",
                           "delay_median", "delay_p90"} | {f"mAP@0.{i}" for i in range(1, 8)}
    assert result["mAP@0.5"] == pytest.approx(5 / 12)
    assert result["avg_0.1:0.5"] == pytest.approx(5 / 12)
    assert result["aedt@0.5"] == pytest.approx(2.0)  # delays 1 and 3 in each video
    assert result["delay_p90"] == pytest.approx(3.0)
    assert all(isinstance(value, float) for value in result.values())
    assert "run" in logged[0]  # per-class table in the log


def test_metric_writes_the_results_json_with_class_names(tmp_path):
    out_file = str(tmp_path / "results.json")
    metric = build_metric(out_file=out_file, tiou_thresholds=(0.3, 0.5), prefix="test")
    metric.process({}, [predict_output("a", as_torch=True)])
    result = metric.evaluate(size=1)
    assert set(result) >= {"test/avg_0.3:0.5", "test/mAP@0.3", "test/mAP@0.5"}
    detections = read_results_json(out_file, CLASSES)
    np.testing.assert_allclose(detections["a"].emit_times, [11.0, 61.0, 33.0])


def test_metric_without_class_names_raises_a_key_error():
    metric = METRICS.build(dict(type="TemporalMAP"))
    metric.process({}, [predict_output("a", as_torch=False)])
    with pytest.raises(KeyError, match="dataset_meta\\['classes'\\]"):
        metric.evaluate(size=1)


def test_a_video_evaluated_twice_is_an_error():
    metric = build_metric()
    metric.process({}, [predict_output("a", as_torch=False), predict_output("a", as_torch=False)])
    with pytest.raises(ValueError, match="video 'a' was evaluated twice"):
        metric.evaluate(size=2)
