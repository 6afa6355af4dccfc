"""Memory of the StreamingDetector over very long live streams (prints numbers, asserts nothing).

    OMP_NUM_THREADS=1 python benchmarks/bench_long_streams.py [--steps 1000000] [--streams 64]
        [--multi-steps 10000] [--forget-after 60] [--only single|single-forget|multi]

Three scenarios, each in its own process so that its peak RSS (``VmHWM``) is its own:

- ``single``: one live stream for ``--steps`` steps, upstream online NMS (the emitted list of
  the stream is kept for ever, by spec: it grows by 16 bytes per emitted segment);
- ``single-forget``: the same with ``forget_after`` (exact forgetting of emitted segments that
  ended long ago, ``oat.inference.nms.EmittedIndex``);
- ``multi``: ``--streams`` streams stepping together for ``--multi-steps`` steps each.

Printed at 1k, 10k, 25k, 50k and every 100k steps up to 1M (and at the end): RSS and peak RSS (MiB),
segments emitted, segments held in the emitted lists, steps per second since the previous line.

The model is SMALL on purpose (D_in 16, E 32, W 16, 4 anchors, one encoder and one decoder
layer, 4 classes): the memory under test is the per-stream state, which does not depend on the
width, and a paper-size step costs about 400 ms on this CPU, so 1M steps would take days (the
small model runs 130-260 steps/s on 2 shared cores: 1M steps take one to two hours).
Input frames are drawn in chunks into one reused buffer, so the input itself holds no memory.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import torch

from oat.inference import StreamingDetector
from oat.models import OATDetector

SMALL_MODEL = dict(
    window=16, anchors=(2, 4, 8, 16), num_classes=4, feat_dim=16, embed_dim=32,
    encoder=dict(type="WindowTransformerEncoder", num_layers=1, num_heads=2, ffn_dim=64),
    decoder=dict(type="AnchorQueryDecoder", num_layers=1, num_heads=2, ffn_dim=64),
)
RATE = 5.0  # steps per second of the live streams (THUMOS student rate)
REPORT_AT = (1_000, 10_000, 25_000, 50_000, *range(100_000, 1_000_001, 100_000))
CHUNK = 4096  # input frames drawn at a time


def memory_megabytes() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc/self/status."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", float("nan")), fields.get("VmHWM", float("nan"))


def small_model() -> OATDetector:
    """The small random model; its background logit is raised so that it emits about 0.14
    segments per step on random input (0.7 per second: a busy detector, not a silent one)."""
    torch.manual_seed(0)
    model = OATDetector(**SMALL_MODEL).eval()
    with torch.no_grad():
        model.heads.classifier[2].bias[-1] += 3.0
    return model


def held_segments(detector: StreamingDetector) -> int:
    """Segments held in the emitted lists of all open streams."""
    return sum(len(detector.postprocessor_of(stream_id).emitted)
               for stream_id in detector.stream_ids)


def run_scenario(name: str, streams: int, steps: int, forget_after: float | None) -> None:
    """Step ``streams`` live streams ``steps`` times and print memory at the report steps."""
    postprocessor = dict(type="OnlineNMS", forget_after=forget_after)
    detector = StreamingDetector(small_model(), postprocessor, steps_per_second=RATE)
    ids = list(range(streams))
    frames = torch.empty(CHUNK, streams, SMALL_MODEL["feat_dim"])
    generator = torch.Generator().manual_seed(1)
    report_at = sorted({s for s in REPORT_AT if s < steps} | {steps})
    emitted, last_step, last_time = 0, 0, time.perf_counter()
    rss, peak = memory_megabytes()
    print(f"[{name}] {streams} stream(s), {steps} steps, forget_after={forget_after}: "
          f"RSS {rss:.1f} MiB before the first step", flush=True)
    for step in range(steps):
        if step % CHUNK == 0:
            torch.randn(frames.shape, generator=generator, out=frames)
        emitted += sum(map(len, detector.step(frames[step % CHUNK], ids)))
        if step + 1 in report_at:
            now = time.perf_counter()
            rss, peak = memory_megabytes()
            rate = (step + 1 - last_step) / (now - last_time)
            print(f"[{name}] step {step + 1:>9,d}: RSS {rss:7.1f} MiB  peak {peak:7.1f} MiB  "
                  f"emitted {emitted:>9,d}  held {held_segments(detector):>9,d}  "
                  f"{rate:7.0f} steps/s", flush=True)
            last_step, last_time = step + 1, now
    if forget_after is not None:
        checks = sum(detector.postprocessor_of(i).emitted.checks_before_frontier for i in ids)
        print(f"[{name}] checks that reached before a forgotten segment: {checks} "
              "(0 = every emission equals upstream's)", flush=True)


SCENARIOS = ("single", "single-forget", "multi")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1_000_000, help="single-stream steps")
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--multi-steps", type=int, default=10_000, help="steps of each stream")
    parser.add_argument("--forget-after", type=float, default=60.0,
                        help="seconds (single-forget and multi)")
    parser.add_argument("--only", choices=SCENARIOS, help="run one scenario in this process")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.only == "single":
        run_scenario("single", 1, args.steps, None)
    elif args.only == "single-forget":
        run_scenario("single-forget", 1, args.steps, args.forget_after)
    elif args.only == "multi":
        run_scenario("multi", args.streams, args.multi_steps, args.forget_after)
    else:
        print(f"torch {torch.__version__}, 1 thread; SMALL model {SMALL_MODEL} (memory, not "
              "speed: a paper-size step is ~400 ms here)", flush=True)
        for scenario in SCENARIOS:
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--only", scenario],
                           check=True)


if __name__ == "__main__":
    main()
