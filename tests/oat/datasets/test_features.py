"""Feature store: round trip, checks with clear errors, atomic writes."""
import pickle

import h5py
import numpy as np
import pytest

from oat.datasets.features import FeatureStore, write_feature_store


def tiny_videos():
    return [("v1", np.arange(12, dtype=np.float64).reshape(4, 3)), ("v2", np.ones((2, 3)))]


def test_written_store_reads_back_float32_slices_and_attrs(tmp_path):
    path = str(tmp_path / "f.h5")
    write_feature_store(path, tiny_videos(), 5.0, "unit test", "tiny",
                        per_video_rate={"v2": 4.995})
    store = FeatureStore(path)
    assert store.video_ids == ["v1", "v2"] and "v1" in store and "v3" not in store
    assert (store.feature_dim, store.num_steps("v1"), store.num_steps("v2")) == (3, 4, 2)
    assert (store.steps_per_second("v1"), store.steps_per_second("v2")) == (5.0, 4.995)
    window = store.get("v1", 1, 3)
    assert window.dtype == np.float32
    np.testing.assert_array_equal(window, [[3, 4, 5], [6, 7, 8]])
    assert store.attrs["source"] == "unit test" and store.attrs["description"] == "tiny"


def test_store_survives_pickling_for_dataloader_workers(tmp_path):
    path = str(tmp_path / "f.h5")
    write_feature_store(path, tiny_videos(), 5.0, "unit test")
    store = FeatureStore(path)
    store.get("v1")
    clone = pickle.loads(pickle.dumps(store))
    np.testing.assert_array_equal(clone.get("v2"), np.ones((2, 3), dtype=np.float32))


def test_check_rate_dim_and_videos_pass_or_name_what_differs(tmp_path):
    path = str(tmp_path / "f.h5")
    write_feature_store(path, tiny_videos(), 1.5625, "unit test")
    store = FeatureStore(path)
    store.check_rate(1.5625)
    store.check_dim(3)
    store.check_videos(["v1", "v2"])
    with pytest.raises(ValueError, match=r"f\.h5: features at 1\.5625 steps/s, but the config "
                                         r"expects 5\.0 steps/s"):
        store.check_rate(5.0)
    with pytest.raises(ValueError, match=r"f\.h5: feature dimension 3, but the config expects "
                                         r"4096"):
        store.check_dim(4096)
    with pytest.raises(ValueError, match=r"f\.h5: 2 videos of split\.txt are not in the feature "
                                         r"file, e\.g\. \['v3', 'v4'\]"):
        store.check_videos(["v1", "v3", "v4"], source="split.txt")


def test_reading_nan_features_names_file_video_and_step(tmp_path):
    path = str(tmp_path / "raw.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("v1", data=np.array([[0.0], [np.nan]], dtype=np.float32))
        f.attrs.update(steps_per_second=1.0, feature_dim=1)
    with pytest.raises(ValueError, match=r"raw\.h5: video 'v1' has NaN/Inf features at step 1"):
        FeatureStore(path).get("v1")


def test_missing_video_missing_file_and_foreign_h5_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="feature file not found"):
        FeatureStore(str(tmp_path / "none.h5"))
    path = str(tmp_path / "foreign.h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("v1", data=np.zeros((2, 2)))
    store = FeatureStore(path)
    with pytest.raises(KeyError, match=r"video 'v9' is not in the feature file"):
        store.num_steps("v9")
    with pytest.raises(ValueError, match=r"foreign\.h5: file attribute 'feature_dim' is missing"):
        store.check_dim(2)
    (tmp_path / "junk.h5").write_bytes(b"not h5")
    with pytest.raises(ValueError, match=r"junk\.h5: not a readable h5 feature file"):
        FeatureStore(str(tmp_path / "junk.h5")).video_ids


@pytest.mark.parametrize("videos, message", [
    ([("v1", np.ones((2, 3))), ("v2", np.ones((2, 4)))], r"video 'v2': feature dim 4, expected 3"),
    ([("v1", np.ones((2, 3))), ("v1", np.ones((2, 3)))], r"video 'v1' is given twice"),
    ([("v1", np.array([[1.0, np.inf]]))], r"video 'v1' has NaN/Inf features at step 0"),
    ([("v1", np.ones((0, 3)))], r"video 'v1': expected features \(T, D\) with T > 0"),
    ([("v1", np.ones(3))], r"video 'v1': expected features \(T, D\)"),
    ([("a/b", np.ones((2, 3)))], r"video id 'a/b' is empty or has a '/'"),
    ([], "no video to write"),
])
def test_bad_writes_raise_and_leave_an_existing_store_intact(tmp_path, videos, message):
    path = str(tmp_path / "f.h5")
    write_feature_store(path, tiny_videos(), 5.0, "first")
    with pytest.raises(ValueError, match=message):
        write_feature_store(path, videos, 5.0, "second")
    assert FeatureStore(path).attrs["source"] == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.h5"]
