"""The pipeline's parts without running a stage: skip/resume decisions, fingerprints, the spec,
the stage graph, commands, TensorBoard switch, state file, checkpoints."""
import argparse
import importlib.util
import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from oat.registry import MODELS
from pipeline import tensorboard
from pipeline.atomic import replaced_atomically, write_text_atomic
from pipeline.identity import (
    HASHED_FILE_LIMIT,
    file_identity,
    fingerprint,
    input_files,
    resolve_config,
)
from pipeline.machine import machine_description
from pipeline.runner import PipelineRunner, StageFailed, decide
from pipeline.spec import Seeds, load_pipeline, preset_config
from pipeline.stages import Stage, checkpoint_of
from pipeline.state import PipelineState, StageRecord

REPO = Path(__file__).resolve().parents[3]


def record(status="done", fp="A"):
    return StageRecord(status, fp)


@pytest.mark.parametrize("previous, current, outputs, resumable, checkpoint, forced, expected", [
    (record(), "A", True, False, False, False, "skip"),
    (record(), "A", True, True, True, False, "skip"),
    (record(), "B", True, False, False, False, "run"),  # inputs changed
    (record(), "A", False, False, False, False, "run"),  # an output was deleted
    (record(), "A", True, False, False, True, "run"),  # --force
    (None, "A", False, False, False, False, "run"),  # never ran
    (record("running"), "A", False, True, True, False, "resume"),  # killed mid-training
    (record("interrupted"), "A", False, True, True, False, "resume"),
    (record("failed"), "A", False, True, True, False, "resume"),
    (None, "A", False, True, True, False, "resume"),  # checkpoint unknown to the state file
    (record("running"), "B", False, True, True, False, "restart"),  # interrupted, inputs changed
    (record(), "B", True, True, True, False, "restart"),  # finished, inputs changed
    (record(), "A", True, True, True, True, "restart"),  # --force a finished training
    (record("running"), "A", False, True, False, False, "run"),  # killed before a checkpoint
])
def test_decide_skips_resumes_restarts_or_runs(previous, current, outputs, resumable, checkpoint,
                                               forced, expected):
    assert decide(previous, current, outputs, resumable, checkpoint, forced) == expected


def test_file_identity_follows_the_content_not_the_timestamp(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("video_id,class,class_index,time\nv,a,0,1.0\n")
    before = file_identity(str(path))
    os.utime(path, (1, 1))
    assert file_identity(str(path)) == before
    path.write_text("video_id,class,class_index,time\nv,a,0,1.5\n")
    assert file_identity(str(path)) != before


def test_large_files_are_identified_by_size_and_time_without_reading(tmp_path):
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(HASHED_FILE_LIMIT + 1)
    os.utime(path, ns=(5, 7))
    assert file_identity(str(path)) == f"size:{HASHED_FILE_LIMIT + 1},mtime_ns:7"


def test_input_files_are_the_existing_files_named_outside_the_stage_own_folder(tmp_path):
    data, own = tmp_path / "ann.json", tmp_path / "stage" / "results.json"
    own.parent.mkdir()
    data.write_text("{}")
    own.write_text("{}")
    named = [{"ann_file": str(data), "nested": [str(own), "not/a/file", "oat"]}, ["--x", "3"]]
    found = input_files(named, exclude_dirs=[str(own.parent)])
    assert list(found) == [str(data)]


def test_fingerprint_ignores_key_order_and_sees_every_value():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1, "b": [1, 2]}) != fingerprint({"a": 1, "b": [2, 1]})


def test_resolved_config_sees_the_stage_environment_and_restores_ours(tmp_path):
    config = tmp_path / "c.py"
    config.write_text('path = "{{$PIPELINE_TEST_DIR:default}}/x"\nepochs = 5\n')
    assert "PIPELINE_TEST_DIR" not in os.environ
    cfg = resolve_config(str(config), {"PIPELINE_TEST_DIR": "/data"}, {"epochs": 2})
    assert (cfg.path, cfg.epochs) == ("/data/x", 2)
    assert "PIPELINE_TEST_DIR" not in os.environ


