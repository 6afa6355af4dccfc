"""tools/stream.py and tools/train_osn.py end to end on a tiny model and tiny files."""
import runpy
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from oat.datasets.annotations import AnnotationSet, Segment, VideoAnnotation, write_json_atomic
from oat.datasets.features import write_feature_store
from oat.inference.suppressnet import load_suppressnet

TOOLS = Path(__file__).resolve().parents[3] / "tools"
CLASSES = ["Jump", "Run", "Throw"]


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory, kit) -> dict:
    """Config, checkpoint, annotations and features of 4 short videos (2 train, 2 test)."""
    folder = tmp_path_factory.mktemp("tiny_project")
    rng = np.random.default_rng(0)
    videos, arrays = {}, []
    for k, subset in enumerate(["train", "train", "test", "test"]):
        vid = f"video_{k}"
        videos[vid] = VideoAnnotation(vid, subset, 12.0, 30.0, [Segment(2.0, 5.0, k % 3)])
        arrays.append((vid, rng.standard_normal((30, 8)).astype(np.float32)))
    annotations = AnnotationSet(CLASSES, videos, source="tiny")
    write_json_atomic(annotations.to_activitynet(), str(folder / "annotations.json"))
    write_feature_store(str(folder / "features.h5"), arrays, 2.5, source="random")
    torch.save({"state_dict": kit.build_tiny_model().state_dict()}, folder / "oat.pth")
    files = dict(ann_file=str(folder / "annotations.json"),
                 feature_file=str(folder / "features.h5"), feat_dim=8)
    model = dict(kit.tiny_config, type="OATDetector", video_predictor=dict(
        type="OnlineVideoPredictor", postprocessor=dict(type="OnlineNMS")))
    config = folder / "tiny_config.py"
    config.write_text("\n".join([
        'default_scope = "oat"',
        f"model = {model!r}",
        "train_dataloader = dict(dataset=dict(type='OATWindowDataset', window=8, "
        f"anchors=(2, 4, 8), subset='train', holdout='all', **{files!r}))",
        f"val_dataloader = dict(dataset=dict(type='OATVideoDataset', subset='train', **{files!r}))",
        f"test_dataloader = dict(dataset=dict(type='OATVideoDataset', subset='test', **{files!r}))",
    ]))
    return dict(folder=folder, config=str(config), checkpoint=str(folder / "oat.pth"),
                features=files["feature_file"])


def run_tool(name: str, *args: str) -> int:
    """Runs tools/<name> in this process with ``args``; returns its exit code."""
    saved = sys.argv
    sys.argv = [name, *args]
    try:
        runpy.run_path(str(TOOLS / name), run_name="__main__")
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        sys.argv = saved
    return 0


def test_stream_tool_prints_each_emitted_segment_with_class_names(tiny_project, capsys):
    code = run_tool("stream.py", tiny_project["config"], tiny_project["checkpoint"],
                    tiny_project["features"], "--video", "video_2", "--duration", "12")
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if "segment" in line and "score" in line]
    assert lines and all(any(name in line for name in CLASSES) for line in lines)
    assert f"{len(lines)} segments" in out


def test_stream_tool_reports_an_unknown_video_in_one_line(tiny_project, capsys):
    code = run_tool("stream.py", tiny_project["config"], tiny_project["checkpoint"],
                    tiny_project["features"], "--video", "nope")
    err = capsys.readouterr().err
    assert code != 0 and "nope" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_train_osn_tool_writes_weights_the_osn_postprocessor_loads(tiny_project):
    out = tiny_project["folder"] / "osn" / "osn.pth"
    code = run_tool("train_osn.py", tiny_project["config"], tiny_project["checkpoint"],
                    "--out", str(out), "--epochs", "2", "--select-on", "test",
                    "--work-dir", str(tiny_project["folder"] / "work"))
    assert code == 0
    network = load_suppressnet(str(out))
    assert network.queue_length == 8  # the model's window, as upstream
    meta = torch.load(out, weights_only=True)["meta"]
    assert len(meta["history"]) == 2 and meta["select_on"] == "test"


def test_stream_tool_streams_several_files_through_one_model_and_reports_throughput(
        tiny_project, capsys):
    single = {}
    for vid in ("video_2", "video_3"):
        run_tool("stream.py", tiny_project["config"], tiny_project["checkpoint"],
                 tiny_project["features"], "--video", vid)
        single[vid] = [line for line in capsys.readouterr().out.splitlines() if "score" in line]
    more = tiny_project["folder"] / "more.h5"  # a second camera file with the same videos
    shutil.copyfile(tiny_project["features"], more)
    code = run_tool("stream.py", tiny_project["config"], tiny_project["checkpoint"],
                    tiny_project["features"], str(more), "--video", "video_2", "video_3")
    out = capsys.readouterr().out
    assert code == 0 and "4 stream(s), 120 stream-steps" in out and "stream-steps/s" in out
    for vid, lines in single.items():  # each stream prints what it prints alone, tagged
        for stem in ("features", "more"):
            assert lines and [line.split("] ", 1)[1] for line in out.splitlines()
                              if line.startswith(f"[{stem}:{vid}]")] == lines
