"""Stream one video's features step by step and print each segment when it is emitted.

    python tools/stream.py CONFIG CHECKPOINT FEATURES.h5 --video ID [--realtime]
        [--duration SECONDS] [--cfg-options ...]

Assumptions (documented because a live stream has no annotation file):
- Post-processing and decoding come from the model's ``video_predictor`` in the config
  (``postprocessor``, ``score_threshold``, ``class_rule``); MATR's online NMS if it has none.
- Times are seconds at the video's rate in the feature file (``steps_per_second``). With
  ``--duration`` the annotated duration D is used instead (``t * D / T``, as in evaluation).
- Class names: ``classes`` in the config, else ``metainfo.classes`` of the config's test
  dataset, else the class list of its ``ann_file``, else ``class_<k>``.
"""
import argparse
import sys
import time

import torch
from mmengine.config import Config

from oat.datasets.features import FeatureStore
from oat.engine.cli import add_config_arguments, load_config, run_tool
from oat.inference import Detection, StreamingDetector, TimeBase
from oat.inference.model_loading import load_trained_model, online_settings


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint")
    parser.add_argument("features", help="feature h5 (oat.datasets.features layout)")
    parser.add_argument("--video", required=True, help="video id in the feature file")
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


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, None, args.cfg_options)
    model = load_trained_model(cfg, args.checkpoint)
    store = FeatureStore(args.features)
    features = torch.from_numpy(store.get(args.video))
    rate = store.steps_per_second(args.video)
    timebase = (TimeBase(len(features), args.duration) if args.duration
                else TimeBase.from_rate(rate))
    postprocessor, decoding = online_settings(model)
    detector = StreamingDetector(model, postprocessor, **decoding)
    detector.start(args.video, timebase)
    names = class_names(cfg, model.num_classes)
    print(f"streaming {args.video}: {len(features)} steps at {rate:g} steps/s, "
          f"{type(postprocessor).__name__}")
    started, emitted = time.monotonic(), 0
    for step, frame in enumerate(features):
        if args.realtime:
            time.sleep(max(0.0, started + step / rate - time.monotonic()))
        for detection in detector.step(frame[None], [args.video])[0]:
            print(describe(detection, names), flush=True)
            emitted += 1
    for detection in detector.finish(args.video):
        print(describe(detection, names) + "  (at end of stream)")
        emitted += 1
    elapsed = time.monotonic() - started
    print(f"{emitted} segments; {1000 * elapsed / max(1, len(features)):.1f} ms per step")


if __name__ == "__main__":
    run_tool(main)
