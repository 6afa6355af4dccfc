"""Stream videos' features step by step and print each segment when it is emitted.

    python tools/stream.py CONFIG CHECKPOINT FEATURES.h5 [MORE.h5 ...] --video ID [ID ...]
        [--realtime] [--duration SECONDS] [--cfg-options ...]

One model serves every stream: each listed video of each listed feature file is one live
stream, all stepping together (one batched network call per step; streams that end drop out).
With several streams each printed line starts with ``[video]`` (``[file:video]`` when several
files are given), and the end prints the throughput (stream-steps per second).

Assumptions (documented because a live stream has no annotation file):
- Post-processing and decoding come from the model's ``video_predictor`` in the config
  (``postprocessor``, ``score_threshold``, ``class_rule``); MATR's online NMS if it has none.
- Times are seconds at the video's rate in the feature file (``steps_per_second``). With
  ``--duration`` (one stream only) the annotated duration D is used instead (``t * D / T``).
- ``--realtime`` with several streams: step ``t`` of every stream arrives at ``t / r`` seconds,
  ``r`` the highest rate among them [our choice].
- Class names: ``classes`` in the config, else ``metainfo.classes`` of the config's test
  dataset, else the class list of its ``ann_file``, else ``class_<k>``.
"""
import argparse
import sys
import time
from pathlib import Path

import torch
from mmengine.config import Config

from oat.cli import add_config_arguments, load_config, run_tool
from oat.datasets.features import FeatureStore
from oat.inference import Detection, StreamingDetector, TimeBase
from oat.inference.model_loading import load_trained_model, online_settings


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint")
    parser.add_argument("features", nargs="+", help="feature h5 file(s) (oat.datasets.features)")
    parser.add_argument("--video", nargs="+", required=True,
                        help="video id(s); each one found in a feature file is a stream")
    parser.add_argument("--realtime", action="store_true",
                        help="sleep so that steps arrive at the feature rate")
    parser.add_argument("--duration", type=float,
                        help="annotated duration in seconds (times then follow t * D / T)")
    add_config_arguments(parser)
    return parser.parse_args()


def class_names(cfg: Config, num_classes: int) -> list[str]:
    """Class names by the rule in the module docstring."""
    if cfg.get("classes"):
        return list(cfg.classes)
    dataset = cfg.get("test_dataloader", {}).get("dataset", {})
    if dataset.get("metainfo", {}).get("classes"):
        return list(dataset["metainfo"]["classes"])
    if dataset.get("ann_file"):
        from oat.datasets.readers import read_annotations

        try:
            return list(read_annotations(dataset["ann_file"], **dataset.get("ann_options", {})
                                         ).classes)
        except FileNotFoundError:
            print(f"note: {dataset['ann_file']} not found; classes shown by index",
                  file=sys.stderr)
    return [f"class_{k}" for k in range(num_classes)]


def describe(detection: Detection, names: list[str]) -> str:
    """One printed line per emitted segment."""
    return (f"{detection.emit_time:9.2f}s  {names[detection.label]:<24s} "
            f"score {detection.score:.4f}  segment {detection.start:8.2f}s - {detection.end:8.2f}s")


def open_streams(paths: list[str], videos: list[str]) -> dict:
    """``{name: (features (T, D_in) tensor, steps per second)}``, one per (file, video) found."""
    streams = {}
    for path in paths:
        store = FeatureStore(path)
        for video in videos:
            if video in store:
                name = video if len(paths) == 1 else f"{Path(path).stem}:{video}"
                streams[name] = (torch.from_numpy(store.get(video)), store.steps_per_second(video))
    missing = [video for video in videos if not any(
        name == video or name.endswith(f":{video}") for name in streams)]
    if missing:
        raise KeyError(f"video(s) {missing} not found in {paths}")
    return streams


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, None, args.cfg_options)
    model = load_trained_model(cfg, args.checkpoint)
    streams = open_streams(args.features, args.video)
    if args.duration and len(streams) > 1:
        raise ValueError(f"--duration applies to one stream, got {len(streams)} streams")
    postprocessor, decoding = online_settings(model)
    detector = StreamingDetector(model, postprocessor, **decoding)
    for name, (features, rate) in streams.items():
        detector.start(name, TimeBase(len(features), args.duration) if args.duration
                       else TimeBase.from_rate(rate))
        print(f"streaming {name}: {len(features)} steps at {rate:g} steps/s, "
              f"{type(postprocessor).__name__}")
    names = class_names(cfg, model.num_classes)
    prefix = {name: f"[{name}] " if len(streams) > 1 else "" for name in streams}
    fastest = max(rate for _, rate in streams.values())
    started, emitted, stream_steps = time.monotonic(), 0, 0
    for step in range(max(len(features) for features, _ in streams.values())):
        if args.realtime:
            time.sleep(max(0.0, started + step / fastest - time.monotonic()))
        live = [name for name, (features, _) in streams.items() if step < len(features)]
        frames = torch.stack([streams[name][0][step] for name in live])
        for name, detections in zip(live, detector.step(frames, live)):
            for detection in detections:
                print(prefix[name] + describe(detection, names), flush=True)
                emitted += 1
        stream_steps += len(live)
        for name in live:
            if step == len(streams[name][0]) - 1:
                for detection in detector.finish(name):
                    print(prefix[name] + describe(detection, names) + "  (at end of stream)")
                    emitted += 1
    elapsed = max(time.monotonic() - started, 1e-9)
    print(f"{emitted} segments; {len(streams)} stream(s), {stream_steps} stream-steps in "
          f"{elapsed:.2f} s = {stream_steps / elapsed:.0f} stream-steps/s "
          f"({1000 * elapsed / max(1, stream_steps):.1f} ms per stream-step)")


if __name__ == "__main__":
    run_tool(main)
