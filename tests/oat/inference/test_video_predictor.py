"""OnlineVideoPredictor: batched windows give what frame-by-frame streaming emits."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from torch.testing import assert_close

from oat.inference import OnlineVideoPredictor, StreamingDetector, SuppressNet, TimeBase
from oat.models import OATDetector

NUM_STEPS, DURATION = 45, 17.3


def video_meta() -> dict:
    return dict(video_id="vid", duration=DURATION, num_steps=NUM_STEPS,
                gt_segments=np.array([[1.0, 2.0]]), gt_labels=np.array([2]))


def video_features() -> torch.Tensor:
    return torch.randn(NUM_STEPS, 8, generator=torch.Generator().manual_seed(11))


def osn_config(tmp_path) -> dict:
    torch.manual_seed(5)
    path = tmp_path / "osn.pth"
    torch.save({"state_dict": SuppressNet(16).state_dict()}, path)
    return dict(type="OATOSN", num_classes=3, checkpoint=str(path))


@pytest.mark.parametrize("kind", ["OfflineNMS", "OnlineNMS", "OATOSN", "StepNMS"])
def test_batched_video_predictor_equals_frame_by_frame_streaming(tiny_model, tmp_path, kind, kit):
    config = osn_config(tmp_path) if kind == "OATOSN" else dict(type=kind)
    predictor = OnlineVideoPredictor(config, chunk_size=7)  # several chunks, one partial
    result = predictor(tiny_model, video_features(), video_meta())
    streamed = kit.detections_array(kit.stream_video(
        StreamingDetector(tiny_model, config), video_features(), "vid",
        TimeBase(NUM_STEPS, DURATION)))
    batched = np.column_stack([result["segments"], result["labels"], result["scores"],
                               result["emit_times"]])
    assert len(batched) > 0 and batched.shape == streamed.shape
    assert_array_equal(batched[:, 2], streamed[:, 2])
    assert_close(batched, streamed, rtol=1e-5, atol=1e-5)
    assert result["video_id"] == "vid" and result["gt_labels"].tolist() == [2]


def test_the_detector_predict_mode_runs_the_configured_video_predictor(kit):
    torch.manual_seed(0)
    model = OATDetector(**kit.tiny_config, video_predictor=dict(
        type="OnlineVideoPredictor", postprocessor=dict(type="OfflineNMS")))
    model.train()
    results = model([video_features()], [video_meta()], mode="predict")
    assert results[0]["segments"].shape[1] == 2 and len(results[0]["scores"]) > 0
    assert model.training  # the predictor restores the mode it found


def test_features_that_do_not_match_num_steps_are_rejected(tiny_model):
    predictor = OnlineVideoPredictor(dict(type="OnlineNMS"))
    with pytest.raises(ValueError, match="'vid'.*num_steps=45"):
        predictor(tiny_model, video_features()[:-1], video_meta())
