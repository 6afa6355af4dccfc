"""Train a model from a config with mmengine's Runner, unchanged.

    python tools/train.py CONFIG [--work-dir D] [--resume [CKPT]] [--amp]
        [--cfg-options k=v ...] [--launcher none|pytorch] [--select-on-test]

Several processes: ``torchrun --nproc_per_node=N tools/train.py CONFIG --launcher pytorch``.
On CPU-only torch we start a gloo process group ourselves (mmengine's launcher would call
``torch.cuda.set_device``), then Runner skips its own set-up.
"""
import argparse
import os

from mmengine.runner import Runner

from oat.cli import SELECTED_ON_TEST_MARKER, add_config_arguments, load_config, run_tool
from oat.compat import finish_distributed, init_cpu_distributed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config")
    add_config_arguments(parser)
    parser.add_argument("--resume", nargs="?", const="auto", default=None,
                        help="resume from CKPT, or from the work dir's last checkpoint")
    parser.add_argument("--amp", action="store_true", help="mixed precision (AmpOptimWrapper)")
    parser.add_argument("--launcher", choices=["none", "pytorch"], default="none")
    parser.add_argument(
        "--select-on-test", action="store_true",
        help="upstream OAT's protocol: choose the best checkpoint on the TEST split (biased)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.work_dir, args.cfg_options)
    cfg.launcher = args.launcher
    if args.launcher == "pytorch" and init_cpu_distributed():
        cfg.model_wrapper_cfg = dict(type="MMDistributedDataParallel", device_ids=None)
    if args.resume == "auto":
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.amp:
        cfg.optim_wrapper.type = "AmpOptimWrapper"
    if args.select_on_test:
        _select_on_test(cfg)
    Runner.from_cfg(cfg).train()
    finish_distributed()


def _select_on_test(cfg) -> None:
    """Point validation at the test split and leave a marker that reports repeat."""
    dataset = cfg.val_dataloader.dataset
    dataset.subset, dataset.holdout = "test", "all"
    os.makedirs(cfg.work_dir, exist_ok=True)
    with open(os.path.join(cfg.work_dir, SELECTED_ON_TEST_MARKER), "w") as f:
        f.write("checkpoint selection used the TEST split (upstream OAT protocol)\n")


if __name__ == "__main__":
    run_tool(main)
