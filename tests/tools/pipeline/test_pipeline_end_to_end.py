"""The main job end to end on the `tiny` benchmark, two stages at a time (`--jobs 2`, as
`make demo` runs): run, re-run (all skipped), change one input (only its dependents re-run),
and continue an interrupted training with --resume.

[our choice] To keep the test near a minute, it runs bench-tiny.py with two of its four students:
OnPoint (reads the teacher cache) and supervised OAT (does not). Every stage kind runs; the two
other students differ only in their configs, whose graph edges test_pipeline_units.py checks.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.machine import cpu_model
from pipeline.runner import PipelineRunner
from pipeline.spec import load_pipeline

REPO = Path(__file__).resolve().parents[3]
TINY = REPO / "configs" / "pipelines" / "bench-tiny.py"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _state(work: Path) -> dict:
    return json.loads((work / "pipeline_state.json").read_text())["stages"]


def _changed(work: Path) -> dict[str, str]:
    return {name: r["action"] for name, r in _state(work).items() if r["action"] != "skipped"}


def _pipeline(path: Path, oat_config: Path) -> Path:
    onpoint = REPO / "configs" / "onpoint" / "onpoint_bench-tiny.py"
    path.write_text(
        f"_base_ = [{str(TINY)!r}]\n"
        "methods = dict(_delete_=True,\n"
        f"    onpoint=dict(name='OnPoint', config={str(onpoint)!r}),\n"
        f"    oat=dict(name='OAT (fully supervised)', config={str(oat_config)!r}))\n")
    return path


def test_tiny_pipeline_runs_then_skips_reruns_dependents_and_resumes(tmp_path):
    work = tmp_path / "work"
    oat_config = tmp_path / "oat_student.py"  # the repo's tiny OAT config, through _base_
    oat_config.write_text(f"_base_ = [{str(REPO / 'configs' / 'oat' / 'oat_bench-tiny.py')!r}]\n")
    pipeline = _pipeline(tmp_path / "pipeline.py", oat_config)
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "run_pipeline.py"), "--pipeline", str(pipeline),
         "--work-dir", str(work), "--jobs", "2"], capture_output=True, text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    stages = _state(work)
    assert json.loads((work / "pipeline_state.json").read_text())["order"] == [
        "benchmark", "teacher", "teacher_test", "teacher_cache", "train_onpoint", "test_onpoint",
        "train_oat", "test_oat", "report"]
    assert set(stages) == set(json.loads((work / "pipeline_state.json").read_text())["order"])
    finished = {name: record["finished"] for name, record in stages.items()}
    assert finished["report"] == max(finished.values())  # two at a time, dependents after
    assert {(r["status"], r["action"]) for r in stages.values()} == {("done", "ran")}
    for method in ("onpoint", "oat"):
        metrics = json.loads((work / "methods" / method / "test" / "metrics.json").read_text())
        assert "mAP@0.5" in metrics and "delay_p90" in metrics
    report = (work / "report.md").read_text()
    assert "GENERATED features" in report and "| OnPoint |" in report
    assert "| OAT (fully supervised) |" in report and "| teacher_cache | ran |" in report
    assert f"Every stage ran on: {cpu_model()}" in report
    for png in ("map_vs_tiou", "timelines_test", "timelines_train", "loss_curves"):
        assert (work / "plots" / f"{png}.png").read_bytes()[:8] == PNG_MAGIC
        assert f"plots/{png}.png" in report
    assert "Online detection on the test split" in done.stdout  # the terminal table

    # The OAT student named by the repo's config file instead of the copy: fingerprints follow
    # what a config resolves to, not where it lives, so every stage is skipped.
    same = _pipeline(tmp_path / "same.py", REPO / "configs" / "oat" / "oat_bench-tiny.py")
    PipelineRunner(load_pipeline(str(same)), str(work), quiet=True).run()
    assert _changed(work) == {}

    # One input changes (the OAT student's schedule) while the OnPoint training was interrupted
    # after its last checkpoint: OAT re-trains from scratch (its old run kept aside) and is
    # re-tested; OnPoint resumes and, its checkpoint unchanged, needs no new test; the report
    # is rewritten; nothing else runs.
    oat_config.write_text(oat_config.read_text() + "train_cfg = dict(max_epochs=2)\n")
    state = json.loads((work / "pipeline_state.json").read_text())
    state["stages"]["train_onpoint"]["status"] = "running"
    (work / "pipeline_state.json").write_text(json.dumps(state))
    PipelineRunner(load_pipeline(str(pipeline)), str(work), quiet=True, jobs=2).run()
    assert _changed(work) == {"train_onpoint": "resumed", "train_oat": "ran", "test_oat": "ran",
                              "report": "ran"}
    assert (work / "methods" / "oat" / "train.previous" / "epoch_3.pth").is_file()
    assert (work / "methods" / "oat" / "train" / "epoch_2.pth").is_file()
    assert not (work / "methods" / "oat" / "train" / "epoch_3.pth").exists()
    assert _state(work)["train_onpoint"]["command"][-1] == "--resume"
    assert "resumed epoch: 3" in (work / "logs" / "train_onpoint.log").read_text()
