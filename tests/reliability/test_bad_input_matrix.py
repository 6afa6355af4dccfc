"""Bad input across the command-line tools (issue 8): one clear line, non-zero exit, no traceback,
no partial output.

Each case corrupts a copy of the session's tiny benchmark (or writes a small bad file), runs one
tool in its own process and checks that the LAST line of stderr names the file / video / field
and what was expected, that no traceback was printed, and that the tool left nothing behind.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
TINY = "configs/oat/oat_bench-tiny.py"
ONPOINT = "configs/onpoint/onpoint_bench-tiny.py"
TRAIN_VIDEO = "video_train_00002"  # in the training part of the tiny benchmark


@dataclass
class BadInput:
    """One tool call with bad input and what its error line must say."""

    script: str
    args: list[str]
    expected: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    absent: tuple[Path, ...] = ()  # outputs that must not exist afterwards


def _copy(bench: Path, tmp: Path) -> Path:
    folder = tmp / "bench"
    shutil.copytree(bench, folder)
    return folder


def _train(folder: Path, tmp: Path, expected: tuple[str, ...], *options: str) -> BadInput:
    """train.py on the tiny config with the benchmark in ``folder``; no checkpoint may appear."""
    work = tmp / "work"
    args = [TINY, "--work-dir", str(work), "--cfg-options", "train_cfg.max_epochs=1", *options]
    return BadInput("train.py", args, expected, {"BENCH_DIR": str(folder)},
                    (work / "epoch_1.pth", work / "last_checkpoint"))


def _rewrite_features(path: Path, change: Callable[[str, np.ndarray], np.ndarray | None]) -> None:
    """Rewrite a feature store through the canonical writer; ``change`` may drop a video."""
    from oat.datasets.features import FeatureStore, write_feature_store

    store = FeatureStore(str(path))
    videos = [(v, change(v, store.get(v))) for v in store.video_ids]
    rate, attrs = store.steps_per_second(store.video_ids[0]), store.attrs
    store.close()
    write_feature_store(str(path), [(v, a) for v, a in videos if a is not None], rate,
                        attrs["source"])


def _edit_annotations(folder: Path, change: Callable[[dict], None]) -> None:
    data = json.loads((folder / "annotations.json").read_text())
    change(data["database"])
    (folder / "annotations.json").write_text(json.dumps(data))


def truncated_h5(bench, tmp):
    folder = _copy(bench, tmp)
    data = (folder / "student.h5").read_bytes()
    (folder / "student.h5").write_bytes(data[: len(data) // 2])
    return _train(folder, tmp, ("student.h5", "truncated or corrupt"))


def nan_features_in_a_dataloader_worker(bench, tmp):
    folder = _copy(bench, tmp)
    with h5py.File(folder / "student.h5", "r+") as f:
        f[TRAIN_VIDEO][7, 3] = np.nan
    # read lazily in a worker: its re-raised error carries the worker's traceback as text
    return _train(folder, tmp, ("student.h5", repr(TRAIN_VIDEO), "NaN/Inf", "step 7"),
                  "train_dataloader.num_workers=1")


def wrong_feature_dim(bench, tmp):
    folder = _copy(bench, tmp)
    _rewrite_features(folder / "student.h5", lambda video, array: array[:, :24])
    return _train(folder, tmp, ("student.h5", "feature dimension 24", "expects 32"))


def teacher_rate_file_as_student(bench, tmp):
    folder = _copy(bench, tmp)
    shutil.copy(folder / "teacher.h5", folder / "student.h5")  # same dim 32, 1.5625 steps/s
    return _train(folder, tmp, ("student.h5", "1.5625 steps/s", "expects 5.0 steps/s"))


def video_missing_from_features(bench, tmp):
    folder = _copy(bench, tmp)
    _rewrite_features(folder / "student.h5", lambda v, a: None if v == TRAIN_VIDEO else a)
    return _train(folder, tmp, ("student.h5", "not in the feature file", TRAIN_VIDEO))


def _evaluate_against(folder: Path, tmp: Path, expected: tuple[str, ...],
                      results: str = '{"results": {}}') -> BadInput:
    """eval_detections.py on ``results`` with ``folder``'s annotations as ground truth (read
    by the same reader as training, without the cost of a Runner)."""
    (tmp / "results.json").write_text(results)
    args = [str(folder / "annotations.json"), str(tmp / "results.json"), "--json",
            str(tmp / "scores.json")]
    return BadInput("eval_detections.py", args, expected, {}, (tmp / "scores.json",))


def duplicate_video_id(bench, tmp):
    folder = _copy(bench, tmp)
    text = (folder / "annotations.json").read_text()
    record = json.dumps(json.loads(text)["database"][TRAIN_VIDEO])
    (folder / "annotations.json").write_text(
        text.replace('"database": {', f'"database": {{"{TRAIN_VIDEO}": {record}, ', 1))
    return _evaluate_against(folder, tmp, ("annotations.json", "duplicate video id",
                                           TRAIN_VIDEO))


def unknown_class_in_annotations(bench, tmp):
    folder = _copy(bench, tmp)
    _edit_annotations(folder, lambda db: db[TRAIN_VIDEO]["annotations"][0].update(label="jump"))
    return _evaluate_against(folder, tmp, ("annotations.json", TRAIN_VIDEO,
                                           "unknown class 'jump'", "class_a"))


def config_key_typo(bench, tmp):
    expected = ("OATDetector", "unexpected keyword argument 'windw'")
    return _train(bench, tmp, expected, "model.windw=16")


def _teacher_cache(bench: Path, path: Path, extra_steps: int = 0, teacher: str = "HRPro"):
    from oat.datasets.features import FeatureStore
    from onpoint_ext.teachers.cache import (
        PROVENANCE_FIELDS, CachedVideo, TeacherSegments, write_teacher_cache)

    store = FeatureStore(str(bench / "student.h5"))
    empty = TeacherSegments(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0))
    videos = [(v, CachedVideo(np.full((store.num_steps(v) + extra_steps, 4), 0.25), empty))
              for v in store.video_ids]
    provenance = {name: "n/a" for name in PROVENANCE_FIELDS if name != "format_version"}
    provenance.update(teacher_type=teacher, num_classes=3, class_names=["class_a", "class_b",
                                                                        "class_c"])
    write_teacher_cache(str(path), videos, provenance)


def _onpoint(bench: Path, tmp: Path, expected: tuple[str, ...], *options: str) -> BadInput:
    """OnPoint training on the tiny benchmark with the teacher cache ``tmp/cache.h5``."""
    work = tmp / "work"
    args = [ONPOINT, "--work-dir", str(work), "--cfg-options", "train_cfg.max_epochs=1", *options]
    env = {"BENCH_DIR": str(bench), "ONPOINT_TEACHER_CACHE": str(tmp / "cache.h5")}
    return BadInput("train.py", args, expected, env, (work / "epoch_1.pth",))


def teacher_cache_of_other_features(bench, tmp):
    _teacher_cache(bench, tmp / "cache.h5", extra_steps=3)  # made on a 3-steps-longer file
    return _onpoint(bench, tmp, ("cache.h5", "stale teacher cache", "student_features changed"))


def teacher_cache_of_other_teacher(bench, tmp):
    _teacher_cache(bench, tmp / "cache.h5", teacher="TSASPC")
    expected = ("cache.h5", "stale teacher cache", "teacher_type", "cached 'TSASPC', expected "
                "'HRPro'")
    expect_hrpro = "train_dataloader.dataset.cache_expect.teacher_type=HRPro"
    return _onpoint(bench, tmp, expected, expect_hrpro)


def _other_model_checkpoint(path: Path) -> Path:
    """An OATDetector checkpoint of another size (embed 8, 2 anchors) than the tiny config."""
    from oat.models import OATDetector

    model = OATDetector(window=16, anchors=(2, 4), num_classes=3, feat_dim=32, embed_dim=8)
    torch.save(dict(meta={}, state_dict=model.state_dict()), path)
    return path


def evaluated_checkpoint_of_another_model(bench, tmp):
    out = tmp / "results.json"
    args = [TINY, str(_other_model_checkpoint(tmp / "other.pth")), "--out", str(out),
            "--work-dir", str(tmp / "work")]
    return BadInput("test.py", args, ("other.pth", "not a checkpoint of this OATDetector",
                                      "shape mismatches"), {"BENCH_DIR": str(bench)}, (out,))


def evaluated_truncated_checkpoint(bench, tmp):
    data = _other_model_checkpoint(tmp / "model.pth").read_bytes()
    (tmp / "model.pth").write_bytes(data[:500])
    args = [TINY, str(tmp / "model.pth"), "--work-dir", str(tmp / "work")]
    return BadInput("test.py", args, ("model.pth", "not a readable checkpoint"),
                    {"BENCH_DIR": str(bench)})


def stream_checkpoint_of_another_model(bench, tmp):
    args = [TINY, str(_other_model_checkpoint(tmp / "other.pth")), str(bench / "student.h5"),
            "--video", "video_test_00000"]
    return BadInput("stream.py", args, ("other.pth", "not a checkpoint"), {"BENCH_DIR": str(bench)})


def _tiny_model_checkpoint(path: Path) -> Path:
    """An (untrained) checkpoint of the tiny config's model."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from oat.registry import MODELS

    init_default_scope("oat")
    model = MODELS.build(Config.fromfile(str(REPO / TINY)).model)
    torch.save(dict(meta={}, state_dict=model.state_dict()), path)
    return path


