"""Many live streams through one model: batched vs per-stream online NMS (prints, asserts nothing).

    OMP_NUM_THREADS=1 python benchmarks/bench_many_streams.py [--streams 1 8 64 256]
        [--steps 200] [--rounds 3] [--paper-streams 1 8] [--paper-steps 2]

For each stream count S, two ``StreamingDetector`` s with MATR's online NMS run side by side
in this process, round-robin (so that load from other processes hits both alike):

- ``batched``: the default, decoding + online NMS of all S streams in one vectorised call;
- ``per-stream``: ``batched_postprocessing=False``, the per-stream reference (one decoder call
  and one ``OnlineNMS.step`` per stream and step, as before issue 13).

Printed per S: stream-steps/s (best round) of each, the speed-up, and the share of a step
spent after the network (decoding + post-processing, timed around ``tracks.advance``). The
network is the same in both paths, so no post-processing can speed the per-stream path up by
more than 1 / (1 - its post-processing share): that bound is printed next to the speed-up. The
SMALL model is the one of ``bench_long_streams.py`` (E 32, W 16; ~0.14 segments emitted per
stream-step); the paper-size model (E 1024, W 64, random weights made peaky like a trained
model) runs fewer streams and steps (a paper-size step costs ~0.25 s per stream here).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from oat.inference import StreamingDetector
from oat.models import OATDetector

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_long_streams import RATE, small_model  # noqa: E402


def paper_model() -> OATDetector:
    """Paper-size random model with distinct anchors and peaky class scores."""
    torch.manual_seed(0)
    model = OATDetector().eval()
    with torch.no_grad():
        model.decoder.anchor_queries.normal_()
        model.heads.classifier[2].weight.mul_(20.0)
    return model


class TimedDetector:
    """A detector whose post-network time (``tracks.advance``) is accumulated."""

    def __init__(self, model, streams: int, batched: bool) -> None:
        self.detector = StreamingDetector(model, dict(type="OnlineNMS"), steps_per_second=RATE,
                                          batched_postprocessing=batched)
        self.ids = list(range(streams))
        self.after_network = 0.0
        self.emitted = 0
        advance = self.detector.tracks.advance

        def timed_advance(*args):
            start = time.perf_counter()
            result = advance(*args)
            self.after_network += time.perf_counter() - start
            return result
        self.detector.tracks.advance = timed_advance

    def run(self, frames: torch.Tensor) -> float:
        """Steps all streams once per row of ``frames (N, S, D_in)``; returns seconds."""
        start = time.perf_counter()
        for frame in frames:
            self.emitted += sum(map(len, self.detector.step(frame, self.ids)))
        return time.perf_counter() - start


def compare(model, streams: int, steps: int, rounds: int) -> None:
    """One printed line: both paths at ``streams`` streams."""
    generator = torch.Generator().manual_seed(streams)
    frames = torch.randn(steps, streams, model.feat_dim, generator=generator)
    paths = {"batched": TimedDetector(model, streams, True),
             "per-stream": TimedDetector(model, streams, False)}
    for path in paths.values():
        path.run(frames[: max(1, steps // 10)])  # warm-up (also fills the emitted lists a bit)
    best = dict.fromkeys(paths, float("inf"))
    shares = {}
    for _ in range(rounds):
        for name, path in paths.items():
            path.after_network = 0.0
            seconds = path.run(frames)
            if seconds < best[name]:
                best[name], shares[name] = seconds, path.after_network / seconds
    rates = {name: streams * steps / seconds for name, seconds in best.items()}
    emitted = paths["batched"].emitted
    same = "same" if emitted == paths["per-stream"].emitted else "DIFFERENT"
    print(f"{streams:4d} streams: batched {rates['batched']:9.0f} stream-steps/s "
          f"(post {100 * shares['batched']:4.1f} %)  per-stream {rates['per-stream']:9.0f} "
          f"(post {100 * shares['per-stream']:4.1f} %)  speed-up "
          f"{rates['batched'] / rates['per-stream']:5.2f}x (at most "
          f"{1 / (1 - shares['per-stream']):5.2f}x with free post-processing)  "
          f"[{emitted} segments, {same} count]", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 8, 64, 256])
    parser.add_argument("--steps", type=int, default=200, help="steps per round (small model)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--paper-streams", type=int, nargs="*", default=[1, 8])
    parser.add_argument("--paper-steps", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread")
    print("SMALL model (E 32, W 16):")
    model = small_model()
    for streams in args.streams:
        compare(model, streams, max(4, args.steps * 8 // max(8, streams)), args.rounds)
    if args.paper_streams:
        print("paper-size model (E 1024, W 64, D_in 4096):")
        model = paper_model()
        for streams in args.paper_streams:
            compare(model, streams, args.paper_steps, 2)


if __name__ == "__main__":
    main()
