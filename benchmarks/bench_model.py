"""Speed of OAT's model and anchor targets on this machine (prints numbers, asserts nothing).

    OMP_NUM_THREADS=1 python benchmarks/bench_model.py

1. Analytic FLOPs (2 x multiply-adds) of one paper-size window forward.
2. This process's matmul throughput (the "FLOP floor" divides FLOPs by it).
3. Eval forward time of the paper-size model at batch 1 and 16, and its ratio to the floor.
4. Training windows/s (forward + backward + Adam) at a small size.
5. Anchor targets for a THUMOS-sized train set (real annotations when ../shared/data exists,
   steps at 5 per second).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from oat.datasets.targets import anchor_targets
from oat.models import OATDetector

PAPER = dict(window=64, feat_dim=4096, embed_dim=1024, ffn_dim=2048, num_anchors=6,
             num_classes=20, encoder_layers=3, decoder_layers=5)
THUMOS_JSON = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "thumos14" / (
    "oat_thumos14_v2.json")


def window_forward_macs(window: int, feat_dim: int, embed_dim: int, ffn_dim: int,
                        num_anchors: int, num_classes: int, encoder_layers: int,
                        decoder_layers: int) -> dict[str, int]:
    """Multiply-adds of one window forward, per stage (matmuls only; norms/softmax ignored)."""
    w, e, f, a = window, embed_dim, ffn_dim, num_anchors
    self_attention_w = 4 * w * e * e + 2 * w * w * e  # q,k,v,out projections + scores + mix
    encoder_layer = self_attention_w + 2 * w * e * f
    decoder_layer = (4 * a * e * e + 2 * a * a * e  # self-attention among the anchors
                     + 2 * a * e * e + 2 * w * e * e + 2 * a * w * e  # cross: q,out + k,v of W
                     + 2 * a * e * f)
    heads = a * (2 * e * e + e * (num_classes + 1) + e * 2)
    return dict(projection=w * feat_dim * e // 2, encoder=encoder_layers * encoder_layer,
                decoder=decoder_layers * decoder_layer, heads=heads)


def matmul_flops_per_second(size: int = 1024, repeats: int = 5) -> float:
    """Best-of-``repeats`` FLOP/s of a ``size``-cubed fp32 matmul in this process."""
    left, right = torch.randn(size, size), torch.randn(size, size)
    torch.mm(left, right)
    best = min(seconds_of(lambda: torch.mm(left, right)) for _ in range(repeats))
    return 2 * size**3 / best


def seconds_of(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_eval_forward(model: OATDetector, batch: int, repeats: int) -> float:
    """Median seconds of one eval forward of ``batch`` paper-size windows."""
    windows = torch.randn(batch, model.window, model.feat_dim)
    with torch.inference_mode():
        model(windows)
        return float(np.median([seconds_of(lambda: model(windows)) for _ in range(repeats)]))


def bench_training(batch: int, steps: int) -> float:
    """Training windows/s at a small size (E=256, D_in=512), Adam, dropout on."""
    model = OATDetector(feat_dim=512, embed_dim=256).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
    windows = torch.randn(batch, model.window, model.feat_dim)
    cls_target = torch.zeros(batch, len(model.anchors), model.num_classes + 1)
    cls_target[..., 0] = 1.0
    targets = dict(cls_target=cls_target, reg_target=torch.zeros(batch, len(model.anchors), 2))

    def step() -> None:
        optimizer.zero_grad()
        losses = model(windows, targets, mode="loss")
        sum(losses.values()).backward()
        optimizer.step()

    step()
    return batch * steps / sum(seconds_of(step) for _ in range(steps))


def thumos_like_videos() -> list[tuple[np.ndarray, int]]:
    """(gt_steps, T) per THUMOS train video at 5 steps/s; synthetic when data is absent."""
    if THUMOS_JSON.is_file():
        database = json.loads(THUMOS_JSON.read_text())["database"]
        classes = sorted({a["label"] for v in database.values() for a in v["annotations"]})
        videos = []
        for record in database.values():
            if record["subset"] != "train":
                continue
            steps = max(1, round(record["duration"] * 5))
            rate = steps / record["duration"]
            gt = [[a["segment"][0] * rate, a["segment"][1] * rate, classes.index(a["label"])]
                  for a in record["annotations"]]
            videos.append((np.asarray(gt, dtype=np.float64).reshape(-1, 3), steps))
        return videos
    rng = np.random.default_rng(0)
    videos = []
    for _ in range(200):  # STATS.md: 753 steps and 8 instances per video (medians)
        steps = int(rng.integers(200, 2000))
        starts = rng.uniform(0, steps, 15)
        lengths = rng.lognormal(np.log(14.5), 0.83, 15)
        videos.append((np.stack([starts, starts + lengths, rng.integers(0, 20, 15)], 1), steps))
    return videos


def main() -> None:
    """Runs every measurement and prints one line per number."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")

    macs = window_forward_macs(**PAPER)
    flops = 2 * sum(macs.values())
    shares = ", ".join(f"{k} {2 * v / 1e9:.3f}" for k, v in macs.items())
    print(f"paper-size window forward: {flops / 1e9:.3f} GFLOP ({shares})")
    peak = matmul_flops_per_second()
    print(f"matmul throughput (1024^3 fp32): {peak / 1e9:.1f} GFLOP/s")

    torch.manual_seed(0)
    model = OATDetector().eval()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    for batch in (1, 16):
        seconds = bench_eval_forward(model, batch, args.repeats)
        floor = batch * flops / peak
        print(f"eval forward batch {batch:2d}: {seconds * 1e3:8.1f} ms = {batch / seconds:7.1f} "
              f"windows/s; FLOP floor {floor * 1e3:.1f} ms; ratio {seconds / floor:.2f}")
    del model

    print(f"training (E=256, D_in=512, W=64, batch 32): "
          f"{bench_training(batch=32, steps=args.repeats):.1f} windows/s")

    videos = thumos_like_videos()
    total_steps = sum(steps for _, steps in videos)
    seconds = seconds_of(lambda: [anchor_targets(gt, steps, (4, 8, 16, 32, 48, 64), 20)
                                for gt, steps in videos])
    source = "real THUMOS train annotations" if THUMOS_JSON.is_file() else "synthetic"
    print(f"anchor targets, {len(videos)} videos / {total_steps:,} steps ({source}): "
          f"{seconds:.2f} s = {total_steps / seconds / 1e3:.0f}k steps/s")


if __name__ == "__main__":
    main()
