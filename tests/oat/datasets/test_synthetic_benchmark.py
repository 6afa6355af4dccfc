"""The benchmark folder: reproducible files, consistent sizes, meta.json, atomic writes, CLI."""
import json
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from oat.datasets.features import FeatureStore
from oat.datasets.points import read_points_csv
from oat.datasets.readers import read_annotations
from oat.datasets.synthetic import OUTPUT_FILES, FeatureGenerator, get_preset, make_benchmark
from oat.datasets.synthetic.generator import num_steps_for

TOOL = Path(__file__).resolve().parents[3] / "tools" / "make_benchmark.py"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory) -> Path:
    """A ``tiny`` benchmark written once for the module, seed 7."""
    out = tmp_path_factory.mktemp("tiny")
    make_benchmark(str(out), get_preset("tiny"), 7, progress=False)
    return out


def _arrays(path: Path) -> dict:
    store = FeatureStore(str(path))
    arrays = {vid: store.get(vid) for vid in store.video_ids}
    store.close()
    return arrays


def test_rerun_with_the_same_seed_gives_identical_files_and_another_seed_does_not(
    tiny_dir, tmp_path
):
    make_benchmark(str(tmp_path / "same"), get_preset("tiny"), 7, progress=False)
    make_benchmark(str(tmp_path / "other"), get_preset("tiny"), 8, progress=False)
    for name in ("annotations.json", "points.csv"):
        assert (tmp_path / "same" / name).read_bytes() == (tiny_dir / name).read_bytes()
        assert (tmp_path / "other" / name).read_bytes() != (tiny_dir / name).read_bytes()
    for name in ("student.h5", "teacher.h5"):
        first, again = _arrays(tiny_dir / name), _arrays(tmp_path / "same" / name)
        assert first.keys() == again.keys()
        for vid in first:
            np.testing.assert_array_equal(first[vid], again[vid])


def test_folder_holds_consistent_annotations_points_and_features(tiny_dir):
    preset = get_preset("tiny")
    annotations = read_annotations(str(tiny_dir / "annotations.json"))
    assert annotations.classes == list(preset.classes)
    assert len(annotations.subset("train")) == 6 and len(annotations.subset("test")) == 3
    for view, spec in (("student", preset.student), ("teacher", preset.teacher)):
        store = FeatureStore(str(tiny_dir / f"{view}.h5"))
        assert sorted(store.video_ids) == sorted(annotations.videos)
        assert store.feature_dim == spec.dim and store.attrs["steps_per_second"] == spec.rate
        for video in annotations.videos.values():  # T = round(duration * rate)
            assert store.num_steps(video.video_id) == num_steps_for(video.duration, spec.rate)
        store.close()
    points = read_points_csv(str(tiny_dir / "points.csv"), annotations.classes)
    assert len(points) == annotations.num_instances("train")
    for point in points:  # training videos only, inside an instance of the point's class
        video = annotations.videos[point.video_id]
        assert video.subset == "train"
        assert any(s.label == point.label and s.start <= point.time <= s.end
                   for s in video.segments)


def test_meta_json_records_parameters_seed_sizes_and_generation_time(tiny_dir):
    meta = json.loads((tiny_dir / "meta.json").read_text())
    assert meta["preset"] == "tiny" and meta["seed"] == 7 and meta["generator_version"]
    assert meta["parameters"]["student"]["rate"] == 5.0
    assert [s["dim"] for s in meta["parameters"]["teacher"]["streams"]] == [16, 16]
    assert meta["parameters"]["latent"]["shared_body"] == get_preset("tiny").latent.shared_body
    assert meta["views"]["teacher"]["steps_per_second"] == 1.5625
    assert meta["sizes"]["train"]["videos"] == 6
    assert meta["sizes"]["bytes"]["student.h5"] == (tiny_dir / "student.h5").stat().st_size
    assert meta["generation"]["utc"] and meta["generation"]["seconds"] >= 0
    assert meta["confusable_pairs"] == [["class_a", "class_b"]]


def test_failed_run_leaves_no_partial_file_and_keeps_the_previous_run(tmp_path, monkeypatch):
    out = tmp_path / "bench"
    make_benchmark(str(out), get_preset("tiny"), 1, progress=False)
    before = {name: (out / name).read_bytes() for name in OUTPUT_FILES}
    calls = []

    def failing_render(self, video, view_name):
        calls.append(video.video_id)
        if len(calls) == 12:  # during teacher.h5, after student.h5 was complete
            raise RuntimeError("injected failure")
        return original(self, video, view_name)

    original = FeatureGenerator.render
    monkeypatch.setattr(FeatureGenerator, "render", failing_render)
    with pytest.raises(RuntimeError, match="injected"):
        make_benchmark(str(out), get_preset("tiny"), 2, progress=False)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert {name: (out / name).read_bytes() for name in OUTPUT_FILES} == before


def test_real_thumos_timelines_and_points_replace_the_generated_ones(shared_data, tmp_path):
    thumos = shared_data / "thumos14"
    meta = make_benchmark(str(tmp_path), get_preset("tiny"), 0,
                          timelines=str(thumos / "oat_thumos14_v2.json"),
                          points=str(thumos / "point_gaussian.csv"), progress=False)
    annotations = read_annotations(str(tmp_path / "annotations.json"))
    assert len(annotations.subset("train")) == 200 and len(annotations.subset("test")) == 212
    assert annotations.num_classes == 20 and annotations.classes[0] == "BaseballPitch"
    # LACP's file has 3003 points (STATS.md §2.3); none is in a test video
    points = read_points_csv(str(tmp_path / "points.csv"), annotations.classes)
    assert len(points) == 3003
    assert meta["timelines"]["source"].endswith("oat_thumos14_v2.json")
    store = FeatureStore(str(tmp_path / "student.h5"))
    video = annotations.videos["video_test_0000896"]  # 226.67 s in OAT's json
    assert store.num_steps(video.video_id) == round(video.duration * 5.0) == 1133
    store.close()


def test_cli_reports_bad_input_in_one_line_and_exits_non_zero(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "missing.json"
    monkeypatch.setattr(sys, "argv", ["make_benchmark.py", "--preset", "tiny", "--out",
                                      str(tmp_path / "out"), "--timelines", str(missing)])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(TOOL), run_name="__main__")
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(missing) in err
    assert not (tmp_path / "out" / "meta.json").exists()


def test_cli_writes_a_benchmark_and_summarises_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["make_benchmark.py", "--preset", "tiny", "--out",
                                      str(tmp_path), "--seed", "3", "--quiet"])
    runpy.run_path(str(TOOL), run_name="__main__")
    assert "train: 6 videos" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_FILES)


def test_points_without_timelines_and_unknown_presets_are_errors(tmp_path):
    with pytest.raises(ValueError, match="--points needs --timelines"):
        make_benchmark(str(tmp_path), get_preset("tiny"), 0, points="p.csv", progress=False)
    with pytest.raises(KeyError, match="unknown benchmark preset 'nope'"):
        get_preset("nope")
