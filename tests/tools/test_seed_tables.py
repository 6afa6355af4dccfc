"""The multi-seed tables of BENCHMARKS.md: paired differences and final losses per run."""
import importlib.util
import json
from pathlib import Path

import pytest
from mmengine.config import Config

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(root: Path, seed: int, metrics: dict[str, float]) -> str:
    run = root / f"seed{seed}"
    for method, value in metrics.items():
        folder = run / "methods" / method / "test"
        folder.mkdir(parents=True)
        (folder / "metrics.json").write_text(json.dumps({"avg_0.1:0.5": value + 0.1,
                                                         "avg_0.1:0.7": value}))
    return str(run)


def test_paired_differences_subtract_within_each_seed(tmp_path):
    pipeline = tmp_path / "pipeline.py"
    pipeline.write_text("methods = dict(onpoint=dict(name='OnPoint'), oat=dict(name='OAT'), "
                        "late=dict(name='Late'))\n")
    runs = [_run(tmp_path, 0, {"onpoint": 0.70, "oat": 0.60, "late": 0.5}),
            _run(tmp_path, 1, {"onpoint": 0.80, "oat": 0.65})]
    lines = _module("aggregate_seeds").paired_differences(Config.fromfile(str(pipeline)), runs,
                                                        "onpoint")
    assert lines[2] == "| OAT | 2 | +12.5 ± 3.5 | +12.5 ± 3.5 | +10.0, +15.0 |"
    assert lines[3] == "| Late | 1 | +20.0 | +20.0 | +20.0 |"  # only the seed that has it


def test_final_losses_average_the_last_quarter_of_the_logged_iterations(tmp_path):
    scalars = tmp_path / "run" / "methods" / "m" / "train" / "20260101_000000" / "vis_data"
    scalars.mkdir(parents=True)
    rows = [{"step": step, "loss": float(step), "lr": 0.1} for step in (8, 4, 2, 6, 1, 3, 5, 7)]
    rows.append({"step": 9, "coco/mAP": 0.5})  # a validation row: no loss, ignored
    (scalars / "scalars.json").write_text("\n".join(json.dumps(row) for row in rows))
    losses = _module("diagnose_seeds").final_losses(str(tmp_path / "run"), "m")
    assert losses == {"loss": pytest.approx(7.5)}  # steps 7 and 8 of 8 logged iterations


def _trained(run: Path, folder: str, final_loss: float, tested: bool = True) -> None:
    scalars = run / "methods" / folder / "train" / "20260101_000000" / "vis_data"
    scalars.mkdir(parents=True)
    (scalars / "scalars.json").write_text(json.dumps({"step": 1, "loss": final_loss}))
    if tested:
        (run / "methods" / folder / "test").mkdir()
        (run / "methods" / folder / "test" / "metrics.json").write_text("{}")


def test_loss_table_pools_every_student_seed_of_a_method_across_runs(tmp_path):
    pipeline = tmp_path / "pipeline.py"
    pipeline.write_text("methods = dict(onpoint=dict(name='OnPoint'), oat=dict(name='OAT'))\n")
    runs = []
    for bench, losses in enumerate(([1.0, 2.0], [3.0])):
        run = tmp_path / f"bench{bench}"
        plan = [dict(key=f"onpoint-s{seed}", group="onpoint") for seed in range(len(losses))]
        plan.append(dict(key="oat-s0", group="oat"))  # still training: not counted
        run.mkdir()
        (run / "pipeline_state.json").write_text(json.dumps({"plan": {"methods": plan}}))
        for seed, loss in enumerate(losses):
            _trained(run, f"onpoint-s{seed}", loss)
        _trained(run, "oat-s0", 9.0, tested=False)
        runs.append(str(run))
    lines = _module("diagnose_seeds").loss_table(Config.fromfile(str(pipeline)), runs)
    assert lines[2] == "| OnPoint | 3 | 2.000 ± 1.000 |"  # 1, 2 (bench 0) and 3 (bench 1)
    assert lines[3] == "| OAT | 0 | - |"
