"""Live streams that stop and start again: a restarted stream is a fresh stream, others go on.

(``test_streaming.py`` pins ``reset`` mid-run against a fresh detector; here the stream is
finished and reopened under the same id, and a live stream's clock and emitted list restart.)
"""
import torch

from oat.inference import StreamingDetector

RATE = 2.5  # steps per second of the live streams


def frames(seed: int, num_steps: int) -> torch.Tensor:
    return torch.randn(num_steps, 8, generator=torch.Generator().manual_seed(seed))


def detector(model, **postprocessor) -> StreamingDetector:
    return StreamingDetector(model, dict(type="OnlineNMS", **postprocessor), score_threshold=0.05,
                             steps_per_second=RATE)


def run_alone(model, features: torch.Tensor, **postprocessor) -> list[list]:
    """Per step, what a new detector emits for ``features`` as its only stream."""
    alone = detector(model, **postprocessor)
    return [alone.step(frame[None], ["s"])[0] for frame in features]


def test_a_finished_stream_reopened_under_its_id_behaves_like_a_fresh_stream(tiny_model, kit):
    shared = detector(tiny_model)
    first, second, other = frames(1, 25), frames(2, 25), frames(3, 50)
    for step in range(25):
        shared.step(torch.stack([first[step], other[step]]), ["cam", "other"])
    shared.finish("cam")
    assert shared.stream_ids == ["other"]
    restarted, continued = [], []
    for step in range(25):
        out_cam, out_other = shared.step(torch.stack([second[step], other[25 + step]]),
                                         ["cam", "other"])
        restarted.append(out_cam)
        continued.append(out_other)
    for actual, expected in zip(restarted, run_alone(tiny_model, second)):
        kit.assert_same_detections(actual, expected)
    for actual, expected in zip(continued, run_alone(tiny_model, other)[25:]):
        kit.assert_same_detections(actual, expected)
    assert sum(map(len, restarted)) > 0 and sum(map(len, continued)) > 0


def test_a_reset_live_stream_restarts_its_clock_and_may_emit_the_same_segments_again(tiny_model):
    live = detector(tiny_model, defer_future_ends=True)
    features = frames(4, 30)
    before = [d for frame in features for d in live.step(frame[None], ["cam"])[0]]
    assert len(live.postprocessor_of("cam").emitted) == len(before)
    live.reset("cam")
    assert len(live.postprocessor_of("cam").emitted) == 0
    after = [d for frame in features for d in live.step(frame[None], ["cam"])[0]]
    assert before and after == before  # same frames, nothing remembered from the first run
    assert min(d.emit_time for d in after) < max(d.emit_time for d in before)