def test_configs_resolved_by_concurrent_stages_leave_environment_and_log_level_as_they_were(
        tmp_path):
    config = tmp_path / "c.py"
    config.write_text('path = "{{$PIPELINE_TEST_DIR:default}}/x"\n')
    logger = MMLogger.get_current_instance()
    level = logger.level

    def resolve(index):
        return resolve_config(str(config), {"PIPELINE_TEST_DIR": f"/d{index}"}).path

    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(resolve, range(64)))
    assert paths == [f"/d{i}/x" for i in range(64)]
    assert "PIPELINE_TEST_DIR" not in os.environ and logger.level == level


def _pipeline(tmp_path, text: str) -> str:
    path = tmp_path / "pipeline.py"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text, message", [
    ("teacher = dict(config='t.py')\nmethods = dict(a=dict(config='a.py'))\nextra = 1\n",
     "unknown fields ['extra']"),
    ("benchmark = None\nteacher = dict(config='t.py')\nmethods = dict(a=dict(config='a.py'))\n",
     "teacher_cache.student_features"),
    ("benchmark = dict(preset='tiny')\nteacher = dict(config='t.py')\nmethods = dict()\n",
     "field methods is empty"),
    ("benchmark = dict(preset='tiny')\nteacher = dict(config='t.py')\n"
     "methods = dict(a=dict(config='a.py'))\nevaluate = dict(checkpoint='median')\n",
     "evaluate.checkpoint"),
    ("benchmark = dict(preset='tiny')\nteacher = dict(config='t.py')\n"
     "methods = dict(a=dict(config='a.py'))\nreport = dict(actionness_method='b')\n",
     "report.actionness_method"),
])
def test_bad_pipeline_configs_name_the_file_and_the_field(tmp_path, text, message):
    path = _pipeline(tmp_path, text)
    with pytest.raises((KeyError, ValueError)) as error:
        load_pipeline(path)
    assert path in str(error.value) and message in str(error.value)


def test_unknown_preset_lists_the_presets_that_have_a_pipeline():
    with pytest.raises(FileNotFoundError, match=r"presets with one: \[.*'thumos14-mini'.*'tiny'"):
        preset_config("nope")


def test_seed_option_sets_the_benchmark_seed_and_every_training_seed():
    spec = load_pipeline(preset_config("tiny"), seed=7)
    assert spec.benchmark == {"preset": "tiny", "seed": 7}
    assert spec.teacher.cfg_options["randomness.seed"] == 7
    assert {m.cfg_options["randomness.seed"] for m in spec.methods} == {7}
    unseeded = load_pipeline(preset_config("tiny"))
    assert unseeded.benchmark["seed"] == 0
    assert all("randomness.seed" not in m.cfg_options for m in [unseeded.teacher, *unseeded.methods])


def test_students_depend_on_the_teacher_cache_only_when_their_config_reads_it(tmp_path):
    runner = PipelineRunner(load_pipeline(preset_config("tiny")), str(tmp_path / "w"))
    needs = {stage.name: set(stage.needs) for stage in runner.stages}
    assert list(needs)[:4] == ["benchmark", "teacher", "teacher_test", "teacher_cache"]
    assert needs["teacher"] == {"benchmark"} and needs["teacher_cache"] == {"teacher",
                                                                             "benchmark"}
    assert needs["train_onpoint"] == needs["train_oat_pseudo"] == {"benchmark", "teacher_cache"}
    assert needs["train_distill_free"] == needs["train_oat"] == {"benchmark"}
    assert needs["test_oat"] == {"train_oat"}
    assert needs["report"] == set(needs) - {"report"}


def test_stage_command_passes_cfg_options_that_mmengine_parses_back(tmp_path):
    stage = Stage("train_x", "train.py", (), str(tmp_path / "x"), config="cfg.py",
                  cfg_options={"train_cfg.max_epochs": 2, "model.anchors": (2, 4)},
                  arguments=lambda: ["--work-dir", "W"], outputs=list)
    command = stage.command("python", resume=True)
    assert command[1].endswith("tools/train.py") and command[2:5] == ["cfg.py", "--work-dir", "W"]
    assert command[-1] == "--resume"
    parser = argparse.ArgumentParser()
    parser.add_argument("--cfg-options", nargs="+", action=DictAction)
    parsed = parser.parse_args(command[command.index("--cfg-options"):-1]).cfg_options
    assert parsed == {"train_cfg.max_epochs": 2, "model.anchors": (2, 4)}


