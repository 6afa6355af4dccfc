"""Temporal mAP: hand-computed cases and agreement with the plain reference implementation."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from oat.evaluation.tal_map import (
    DEFAULT_TIOU_THRESHOLDS,
    evaluate_detections,
    interpolated_average_precision,
)

REFERENCE_PATH = Path(__file__).resolve().parents[3] / "benchmarks" / "reference_tal_map.py"


def load_reference():
    """benchmarks/reference_tal_map.py (benchmarks/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("reference_tal_map", REFERENCE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def one_class_case(pred_segments, scores, gt_segments=((0.0, 10.0), (20.0, 30.0)), emit=None):
    """GT and predictions of one video, all of class 0."""
    gt = {"v": (np.array(gt_segments), np.zeros(len(gt_segments), dtype=int))}
    preds = {"v": (np.array(pred_segments), np.zeros(len(scores), dtype=int),
                   np.array(scores), None if emit is None else np.array(emit))}
    return gt, preds


def test_two_gt_three_predictions_give_the_hand_computed_ap():
    # ranks: TP, FP, TP -> precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 -> AP = 1/2 + 1/2 * 2/3
    gt, preds = one_class_case([[0, 10], [50, 60], [20, 30]], [0.9, 0.8, 0.7])
    result = evaluate_detections(gt, preds, 1)
    assert_allclose(result["mAP"], np.full(7, 5 / 6))
    assert result["mAP@0.5"] == pytest.approx(5 / 6)
    assert result["num_true_positives@0.7"] == 2


def test_a_duplicate_of_a_matched_gt_is_a_false_positive():
    gt, preds = one_class_case([[0, 10], [0, 10], [20, 30]], [0.9, 0.8, 0.7])
    result = evaluate_detections(gt, preds, 1)
    assert_allclose(result["mAP"], np.full(7, 5 / 6))  # 1.0 if the duplicate counted as TP
    assert result["num_true_positives@0.1"] == 2


def test_a_prediction_overlapping_two_gts_takes_the_one_with_the_best_tiou():
    # p1 [3, 13]: tIoU 7/13 with a [0, 10], 9/11 with b [4, 14] -> takes b, so that
    # p2 [0, 6] (tIoU 0.6 with a, 1/7 with b) is a TP at 0.3. Delays: 15 - 14, 6 - 10.
    gt, preds = one_class_case([[3, 13], [0, 6]], [0.9, 0.8], gt_segments=((0, 10), (4, 14)),
                               emit=[15.0, 6.0])
    result = evaluate_detections(gt, preds, 1, tiou_thresholds=(0.3,))
    assert result["num_true_positives@0.3"] == 2
    assert result["mAP@0.3"] == pytest.approx(1.0)
    assert result["aedt@0.3"] == pytest.approx((1.0 - 4.0) / 2)


def test_ap_uses_the_monotone_precision_envelope():
    # FP, TP, TP over 2 GT: precision 0, 1/2, 2/3 at recall 0, 1/2, 1. The envelope lifts the
    # precision at recall 1/2 to 2/3: AP = 2/3 (7/12 without interpolation).
    ap = interpolated_average_precision(np.array([[False, True, True]]), num_gt=2)
    assert_allclose(ap, [2 / 3])
    gt, preds = one_class_case([[50, 60], [0, 10], [20, 30]], [0.9, 0.8, 0.7])
    assert evaluate_detections(gt, preds, 1)["mAP@0.5"] == pytest.approx(2 / 3)


def test_a_class_without_predictions_has_ap_zero_and_still_counts_in_the_mean():
    gt = {"v": (np.array([[0.0, 10.0], [20.0, 30.0]]), np.array([0, 1]))}
    preds = {"v": (np.array([[0.0, 10.0]]), np.array([0]), np.array([0.9]))}
    result = evaluate_detections(gt, preds, ["jump", "run", "swim"])
    assert result["mAP@0.5"] == pytest.approx(0.5)
    assert set(result["per_class_ap"]) == {"jump", "run"}  # "swim" has no GT: not counted
    assert_allclose(result["per_class_ap"]["run"], np.zeros(7))


def test_a_predicted_class_without_gt_raises_by_default_and_is_dropped_with_skip():
    gt, _ = one_class_case([[20, 30]], [0.9], gt_segments=((20, 30),))
    preds = {"v": (np.array([[0.0, 10.0], [20.0, 30.0]]), np.array([1, 0]), np.array([0.9, 0.8]))}
    with pytest.raises(ValueError, match=r"video 'v'.*class 'run' \(index 1\)"):
        evaluate_detections(gt, preds, ["jump", "run"])
    result = evaluate_detections(gt, preds, ["jump", "run"], unknown_labels="skip")
    assert result["mAP@0.5"] == pytest.approx(1.0)
    assert result["num_predictions"] == 1


def test_predictions_of_a_video_without_gt_are_false_positives():
    gt, preds = one_class_case([[0, 10], [20, 30]], [0.7, 0.6])
    preds["elsewhere"] = (np.array([[0.0, 10.0]]), np.array([0]), np.array([0.9]))
    result = evaluate_detections(gt, preds, 1)  # FP, TP, TP: 2/3 (1.0 if it were ignored)
    assert result["mAP@0.5"] == pytest.approx(2 / 3)


def test_exact_score_ties_keep_the_input_order():
    gt, preds = one_class_case([[50, 60], [0, 10]], [0.5, 0.5], gt_segments=((0, 10),))
    assert evaluate_detections(gt, preds, 1)["mAP@0.5"] == pytest.approx(0.5)
    gt, preds = one_class_case([[0, 10], [50, 60]], [0.5, 0.5], gt_segments=((0, 10),))
    assert evaluate_detections(gt, preds, 1)["mAP@0.5"] == pytest.approx(1.0)


def test_emission_delays_are_emit_time_minus_gt_end_over_true_positives():
    gt_segments = [(10.0 * i, 10.0 * i + 5) for i in range(5)]
    emit = [5 + 1, 15 + 2, 25 + 3, 35 + 4, 45 + 5, 99.0]  # the last one is a FP
    gt, preds = one_class_case(gt_segments + [(70, 80)], [0.9] * 6, gt_segments, emit)
    result = evaluate_detections(gt, preds, 1)
    assert result["aedt@0.5"] == pytest.approx(3.0)
    assert result["delay_median"] == pytest.approx(3.0)
    assert result["delay_p90"] == pytest.approx(4.6)  # linear interpolation between 4 and 5


def test_timing_is_nan_without_emit_times_and_mean_ap_is_unaffected():
    gt, preds = one_class_case([[0, 10], [50, 60], [20, 30]], [0.9, 0.8, 0.7])
    result = evaluate_detections(gt, preds, 1)
    assert np.isnan(result["aedt@0.5"]) and np.isnan(result["delay_median"])
    assert result["mAP@0.5"] == pytest.approx(5 / 6)


def test_average_keys_follow_the_given_thresholds():
    gt, preds = one_class_case([[0, 10], [50, 60], [20, 30]], [0.9, 0.8, 0.7])
    default = evaluate_detections(gt, preds, 1)
    assert default["avg_0.1:0.5"] == pytest.approx(np.mean(default["mAP"][:5]))
    assert {"avg_0.1:0.7", "avg_0.3:0.7"} <= default.keys()
    oat_protocol = evaluate_detections(gt, preds, 1, tiou_thresholds=(0.3, 0.4, 0.5, 0.6, 0.7))
    assert "avg_0.3:0.7" in oat_protocol and "avg_0.1:0.5" not in oat_protocol


@pytest.mark.parametrize("bad_prediction, message", [
    ((np.array([[5.0, 1.0]]), np.array([0]), np.array([0.9])), "end >= start"),
    ((np.array([[0.0, 1.0]]), np.array([3]), np.array([0.9])), "label 3 is not a class index"),
    ((np.array([[0.0, 1.0]]), np.array([0]), np.array([np.nan])), "scores must be finite"),
    ((np.array([0.0, 1.0]), np.array([0]), np.array([0.9])), r"expected shape \(N, 2\)"),
])
def test_malformed_predictions_raise_a_value_error_naming_the_video(bad_prediction, message):
    gt, _ = one_class_case([[0, 10]], [0.9])
    with pytest.raises(ValueError, match=f"video 'v'.*{message}"):
        evaluate_detections(gt, {"v": bad_prediction}, 2)


def random_case(rng: np.random.Generator, num_classes: int = 3) -> tuple[dict, dict]:
    """Small random videos with coarse times (tIoU ties), nested GT, score ties, empty videos,
    zero-length and negative-time segments, unknown emit times and a video without GT."""
    gt, preds = {}, {}
    for v in range(int(rng.integers(1, 6))):
        n = int(rng.integers(0, 7))
        starts = rng.integers(-5, 40, n).astype(float)
        gt[f"v{v}"] = (np.stack([starts, starts + rng.integers(0, 12, n)], 1),
                       rng.integers(0, num_classes, n))
        k = int(rng.integers(0, 25))
        starts = rng.integers(-5, 40, k).astype(float)
        emit = rng.uniform(0, 60, k)
        emit[rng.random(k) < 0.2] = np.nan
        preds[f"v{v}"] = (np.stack([starts, starts + rng.integers(0, 12, k)], 1),
                          rng.integers(0, num_classes, k), rng.integers(0, 5, k) / 4.0,
                          emit if rng.random() < 0.8 else None)
    preds["no_gt"] = (np.array([[0.0, 5.0]]), np.array([0]), np.array([0.8]))
    return gt, preds


def test_vectorised_result_equals_the_reference_on_random_cases():
    reference = load_reference()
    rng = np.random.default_rng(2024)
    compared = 0
    while compared < 150:
        gt, preds = random_case(rng)
        present = {int(c) for _, labels in gt.values() for c in labels}
        if not present:
            continue
        known = {vid: tuple(None if x is None else np.asarray(x)[np.isin(p[1], list(present))]
                            for x in p) for vid, p in preds.items()}
        fast = evaluate_detections(gt, preds, 3, unknown_labels="skip")
        slow = reference.reference_evaluate(gt, known, 3, DEFAULT_TIOU_THRESHOLDS)
        assert_allclose(fast["mAP"], slow["mAP"], rtol=0, atol=1e-12)
        for c in range(3):
            if str(c) in fast["per_class_ap"]:
                assert_allclose(fast["per_class_ap"][str(c)], slow["ap"][:, c], atol=1e-12)
        aedt = [fast[f"aedt@{t:g}"] for t in DEFAULT_TIOU_THRESHOLDS]
        assert_allclose(aedt, slow["aedt"], atol=1e-9, equal_nan=True)
        delays = slow["delays"][DEFAULT_TIOU_THRESHOLDS.index(0.5)]
        expected_median = np.median(delays) if delays else np.nan
        assert_allclose(fast["delay_median"], expected_median, atol=1e-9, equal_nan=True)
        compared += 1
