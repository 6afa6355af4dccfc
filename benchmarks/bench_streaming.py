"""Streaming inference speed and memory on this machine (prints numbers, asserts nothing).

    OMP_NUM_THREADS=1 python benchmarks/bench_streaming.py [--rounds 5] [--long-steps 2000]

1. Floors of one streaming step at paper size (D_in 4096, E 1024, C 20, W 64, 6 anchors).
   FLOP floor: analytic FLOPs of what a step must compute (ONE frame's projection, the
   encoder, the decoder, the heads: the W-1 older frames are already projected) divided by
   this process's dense matmul FLOP/s (1024^3 fp32). Roofline: the same, except that the
   matmuls with a few rows per stream (the new frame's projection, the anchor side of the
   decoder and heads) take at least the time to read their weights at the bandwidth a 6-row
   linear layer reaches on a 64 MiB weight. Both re-measured before every timed round.
2. Per-step latency at batch 1: ``StreamingDetector`` (ring of projected frames + cached
   first decoder block), the same without the decoder cache, and a plain eval forward of a
   whole (1, W, D_in) window; each as a multiple of the floor (the plain forward's floor also
   counts the projection of all W frames).
3. Throughput with 8 and 32 streams stepping together: seconds per step / (S x floor).
4. Memory over a long stream (smaller model, same code path): RSS sampled along the stream.
5. ``--profile N``: where a batch-1 step's time goes (torch.profiler over N steps): the share
   of CPU time in dense matmul kernels, i.e. what no change outside the matmuls can win.

Measurements run round-robin and each round is divided by the floor measured just before it,
so that load from other processes on a shared machine affects both alike.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

from oat.inference import StreamingDetector
from oat.models import OATDetector

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_model import (  # noqa: E402
    PAPER,
    matmul_flops_per_second,
    seconds_of,
    window_forward_macs,
)


def step_flops(**sizes) -> tuple[float, float]:
    """(FLOPs of one streaming step, FLOPs of a plain whole-window forward)."""
    macs = window_forward_macs(**sizes)
    whole = 2 * sum(macs.values())
    return whole - 2 * macs["projection"] * (sizes["window"] - 1) / sizes["window"], whole


def weight_bound_part(**sizes) -> tuple[float, float]:
    """(multiply-adds, weight bytes) per stream of a step's matmuls with few rows per stream.

    The new frame's projection (1 row) and the anchor side of the decoder and heads (A rows:
    self-attention, cross-attention query and output projections, FFN, heads) read a weight
    matrix for a handful of rows, so at small batch their time is set by memory bandwidth,
    not FLOPs. A linear layer's weight holds as many elements as it has multiply-adds per row.
    """
    macs = window_forward_macs(**sizes)
    e, f, a = sizes["embed_dim"], sizes["ffn_dim"], sizes["num_anchors"]
    frame = macs["projection"] / sizes["window"]
    anchor = sizes["decoder_layers"] * (6 * e * e + 2 * e * f) + macs["heads"] / a
    return frame + a * anchor, 4.0 * (frame + anchor)


def weight_streaming_bytes_per_second(rows: int = 6, size: int = 4096, repeats: int = 5) -> float:
    """Best-of-``repeats`` bytes/s at which a ``rows``-row fp32 linear layer reads a
    ``size`` x ``size`` weight (64 MiB at 4096: far larger than the caches)."""
    inputs, weight = torch.randn(rows, size), torch.randn(size, size)
    torch.nn.functional.linear(inputs, weight)
    best = min(seconds_of(lambda: torch.nn.functional.linear(inputs, weight))
               for _ in range(repeats))
    return 4.0 * size * size / best


def roofline_seconds(streams: int, peak: float, bandwidth: float, **sizes) -> float:
    """Lower bound of one step of ``streams`` streams: each matmul takes at least its FLOPs at
    ``peak`` FLOP/s, and the few-row ones at least their weight bytes at ``bandwidth`` B/s."""
    step, _ = step_flops(**sizes)
    few_row_macs, weight_bytes = weight_bound_part(**sizes)
    compute_bound = streams * (step - 2 * few_row_macs) / peak
    return compute_bound + max(streams * 2 * few_row_macs / peak, weight_bytes / bandwidth)


def resident_megabytes() -> float:
    """Current resident set size of this process (Linux /proc), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def interleaved_ratios(steps: dict, floors: dict, rounds: int) -> dict:
    """Per-round (seconds, x FLOP floor, x roofline) of each named step function, round-robin.

    Every round first re-measures the matmul FLOP/s and the weight-streaming bandwidth, so each
    time is compared with floors taken under the same load (the machine is shared).
    ``steps[name]()`` runs one step; ``floors[name] = (FLOPs, streams)`` of a streaming step
    (``streams`` None: no roofline, e.g. for a plain whole-window forward).
    """
    for step in steps.values():
        step()  # warm-up
    results = {name: [] for name in steps}
    for _ in range(rounds):
        peak = matmul_flops_per_second(repeats=2)
        bandwidth = weight_streaming_bytes_per_second(repeats=2)
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            seconds = time.perf_counter() - start
            flops, streams = floors[name]
            roofline = (roofline_seconds(streams, peak, bandwidth, **PAPER)
                        if streams else float("nan"))
            results[name].append((seconds, seconds / (flops / peak), seconds / roofline))
    return {name: np.asarray(values) for name, values in results.items()}


