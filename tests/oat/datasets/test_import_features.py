"""Feature importers and tools/import_features.py on tiny files of every layout."""
import importlib.util
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from oat.cli import run_tool
from oat.datasets.features import FeatureStore
from oat.datasets.importers import LAYOUTS, import_features

TOOL = Path(__file__).resolve().parents[3] / "tools" / "import_features.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("import_features_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def streams(video_id: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct, recognisable rgb (T, 2) and flow (T, 3) arrays."""
    base = 100.0 * int(video_id[1:]) + np.arange(steps, dtype=np.float32)[:, None]
    return base + np.array([0.1, 0.2]), base + np.array([0.5, 0.6, 0.7])


def make_layout(root: Path, layout: str, lengths: dict) -> str:
    """Write a tiny source of ``layout``; ``lengths`` = {video: (T_rgb, T_flow)}."""
    root.mkdir(parents=True, exist_ok=True)
    pairs = {v: (streams(v, t_rgb)[0], streams(v, t_flow)[1]) for v, (t_rgb, t_flow) in
             lengths.items()}
    if layout == "oat-pickle":
        path = root / "feats.pickle"
        path.write_bytes(pickle.dumps({v: {"rgb": r, "flow": f, "extra": 1}
                                       for v, (r, f) in pairs.items()}))
        return str(path)
    for video_id, (rgb, flow) in pairs.items():
        if layout == "npy":
            np.save(root / f"{video_id}.npy", np.concatenate([rgb, flow], axis=1))
        elif layout == "mstcn":
            np.save(root / f"{video_id}.npy", np.concatenate([rgb, flow], axis=1).T)
        elif layout == "npy-rgb-flow":
            for name, array in [("rgb", rgb), ("flow", flow)]:
                (root / name).mkdir(exist_ok=True)
                np.save(root / name / f"{video_id}.npy", array)
        elif layout == "hat-npz":
            np.savez(root / f"{video_id}.npz", rgb=rgb, flow=flow)
    return str(root)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_imports_as_rgb_then_flow_per_step(tmp_path, layout):
    src = make_layout(tmp_path / "src", layout, {"v1": (3, 3), "v2": (5, 5)})
    out = str(tmp_path / "out.h5")
    lengths = import_features(src, out, layout, steps_per_second=5.0, dim=5)
    assert lengths == {"v1": 3, "v2": 5}
    store = FeatureStore(out)
    assert store.video_ids == ["v1", "v2"] and store.feature_dim == 5
    rgb, flow = streams("v2", 5)
    np.testing.assert_allclose(store.get("v2"), np.concatenate([rgb, flow], axis=1))
    assert store.steps_per_second("v1") == 5.0 and layout in store.attrs["source"]


@pytest.mark.parametrize("layout", ["oat-pickle", "npy-rgb-flow", "hat-npz"])
def test_two_streams_of_unequal_length_are_an_error(tmp_path, layout):
    src = make_layout(tmp_path / "src", layout, {"v1": (3, 3), "v2": (5, 4)})
    with pytest.raises(ValueError, match=r"video 'v2': rgb has 5 steps but flow has 4"):
        import_features(src, str(tmp_path / "out.h5"), layout, 5.0)


def test_wrong_dimension_and_nan_name_the_video(tmp_path):
    src = make_layout(tmp_path / "src", "npy", {"v1": (3, 3), "v2": (4, 4)})
    with pytest.raises(ValueError, match=r"video 'v1': feature dim 5, expected 4096"):
        import_features(src, str(tmp_path / "out.h5"), "npy", 5.0, dim=4096)
    bad = np.ones((4, 5))
    bad[2, 1] = np.nan
    np.save(Path(src) / "v2.npy", bad)
    with pytest.raises(ValueError, match=r"src: video 'v2' has NaN/Inf features at step 2"):
        import_features(src, str(tmp_path / "out.h5"), "npy", 5.0)


def test_listed_videos_are_imported_in_list_order_and_missing_ones_are_an_error(tmp_path):
    src = make_layout(tmp_path / "src", "hat-npz", {"v1": (2, 2), "v2": (3, 3), "v3": (1, 1)})
    out = str(tmp_path / "out.h5")
    assert list(import_features(src, out, "hat-npz", 2.0, video_ids=["v3", "v1"])) == ["v3", "v1"]
    assert FeatureStore(out).video_ids == ["v1", "v3"]
    with pytest.raises(ValueError, match=r"2 of the requested videos are missing \(layout "
                                         r"hat-npz\), e\.g\. \['v7', 'v8'\]"):
        import_features(src, out, "hat-npz", 2.0, video_ids=["v1", "v7", "v8"])


def test_tool_selects_the_videos_of_an_annotation_subset(tmp_path):
    src = make_layout(tmp_path / "src", "npy", {"v1": (2, 2), "v2": (3, 3), "v3": (1, 1)})
    database = {v: {"subset": s, "duration": 9.0, "split": 1, "annotations": []}
                for v, s in [("v1", "train"), ("v3", "train"), ("v2", "test")]}
    (tmp_path / "ann.json").write_text(json.dumps({"database": database}))
    out = str(tmp_path / "out.h5")
    load_tool().main([src, out, "--layout", "npy", "--steps-per-second", "2",
                      "--videos", str(tmp_path / "ann.json"), "--subset", "train"])
    assert FeatureStore(out).video_ids == ["v1", "v3"]


def test_tool_bad_input_prints_one_line_and_keeps_the_old_output(tmp_path, capsys):
    src = make_layout(tmp_path / "src", "npy", {"v1": (2, 2)})
    out = str(tmp_path / "out.h5")
    tool = load_tool()
    tool.main([src, out, "--layout", "npy", "--steps-per-second", "2"])
    (tmp_path / "list.txt").write_text("v1\nv9\n")
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        run_tool(lambda: tool.main([src, out, "--layout", "npy", "--steps-per-second", "2",
                                    "--videos", str(tmp_path / "list.txt")]))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "1 of the requested videos are missing" in err
    assert "Traceback" not in err
    assert FeatureStore(out).video_ids == ["v1"]


def test_unreadable_pickle_and_missing_source_are_clear_errors(tmp_path):
    (tmp_path / "bad.pickle").write_bytes(b"\x80\x04junk")
    with pytest.raises(ValueError, match=r"bad\.pickle: not a readable feature pickle"):
        import_features(str(tmp_path / "bad.pickle"), str(tmp_path / "o.h5"), "oat-pickle", 5.0)
    with pytest.raises(FileNotFoundError, match="feature folder not found"):
        import_features(str(tmp_path / "nowhere"), str(tmp_path / "o.h5"), "npy", 5.0)
    with pytest.raises(ValueError, match="unknown feature layout 'csv'"):
        import_features(str(tmp_path), str(tmp_path / "o.h5"), "csv", 5.0)