def test_tensorboard_overlay_adds_the_backend_and_keeps_the_config(tmp_path):
    config = str(REPO / "configs" / "oat" / "oat_bench-tiny.py")
    work_dir = str(tmp_path / "methods" / "oat" / "train")
    overlay = tensorboard.config_with_tensorboard(config, work_dir, available=True)
    assert overlay == work_dir + ".tensorboard.py" and not overlay.startswith(work_dir + os.sep)
    cfg = Config.fromfile(overlay)
    assert [b["type"] for b in cfg.visualizer.vis_backends] == ["LocalVisBackend",
                                                                 "TensorboardVisBackend"]
    assert cfg.model.to_dict() == Config.fromfile(config).model.to_dict()


def test_without_tensorboard_the_stage_config_is_used_as_is(tmp_path):
    config = str(REPO / "configs" / "oat" / "oat_bench-tiny.py")
    assert tensorboard.config_with_tensorboard(config, str(tmp_path / "w"), False) == config
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("installed", [True, False])
def test_tensorboard_detection_follows_the_installed_packages(monkeypatch, installed):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: (
        (object() if installed else None) if name == "tensorboard" else real(name, *a)))
    assert tensorboard.tensorboard_available() is installed


def test_state_file_round_trips_and_refuses_unknown_statuses(tmp_path):
    state = PipelineState(str(tmp_path))
    state.plan = {"source": "p.py"}
    state.update("teacher", StageRecord("done", "F", {"a": "sha256:1"}, "R", ["x"], 1.5, 2.0,
                                        "now", "ran"))
    again = PipelineState(str(tmp_path))
    assert again.record("teacher") == state.record("teacher") and again.plan == state.plan
    assert [p.name for p in tmp_path.iterdir()] == ["pipeline_state.json"]  # no temp file left
    data = json.loads((tmp_path / "pipeline_state.json").read_text())
    data["stages"]["teacher"]["status"] = "half-done"
    (tmp_path / "pipeline_state.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="stage 'teacher': field status"):
        PipelineState(str(tmp_path))


def test_checkpoint_is_looked_up_in_the_work_dir_even_after_a_move(tmp_path):
    (tmp_path / "epoch_3.pth").write_bytes(b"x")
    (tmp_path / "last_checkpoint").write_text("/elsewhere/old/epoch_3.pth")
    assert checkpoint_of(str(tmp_path)) == str(tmp_path / "epoch_3.pth")
    assert checkpoint_of(str(tmp_path), "best") == str(tmp_path / "epoch_3.pth")  # no best_*
    (tmp_path / "best_avg_0.1:0.7_epoch_2.pth").write_bytes(b"y")
    assert checkpoint_of(str(tmp_path), "best").endswith("best_avg_0.1:0.7_epoch_2.pth")
    (tmp_path / "epoch_3.pth").unlink()
    with pytest.raises(FileNotFoundError, match="which does not exist"):
        checkpoint_of(str(tmp_path))


def test_a_failed_atomic_write_keeps_the_previous_file_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "report.md"
    write_text_atomic(str(path), "old")
    with pytest.raises(RuntimeError), replaced_atomically(str(path)) as tmp:
        Path(tmp).write_text("half")
        raise RuntimeError("crash while writing")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_failing_stage_stops_the_pipeline_naming_its_log_and_is_recorded(tmp_path):
    runner = PipelineRunner(load_pipeline(preset_config("tiny")), str(tmp_path))
    runner.stages = [Stage("broken", "no_such_tool.py", (), str(tmp_path / "broken"),
                           arguments=list, outputs=list)]
    with pytest.raises(StageFailed, match=r"stage broken failed \(exit code 2\); see .*broken.log"):
        runner.run()
    assert PipelineState(str(tmp_path)).record("broken").status == "failed"
    assert "no_such_tool.py" in (tmp_path / "logs" / "broken.log").read_text()


def _timed_stages(tmp_path, graph, seconds):
    """A fake interpreter (``python`` of the runner) that sleeps ``seconds`` and appends
    "name start end OMP_NUM_THREADS" to times.txt, and stages named by ``graph`` (name -> needs).

    The fake restores Ctrl-C's default handler: a shell started from a non-interactive one (CI)
    ignores SIGINT and cannot trap it, a Python process can re-enable it."""
    fake = tmp_path / "fake_python"
    fake.write_text(
        f"#!{sys.executable}\nimport os, signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        f"start = time.time()\ntime.sleep({seconds})\n"
        "with open(os.path.join(sys.argv[3], 'times.txt'), 'a') as f:\n"
        "    f.write(f\"{sys.argv[2]} {start} {time.time()} {os.environ.get('OMP_NUM_THREADS')}\\n\")\n")
    fake.chmod(0o755)
    stages = [Stage(name, "tool.py", needs, str(tmp_path / name),
                    arguments=lambda name=name: [name, str(tmp_path)], outputs=list)
              for name, needs in graph.items()]
    return str(fake), stages


def test_two_jobs_run_independent_stages_side_by_side_and_dependents_after(tmp_path,
                                                                            monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    fake, stages = _timed_stages(tmp_path, {"a": (), "b": (), "c": ("a", "b")}, 2)
    runner = PipelineRunner(load_pipeline(preset_config("tiny")), str(tmp_path / "w"),
                            python=fake, jobs=2)
    runner.stages = stages
    runner.run()
    rows = [line.split() for line in (tmp_path / "times.txt").read_text().splitlines()]
    times = {name: (float(start), float(end)) for name, start, end, _ in rows}
    assert times["a"][0] < times["b"][1] and times["b"][0] < times["a"][1]  # overlapped
    assert times["c"][0] >= max(times["a"][1], times["b"][1])
    threads = str(max(1, os.cpu_count() // 2))
    assert {used for *_, used in rows} == {threads}
    state = PipelineState(str(tmp_path / "w"))
    assert [state.record(n).status for n in "abc"] == ["done"] * 3
    machines = {state.record(n).machine for n in "abc"}  # what ran them, threads included
    assert machines == {machine_description(dict(OMP_NUM_THREADS=threads))}
    assert f"torch {torch.__version__}" in machines.pop()


def test_interrupting_a_parallel_run_stops_every_running_stage_and_records_it(tmp_path):
    fake, stages = _timed_stages(tmp_path, {"a": (), "b": (), "c": ("a",)}, 60)
    runner = PipelineRunner(load_pipeline(preset_config("tiny")), str(tmp_path / "w"),
                            python=fake, jobs=2)
    runner.stages = stages
    # Ctrl-C as a terminal delivers it (also when this test runs in the background, where
    # SIGINT starts out ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(3.0, os.kill, (os.getpid(), signal.SIGINT))
    started = time.time()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run()
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.time() - started < 10  # stopped at once, not after the stages' 60 s
    state = PipelineState(str(tmp_path / "w"))
    assert state.record("a").status == state.record("b").status == "interrupted"
    assert state.record("c") is None  # never started


def test_the_real_data_pipeline_has_no_benchmark_and_reads_student_features_from_env(
        tmp_path, monkeypatch):
    monkeypatch.setenv("THUMOS14_STUDENT_FEATURES", "/data/tsn.h5")
    spec = load_pipeline(str(REPO / "configs" / "pipelines" / "thumos14.py"))
    assert spec.benchmark is None and spec.student_features == "/data/tsn.h5"
    runner = PipelineRunner(spec, str(tmp_path))
    needs = {stage.name: set(stage.needs) for stage in runner.stages}
    assert needs["teacher"] == set() and needs["train_oat"] == set()
    assert needs["train_onpoint"] == needs["train_oat_pseudo"] == {"teacher_cache"}
    seeded = load_pipeline(str(REPO / "configs" / "pipelines" / "thumos14.py"), seed=1)
    assert seeded.benchmark is None and seeded.teacher.cfg_options["randomness.seed"] == 1


def test_tiny_configs_build_and_share_the_tiny_oat_student():
    def load(name):
        cfg = Config.fromfile(str(REPO / "configs" / name))
        init_default_scope("oat")
        with torch.device("meta"):
            return cfg, MODELS.build(cfg.model)

    _, oat = load("oat/oat_bench-tiny.py")
    cfg, onpoint = load("onpoint/onpoint_bench-tiny.py")
    assert onpoint.calibrated and (onpoint.window, onpoint.anchors) == (oat.window, oat.anchors)
    assert cfg.train_dataloader.dataset.horizon == 4
    cfg, pseudo = load("baselines/oat-pseudo_hrpro_bench-tiny.py")
    assert type(pseudo) is type(oat) and tuple(cfg.train_dataloader.dataset.targets) == ("ins",)
    cfg, free = load("baselines/distill-free_bench-tiny.py")
    assert {k for k, v in free.loss_weights.items() if v > 0} == {"pnt"}
    assert free.predict_with == "point" and cfg.train_dataloader.dataset.cache is None
    _, teacher = load("teachers/hrpro_bench-tiny.py")
    assert teacher.num_classes == oat.num_classes == 3


def test_student_cfg_options_reach_every_method_and_a_method_own_option_wins(tmp_path):
    path = _pipeline(tmp_path, (
        "benchmark = dict(preset='tiny')\nteacher = dict(config='t.py')\n"
        "methods = dict(a=dict(config='a.py'), b=dict(config='b.py', cfg_options={'x': 2}))\n"
        "student_cfg_options = {'x': 1, 'train_cfg.max_epochs': 2}\n"))
    spec = load_pipeline(path)
    assert [m.cfg_options for m in spec.methods] == [{"x": 1, "train_cfg.max_epochs": 2},
                                                      {"x": 2, "train_cfg.max_epochs": 2}]
    assert spec.teacher.cfg_options == {}


def test_benchmark_teacher_and_student_seeds_are_set_apart():
    spec = load_pipeline(preset_config("tiny"), seeds=Seeds(benchmark=3, teacher=5,
                                                             students=(11,)))
    assert spec.benchmark["seed"] == 3
    assert spec.teacher.cfg_options["randomness.seed"] == 5
    assert {m.cfg_options["randomness.seed"] for m in spec.methods} == {11}
    assert [m.key for m in spec.methods] == ["onpoint", "oat_pseudo", "distill_free", "oat"]
    mixed = load_pipeline(preset_config("tiny"), seed=7, seeds=Seeds(teacher=1))
    assert mixed.benchmark["seed"] == 7 and mixed.teacher.cfg_options["randomness.seed"] == 1
    assert {m.cfg_options["randomness.seed"] for m in mixed.methods} == {7}


def test_several_student_seeds_train_every_method_once_per_seed_on_one_teacher(tmp_path):
    spec = load_pipeline(preset_config("tiny"), seeds=Seeds(students=(0, 4)))
    assert [(m.key, m.group, m.seed) for m in spec.methods[:2]] == [
        ("onpoint-s0", "onpoint", 0), ("onpoint-s4", "onpoint", 4)]
    assert [m.cfg_options["randomness.seed"] for m in spec.methods[:2]] == [0, 4]
    assert spec.actionness_method == "onpoint-s0"
    assert "randomness.seed" not in spec.teacher.cfg_options
    names = [stage.name for stage in PipelineRunner(spec, str(tmp_path / "w")).stages]
    assert names.count("teacher") == 1 and "train_oat-s4" in names and "test_oat-s0" in names
    with pytest.raises(ValueError, match="repeat"):
        load_pipeline(preset_config("tiny"), seeds=Seeds(students=(1, 1)))


def test_student_options_of_the_command_line_win_over_the_config_and_skip_the_teacher():
    spec = load_pipeline(preset_config("tiny"),
                         student_options={"train_dataloader.sampler.fraction": 0.25})
    assert {m.cfg_options["train_dataloader.sampler.fraction"] for m in spec.methods} == {0.25}
    assert "train_dataloader.sampler.fraction" not in spec.teacher.cfg_options
