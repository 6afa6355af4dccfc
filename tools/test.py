"""Evaluate a checkpoint on the test split through the streaming engine.

    python tools/test.py CONFIG CHECKPOINT [--out results.json] [--metrics-out metrics.json]
        [--work-dir D] [--cfg-options ...]

Every test video is run online (the model's video predictor), then scored by the config's
test evaluator (mAP at tIoU 0.1..0.7, averages, AEDT, emission delay median / p90).
"""
import argparse
import os

from mmengine.runner import Runner

from oat.cli import SELECTED_ON_TEST_MARKER, add_config_arguments, load_config, run_tool
from oat.datasets.annotations import write_json_atomic
from oat.models.weights import load_model_weights


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    parser.add_argument("checkpoint")
    parser.add_argument("--out", help="write the emitted segments as an ActivityNet results json")
    parser.add_argument("--metrics-out", help="write the metrics dict as json")
    add_config_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not os.path.isfile(args.checkpoint):
        raise FileNotFoundError(f"checkpoint not found: {args.checkpoint}")
    cfg = load_config(args.config, args.work_dir, args.cfg_options)
    cfg.load_from = None  # Runner loads non-strictly: another model's weights would pass
    if args.out:
        evaluator = cfg.test_evaluator
        (evaluator[0] if isinstance(evaluator, list) else evaluator)["out_file"] = args.out
    marker = os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), SELECTED_ON_TEST_MARKER)
    if os.path.exists(marker):
        print("WARNING: this checkpoint was selected on the TEST split (upstream OAT protocol); "
              "its test numbers are optimistic.")
    runner = Runner.from_cfg(cfg)
    load_model_weights(getattr(runner.model, "module", runner.model), args.checkpoint)
    metrics = runner.test()
    if args.metrics_out:
        write_json_atomic({k: float(v) for k, v in metrics.items()}, args.metrics_out)


if __name__ == "__main__":
    run_tool(main)