def stream_video_missing(bench, tmp):
    args = [TINY, str(_tiny_model_checkpoint(tmp / "tiny.pth")), str(bench / "student.h5"),
            "--video", "no_such_video"]
    return BadInput("stream.py", args, ("student.h5", "'no_such_video'", "not found in"),
                    {"BENCH_DIR": str(bench)})


def malformed_results_json(bench, tmp):
    return _evaluate_against(bench, tmp, ("results.json", "not valid json"),
                             results='{"results": {"video_test_00000": [')


def results_with_unknown_class(bench, tmp):
    detection = {"segment": [1.0, 2.0], "label": "jump", "score": 0.5}
    expected = ("results.json", "'video_test_00000'", "field 'label'", "unknown class 'jump'")
    return _evaluate_against(bench, tmp, expected,
                             results=json.dumps({"results": {"video_test_00000": [detection]}}))


def inf_in_imported_features(bench, tmp):
    (tmp / "npy").mkdir()
    np.save(tmp / "npy" / "clip_a.npy", np.ones((10, 8), np.float32))
    np.save(tmp / "npy" / "clip_b.npy", np.where(np.arange(10)[:, None] == 4, np.inf, 1.0))
    (tmp / "old.h5").write_bytes(b"an older store that must survive")
    args = [str(tmp / "npy"), str(tmp / "old.h5"), "--layout", "npy", "--steps-per-second", "5"]
    return BadInput("import_features.py", args, ("npy", "'clip_b'", "NaN/Inf", "step 4"))


