"""benchmarks/paired_comparison.py: paired differences over (run, student seed) with 95 % CIs."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from oat.datasets.readers import read_annotations
from oat.evaluation.results import ground_truth_of_subset, write_results_json
from oat.evaluation.tal_map import evaluate_detections

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
from pipeline.identity import file_identity  # noqa: E402


def _module():
    spec = importlib.util.spec_from_file_location(
        "paired_comparison", REPO / "benchmarks" / "paired_comparison.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _run(root: Path, bench_seed: int, jitter: dict[str, float], seeds=(0, 1, 2)) -> str:
    """A fake pipeline work dir: a tiny benchmark, and per method and seed a results file whose
    segments are the ground truth shifted by ``jitter[method]`` seconds (+ seed noise)."""
    run = root / f"bench{bench_seed}"
    subprocess.run([sys.executable, str(REPO / "tools" / "make_benchmark.py"), "--preset", "tiny",
                    "--out", str(run / "bench"), "--seed", str(bench_seed)], check=True,
                   capture_output=True)
    annotations = read_annotations(str(run / "bench" / "annotations.json"))
    gt = ground_truth_of_subset(annotations, "test")
    methods, stages = [], {}
    for group, shift in jitter.items():
        for seed in seeds:
            key = f"{group}-s{seed}"
            rng = np.random.default_rng(100 * bench_seed + seed)
            detections = {}
            for vid, (segments, labels) in gt.items():
                moved = segments + shift * (1 + 0.2 * rng.standard_normal((len(labels), 1)))
                detections[vid] = (moved, labels, np.ones(len(labels)), None)
            test = run / "methods" / key / "test"
            test.mkdir(parents=True)
            write_results_json(str(test / "results.json"), detections, annotations.classes)
            metrics = evaluate_detections(gt, detections, annotations.classes)
            (test / "metrics.json").write_text(json.dumps({"avg_0.1:0.7": metrics["avg_0.1:0.7"]}))
            stages[f"test_{key}"] = dict(status="done", fingerprint="F", outputs={
                str(test / "metrics.json"): file_identity(str(test / "metrics.json"))})
            methods.append(dict(key=key, name=f"{group.upper()} (seed {seed})", group=group,
                                seed=seed))
    (run / "pipeline_state.json").write_text(json.dumps(
        {"version": "pipeline-state-1", "plan": {"methods": methods}, "stages": stages}))
    return str(run)


def test_paired_difference_has_the_sign_of_the_better_method_and_cis_cover_it(tmp_path):
    module = _module()
    runs = [_run(tmp_path, b, {"good": 0.1, "bad": 2.0}) for b in (0, 1)]
    tables = module.comparison_tables(runs, "good", "avg_0.1:0.7", replicates=20)
    row = tables["differences"]["bad"]
    assert row["pairs"] == 6 and len(row["per_run"]) == 2
    assert row["mean"] > 0 and row["mean"] - row["half"] > 0
    low, high = row["bootstrap"]
    assert low <= row["mean"] <= high and low > 0
    assert tables["methods"]["good"]["units"] == 6
    per_run = np.array(list(row["per_run"].values()))  # two runs: df 1, t = 12.706
    assert row["runs_mean"] == pytest.approx(per_run.mean())
    assert row["runs_half"] == pytest.approx(12.706 * per_run.std(ddof=1) / np.sqrt(2), rel=1e-3)
    text = module.format_tables(tables)
    assert "| GOOD minus | pairs |" in text and "| BAD | 6 |" in text


def test_forest_plot_of_the_differences_is_written_as_a_png(tmp_path):
    module = _module()
    runs = [_run(tmp_path, b, {"good": 0.1, "bad": 2.0}, seeds=(0, 1)) for b in (0, 1)]
    tables = module.comparison_tables(runs, "good", "avg_0.1:0.7", replicates=5)
    module.plot_differences(tables, str(tmp_path / "plots" / "differences.png"))
    assert (tmp_path / "plots" / "differences.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in (tmp_path / "plots").iterdir()] == ["differences.png"]


def test_t_interval_matches_the_textbook_value():
    mean, half = _module().t_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert mean == 2.5 and half == pytest.approx(3.182446 * np.std([1, 2, 3, 4], ddof=1) / 2)


def test_units_pair_only_on_the_same_run_and_seed():
    module = _module()
    a = [module.Unit("r0", 0, {}, ""), module.Unit("r0", 1, {}, ""), module.Unit("r1", 0, {}, "")]
    b = [module.Unit("r1", 0, {}, ""), module.Unit("r0", 1, {}, "")]
    assert [(x.run, x.seed) for x, _ in module.paired(a, b)] == [("r0", 1), ("r1", 0)]


def test_a_folder_without_pipeline_state_is_named_in_the_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no pipeline_state.json"):
        _module().collect_units([str(tmp_path)])


def test_only_tests_the_pipeline_recorded_as_done_and_unchanged_are_counted(tmp_path, capsys):
    module = _module()
    run = Path(_run(tmp_path, 0, {"good": 0.1, "bad": 2.0}))
    state = json.loads((run / "pipeline_state.json").read_text())
    state["stages"]["test_bad-s0"]["status"] = "running"  # interrupted: its file is not counted
    (run / "pipeline_state.json").write_text(json.dumps(state))
    (run / "methods" / "bad-s1" / "test" / "metrics.json").write_text('{"avg_0.1:0.7": 0.9}')
    units, _ = module.collect_units([str(run)])
    assert sorted(u.seed for u in units["bad"]) == [2] and len(units["good"]) == 3
    err = capsys.readouterr().err
    assert "test_bad-s0 is not recorded as finished" in err and "test_bad-s1" in err
