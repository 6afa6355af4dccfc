"""StreamingDetector: ring buffer, causality, several streams in one batch, reset."""
import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from torch.testing import assert_close

from oat.inference import OATOSN, StreamingDetector, SuppressNet, TimeBase
from oat.inference.cached_decode import CachedFirstLayerDecode
from oat.inference.streaming import ProjectedRings

NUM_STEPS, DURATION = 30, 12.0
TIMEBASE = TimeBase(NUM_STEPS, DURATION)


def postprocessor_configs():
    torch.manual_seed(3)
    return [dict(type="OnlineNMS"), OATOSN(num_classes=3, network=SuppressNet(16)),
            dict(type="OfflineNMS")]


def features(seed: int, num_steps: int = NUM_STEPS) -> torch.Tensor:
    return torch.randn(num_steps, 8, generator=torch.Generator().manual_seed(seed))


def expected_window(newest: int) -> np.ndarray:
    values = np.arange(newest - 2, newest + 1)
    return np.where(values < 1, -1, values)


def test_rings_hold_each_slots_last_window_oldest_first_and_start_filled():
    rings = ProjectedRings(torch.tensor([-1.0]), window=3)
    for slot in (0, 1, 2):
        rings.clear(slot)
    both = torch.tensor([0, 2])
    assert_array_equal(rings.windows(both).flatten().numpy(), [-1] * 6)
    storage = rings._buffer.data_ptr()
    for value in range(1, 8):
        rings.push(both, torch.tensor([[float(value)], [10.0 * value]]))
        windows = rings.windows(both)[..., 0].numpy()
        assert_array_equal(windows[0], expected_window(value))
        assert_array_equal(windows[1], np.where(expected_window(value) < 0, -1,
                                                10 * expected_window(value)))
    assert_array_equal(rings.windows(torch.tensor([1])).flatten().numpy(), [-1, -1, -1])
    rings.clear(2)  # a restarted slot starts filled again, the others keep their frames
    assert_array_equal(rings.windows(both)[1].flatten().numpy(), [-1, -1, -1])
    assert_array_equal(rings.windows(both)[0].flatten().numpy(), expected_window(7))
    # bounded: 2W rows per slot (slots grow by doubling), whatever the stream length
    assert rings._buffer.shape == (4, 6, 1) and rings._buffer.data_ptr() == storage


@pytest.mark.parametrize("postprocessor", postprocessor_configs())
def test_several_streams_in_one_batch_equal_each_stream_alone(tiny_model, postprocessor, kit):
    videos = {"a": features(1), "b": features(2), "c": features(3)}
    alone = {vid: kit.stream_video(StreamingDetector(tiny_model, postprocessor), x, vid, TIMEBASE)
             for vid, x in videos.items()}
    together = StreamingDetector(tiny_model, postprocessor)
    emitted = {vid: [] for vid in videos}
    for vid in videos:
        together.start(vid, TIMEBASE)
    for step in range(NUM_STEPS):
        ids = list(videos) if step % 4 else ["b", "a", "c"]  # order within a batch is free
        batch = torch.stack([videos[vid][step] for vid in ids])
        for vid, detections in zip(ids, together.step(batch, ids)):
            emitted[vid] += detections
    for vid in videos:
        emitted[vid] += together.finish(vid)
        kit.assert_same_detections(emitted[vid], alone[vid])
    assert sum(len(found) for found in alone.values()) > 0


def test_emissions_depend_only_on_the_past_and_are_stamped_with_their_step(tiny_model):
    prefix = features(4, 20)
    varied = torch.cat([prefix, features(5, 10)])
    detector = StreamingDetector(tiny_model, dict(type="OnlineNMS"))
    detector.start("x", TIMEBASE)
    detector.start("y", TIMEBASE)
    emitted = {"x": [], "y": []}
    for step in range(NUM_STEPS):
        now = float(TIMEBASE.to_seconds(step))
        x_step, y_step = detector.step(torch.stack([features(4)[step], varied[step]]), ["x", "y"])
        for vid, detections in (("x", x_step), ("y", y_step)):
            assert all(d.emit_time == round(now, 2) and d.end <= d.emit_time for d in detections)
            emitted[vid].append(detections)
    assert emitted["x"][:20] == emitted["y"][:20]
    assert sum(len(step) for step in emitted["x"]) > 0


def test_reset_restarts_one_stream_without_touching_the_others(tiny_model, kit):
    detector = StreamingDetector(tiny_model, dict(type="OnlineNMS"), steps_per_second=2.5)
    fresh = StreamingDetector(tiny_model, dict(type="OnlineNMS"), steps_per_second=2.5)
    uninterrupted = StreamingDetector(tiny_model, dict(type="OnlineNMS"), steps_per_second=2.5)
    first, second = features(6), features(7, 10 + NUM_STEPS)
    for step in range(10):  # stream "a" runs a while, then restarts from its first frame
        detector.step(torch.stack([first[step], second[step]]), ["a", "b"])
        uninterrupted.step(second[step][None], ["b"])
    detector.reset("a")
    for step in range(NUM_STEPS):
        out_a, out_b = detector.step(torch.stack([first[step], second[10 + step]]), ["a", "b"])
        kit.assert_same_detections(out_a, fresh.step(first[step][None], ["a"])[0])
        kit.assert_same_detections(out_b, uninterrupted.step(second[10 + step][None], ["b"])[0])


def test_unknown_streams_need_a_rate_or_an_explicit_start(tiny_model):
    detector = StreamingDetector(tiny_model, dict(type="OnlineNMS"))
    with pytest.raises(KeyError, match="was not started"):
        detector.step(features(1)[:1], ["live"])
    with pytest.raises(ValueError, match="only once per call"):
        detector.start("a", TIMEBASE)
        detector.step(features(1)[:2], ["a", "a"])


def test_cached_first_decoder_block_equals_the_decoder_and_follows_weight_changes(kit):
    model = kit.build_tiny_model(seed=1)
    with torch.no_grad():
        model.decoder.anchor_queries.normal_()  # trained queries are not zero
    cached = CachedFirstLayerDecode(model.decoder)
    memory = torch.randn(4, 8, 16)
    with torch.inference_mode():
        assert_close(cached(memory), model.decode(memory), rtol=1e-5, atol=1e-6)
    model.load_state_dict(kit.build_tiny_model(seed=2).state_dict())
    with torch.inference_mode():
        assert_close(cached(memory), model.decode(memory), rtol=1e-5, atol=1e-6)