def _benchmark_with_points(bench: Path, tmp: Path, row: str, expected: tuple[str, ...]):
    """make_benchmark.py on the tiny timelines with the tiny points plus ``row``."""
    (tmp / "points.csv").write_text((bench / "points.csv").read_text() + row + "\n")
    args = ["--preset", "tiny", "--out", str(tmp / "out"), "--quiet", "--timelines",
            str(bench / "annotations.json"), "--points", str(tmp / "points.csv")]
    return BadInput("make_benchmark.py", args, expected, {}, (tmp / "out",))


def point_outside_its_video(bench, tmp):
    return _benchmark_with_points(bench, tmp, f"{TRAIN_VIDEO},class_a,0,999.0",
                                  ("points.csv", TRAIN_VIDEO, "999"))


def unknown_class_in_points(bench, tmp):
    return _benchmark_with_points(bench, tmp, f"{TRAIN_VIDEO},jump,0,3.0",
                                  ("points.csv", TRAIN_VIDEO, "unknown class 'jump'"))


def our_checkpoint_converted_as_upstream(bench, tmp):
    from mmengine.logging import HistoryBuffer

    torch.save(dict(meta={}, state_dict={}, message_hub=HistoryBuffer()), tmp / "ours.pth")
    args = [str(tmp / "ours.pth"), str(tmp / "upstream.pth.tar")]
    return BadInput("convert_oat_checkpoint.py", args,
                    ("ours.pth", "not an upstream OAT checkpoint", "--reverse"), {},
                    (tmp / "upstream.pth.tar",))


CASES = [
    truncated_h5, nan_features_in_a_dataloader_worker, wrong_feature_dim,
    teacher_rate_file_as_student, video_missing_from_features, duplicate_video_id,
    unknown_class_in_annotations, config_key_typo, teacher_cache_of_other_features,
    teacher_cache_of_other_teacher, evaluated_checkpoint_of_another_model,
    evaluated_truncated_checkpoint,
    stream_checkpoint_of_another_model,
    stream_video_missing, malformed_results_json, results_with_unknown_class,
    inf_in_imported_features,
    point_outside_its_video,
    unknown_class_in_points, our_checkpoint_converted_as_upstream,
]


@pytest.mark.parametrize("make_case", CASES, ids=lambda make_case: make_case.__name__)
def test_bad_input_ends_with_one_clear_line_and_leaves_nothing_behind(
    make_case, tiny_benchmark, tmp_path, tool
):
    case = make_case(tiny_benchmark, tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = tool(case.script, *case.args, env=case.env)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0, result.stdout[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert lines and "error" in lines[-1], result.stderr[-2000:]
    missing = [fragment for fragment in case.expected if fragment not in lines[-1]]
    assert not missing, f"{missing} not in the error line: {lines[-1]}"
    assert not [p for p in case.absent if p.exists()], "partial output left behind"
    assert not list(tmp_path.rglob("*.tmp")), "temporary file left behind"
    changed = [p for p, data in before.items() if not p.exists() or p.read_bytes() != data]
    assert not changed, f"input files changed: {changed}"

