"""A video shorter than the window is valid input for OAT, not an error (issue 8 decision)."""
import numpy as np


def test_video_shorter_than_the_window_is_zero_padded_not_an_error(tmp_path):
    """OAT pads every window's front with zeros (oat-spec §2.1): a 6-step video with W=16 gives
    6 windows and can be streamed; refusing it would drop short real videos."""
    from oat.datasets.annotations import write_json_atomic
    from oat.datasets.features import write_feature_store
    from oat.datasets.videos import OATVideoDataset
    from oat.datasets.windows import OATWindowDataset
    from oat.models import OATDetector

    features = np.arange(1.0, 25.0, dtype=np.float32).reshape(6, 4)
    write_feature_store(str(tmp_path / "f.h5"), [("short", features)], 5.0, "test")
    record = dict(subset="train", duration=1.2, annotations=[dict(segment=[0.2, 1.0], label="a")])
    write_json_atomic(dict(classes=["a"], database=dict(short=record)), str(tmp_path / "a.json"))
    paths = dict(ann_file=str(tmp_path / "a.json"), feature_file=str(tmp_path / "f.h5"))
    windows = OATWindowDataset(**paths, window=16, anchors=(2, 4, 8, 16), feat_dim=4,
                               holdout="all")
    assert len(windows) == 6
    last = windows[5]
    np.testing.assert_array_equal(last["inputs"][:10].numpy(), np.zeros((10, 4)))
    np.testing.assert_array_equal(last["inputs"][10:].numpy(), features)
    assert last["data_samples"]["cls_target"].shape == (4, 2)
    video = OATVideoDataset(**paths, feat_dim=4, subset="train")[0]
    model = OATDetector(window=16, anchors=(2, 4, 8, 16), num_classes=1, feat_dim=4, embed_dim=8,
                        video_predictor=dict(type="OnlineVideoPredictor",
                                             postprocessor=dict(type="OnlineNMS")))
    result = model([video["inputs"]], [video["data_samples"]], mode="predict")[0]
    assert result["video_id"] == "short" and result["segments"].shape[1:] == (2,)