def streaming_step(model, streams: int, cached_decode: bool = True):
    """A function that runs one step of ``streams`` streams stepping together."""
    detector = StreamingDetector(model, dict(type="OnlineNMS"), steps_per_second=5.0)
    if not cached_decode:
        detector.runner._decode = model.decode  # ablation: the model's own decoder
    ids = list(range(streams))
    frames = torch.randn(streams, model.feat_dim)
    return lambda: detector.step(frames, ids)


def plain_forward_step(model):
    """A function that runs an eval forward of one whole (1, W, D_in) window."""
    window = torch.randn(1, model.window, model.feat_dim)

    def step():
        with torch.inference_mode():
            model(window)
    return step


def report(results: dict) -> None:
    """One line per measurement: ms per step, multiples of the FLOP floor and the roofline."""
    for name, values in results.items():
        seconds, flop_ratios, roofline_ratios = values.T
        roofline = (f"  x roofline: best {roofline_ratios.min():.2f} median "
                    f"{np.median(roofline_ratios):.2f}" if np.isfinite(roofline_ratios).all()
                    else "")
        print(f"{name:<40s} best {seconds.min() * 1e3:8.1f} ms  x FLOP floor: best "
              f"{flop_ratios.min():.2f} median {np.median(flop_ratios):.2f}{roofline}", flush=True)


MATMUL_OPS = ("aten::addmm", "aten::mm", "aten::_addmm_activation", "aten::bmm", "aten::matmul")


def matmul_time_share(step, steps: int) -> tuple[float, list[tuple[str, float]]]:
    """(share of self CPU time in dense matmul kernels, the 5 costliest ops and their shares)
    over ``steps`` calls of ``step`` under ``torch.profiler``."""
    from torch.profiler import ProfilerActivity, profile

    step()  # warm-up
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    self_us = {event.key: event.self_cpu_time_total for event in prof.key_averages()}
    total = sum(self_us.values())
    top = sorted(self_us.items(), key=lambda item: -item[1])[:5]
    share = sum(self_us.get(op, 0.0) for op in MATMUL_OPS) / total
    return share, [(name, us / total) for name, us in top]


def long_stream_memory(steps: int) -> None:
    """RSS along a long stream of a smaller model (E 256, D_in 1024, W 64, 20 classes)."""
    torch.manual_seed(0)
    model = OATDetector(feat_dim=1024, embed_dim=256).eval()
    with torch.no_grad():  # like a trained model: distinct anchors, peaky class scores
        model.decoder.anchor_queries.normal_()
        model.heads.classifier[2].weight.mul_(20.0)
    detector = StreamingDetector(model, dict(type="OnlineNMS"), steps_per_second=5.0)
    frames = torch.randn(steps, 1, model.feat_dim)
    samples, emitted = [], 0
    for step in range(steps):
        emitted += len(detector.step(frames[step], ["live"])[0])
        if step % (steps // 10) == 0 or step == steps - 1:
            samples.append((step, resident_megabytes()))
    print(f"long stream ({steps} steps, E=256, {emitted} segments emitted): RSS MiB at steps "
          + ", ".join(f"{step}: {rss:.1f}" for step, rss in samples))
    after_warmup = [rss for step, rss in samples if step >= steps // 10]
    print(f"  RSS growth after the first 10% of the stream: "
          f"{after_warmup[-1] - after_warmup[0]:+.1f} MiB (max {max(after_warmup):.1f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds at batch 1")
    parser.add_argument("--long-steps", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile N batch-1 streaming steps (0: skip)")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    long_stream_memory(args.long_steps)

    stream_flops, window_flops = step_flops(**PAPER)
    print(f"streaming step {stream_flops / 1e9:.3f} GFLOP; whole-window forward "
          f"{window_flops / 1e9:.3f} GFLOP; matmul throughput (1024^3 fp32) "
          f"{matmul_flops_per_second() / 1e9:.1f} GFLOP/s now")
    few_row_macs, weight_bytes = weight_bound_part(**PAPER)
    print(f"of which few-row matmuls (new frame's projection, anchor side of decoder and heads):"
          f" {2 * few_row_macs / 1e9:.3f} GFLOP reading {weight_bytes / 2**20:.0f} MiB of weights"
          f" per step; weight streaming (6-row linear, 64 MiB weight) "
          f"{weight_streaming_bytes_per_second() / 1e9:.1f} GB/s now")
    torch.manual_seed(0)
    model = OATDetector().eval()
    single = dict(
        streaming=streaming_step(model, 1),
        streaming_without_decoder_cache=streaming_step(model, 1, cached_decode=False),
        plain_eval_forward_of_a_window=plain_forward_step(model),
    )
    floors = dict(streaming=(stream_flops, 1), streaming_without_decoder_cache=(stream_flops, 1),
                  plain_eval_forward_of_a_window=(window_flops, None))
    print("batch 1 (one stream):")
    report(interleaved_ratios(single, floors, args.rounds))
    if args.profile:
        share, top = matmul_time_share(single["streaming"], args.profile)
        print(f"profile of {args.profile} batch-1 streaming steps: {100 * share:.1f} % of CPU "
              "time in dense matmul kernels; costliest ops: "
              + ", ".join(f"{name} {100 * part:.1f} %" for name, part in top))
    for streams, rounds in ((8, 3), (32, 2)):
        print(f"{streams} streams stepping together (times are per step of all streams):")
        name = f"streaming_{streams}_streams"
        report(interleaved_ratios({name: streaming_step(model, streams)},
                                  {name: (streams * stream_flops, streams)}, rounds))


if __name__ == "__main__":
    main()
