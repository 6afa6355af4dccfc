"""Results json: round trip, upstream's "gentime" key, and clear errors on malformed files."""
import json

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from oat.evaluation.results import read_results_json, write_results_json
from oat.evaluation.detection_inputs import VideoDetections

CLASSES = ["jump", "run"]


def write_raw(tmp_path, content) -> str:
    path = tmp_path / "results.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_written_results_read_back_identically_and_unknown_emit_times_are_left_out(tmp_path):
    detections = {
        "a": VideoDetections(np.array([[1.0, 2.5], [3.0, 4.0]]), np.array([1, 0]),
                             np.array([0.9, 0.25]), np.array([3.0, np.nan])),
        "b": VideoDetections(np.zeros((0, 2)), np.zeros(0, dtype=int), np.zeros(0), None),
    }
    path = str(tmp_path / "out" / "results.json")
    write_results_json(path, detections, CLASSES)
    raw = json.loads(open(path).read())
    assert raw["version"] == "VERSION 1.3" and raw["external_data"] == {}
    assert raw["results"]["a"][0] == {"segment": [1.0, 2.5], "label": "run", "score": 0.9,
                                      "emit_time": 3.0}
    assert "emit_time" not in raw["results"]["a"][1]
    back = read_results_json(path, CLASSES)
    assert_allclose(back["a"].segments, detections["a"].segments)
    assert_array_equal(back["a"].labels, [1, 0])
    assert_allclose(back["a"].scores, [0.9, 0.25])
    assert_allclose(back["a"].emit_times, [3.0, np.nan])
    assert back["b"].segments.shape == (0, 2) and back["b"].labels.shape == (0,)


def test_upstream_gentime_is_read_as_the_emit_time(tmp_path):
    path = write_raw(tmp_path, {"results": {"v": [
        {"segment": [1, 2], "label": "jump", "score": 0.5, "gentime": 2.4}]}})
    assert_allclose(read_results_json(path, CLASSES)["v"].emit_times, [2.4])


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = str(tmp_path / "results.json")
    good = {"v": VideoDetections(np.array([[1.0, 2.0]]), np.array([0]), np.array([0.5]))}
    write_results_json(path, good, CLASSES)
    before = open(path).read()
    bad_label = {"v": VideoDetections(np.array([[1.0, 2.0]]), np.array([7]), np.array([0.5]))}
    with pytest.raises(ValueError, match="video 'v', detection 0: label 7 is not a class index"):
        write_results_json(path, bad_label, CLASSES)
    assert open(path).read() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


ENTRY = {"segment": [1.0, 2.0], "label": "jump", "score": 0.5}


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid json"),
    ([1, 2], "expected an object with a 'results' object"),
    ({"results": {"v": {"segment": [1, 2]}}}, "video 'v': expected a list of detections"),
    ({"results": {"v": [ENTRY, "x"]}}, "video 'v', entry 1: expected an object"),
    ({"results": {"v": [{"segment": [1, 2], "label": "jump"}]}},
     "video 'v', entry 0: missing field 'score'"),
    ({"results": {"v": [dict(ENTRY, score="high")]}},
     "video 'v', entry 0, field 'score': expected a finite number"),
    ({"results": {"v": [dict(ENTRY, score=True)]}}, "field 'score': expected a finite number"),
    ({"results": {"v": [dict(ENTRY, segment=[3.0, 2.0])]}},
     "video 'v', entry 0, field 'segment': end 2.0 < start 3.0"),
    ({"results": {"v": [dict(ENTRY, segment=[1.0])]}},
     "field 'segment': expected \\[start, end\\]"),
    ({"results": {"v": [dict(ENTRY, label="swim")]}},
     "video 'v', entry 0, field 'label': unknown class 'swim'"),
    ({"results": {"v": [dict(ENTRY, emit_time="soon")]}}, "field 'emit_time': expected a finite"),
])
def test_malformed_results_raise_a_value_error_naming_file_video_entry_and_field(
        tmp_path, content, message):
    path = write_raw(tmp_path, content)
    with pytest.raises(ValueError, match=message) as error:
        read_results_json(path, CLASSES)
    assert str(error.value).startswith(path)


def test_a_missing_results_file_raises_file_not_found_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        read_results_json(str(tmp_path / "nowhere.json"), CLASSES)
