"""Select gamma (L_ant's weight) without any ground-truth segment, as the paper's "tune only
gamma" asks.

    ONPOINT_TEACHER_CACHE=work_dirs/.../teacher_cache.h5 python benchmarks/select_gamma.py \
        configs/onpoint/onpoint_bench-thumos14-mini.py --cache work_dirs/.../teacher_cache.h5 \
        --work-dir work_dirs/select_gamma [--gammas 0 0.1 0.3 1.0] [--cfg-options k=v ...]

Protocol. The OnPoint configs already train on the training videos minus a held-out part
(``holdout="exclude"``; the validation dataloader reads the held-out part, ``holdout="only"``).
For each gamma: ``tools/train.py`` with ``model.loss_weights.ant=gamma``, then ``tools/test.py``
on the last checkpoint, predicting online on the HELD-OUT TRAINING videos, scored against the
teacher's pseudo segments of those videos (``tools/export_pseudo_annotations.py``). The
validation during training reads the same pseudo file, so no ground-truth segment of any video
reaches training, checkpointing or selection.

Why pseudo segments, not the point labels [our choice]: the score must be the one the method is
judged by (online mAP over tIoU thresholds), and mAP needs extents; a point has none, so scoring
against points would reward hitting action centres, not boundaries. The teacher's segments are
what L_ins itself trains on, so this picks the gamma that best reproduces the teacher online on
unseen videos. Its bias: it cannot reward a student that becomes better than its teacher.

Each run's metrics land in ``<work-dir>/gamma_<g>/metrics.json``; a run whose metrics exist is
skipped (rerun the command to resume), a run without them is trained again from scratch. The
table (every average mAP and mAP@0.5 per gamma, best by ``--metric`` marked) is printed and
written to ``<work-dir>/select_gamma.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from mmengine.config import Config

from oat.datasets.annotations import write_json_atomic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPLIT_KEYS = ("holdout_fraction", "holdout_seed")  # which videos are held out


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", help="an OnPoint config (trains on train minus held-out)")
    parser.add_argument("--cache", required=True, help="the teacher cache the config reads")
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--gammas", type=float, nargs="+", default=[0.0, 0.1, 0.3, 1.0])
    parser.add_argument("--metric", default=None,
                        help="selection key of the metrics (default: the first avg_* key)")
    parser.add_argument("--cfg-options", nargs="+", default=[],
                        help="extra key=value overrides for training and testing")
    return parser.parse_args(argv)


def run(command: list[str], env: dict) -> None:
    """Run one tool in its own process; a failure stops the selection with its command."""
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def training_dataset(cfg: Config) -> tuple[str, dict]:
    """``(dotted key, dict)`` of the dataset that holds the training videos' split fields:
    ``train_dataloader.dataset``, or the one a wrapper (``WithTeacherTargets``) holds."""
    key, dataset = "train_dataloader.dataset", cfg.train_dataloader.dataset
    while "holdout" not in dataset and isinstance(dataset.get("dataset"), dict):
        key, dataset = key + ".dataset", dataset["dataset"]
    if "holdout" not in dataset:
        raise KeyError(f"{cfg.filename}: no training dataset with a 'holdout' field under "
                       "train_dataloader.dataset")
    return key, dataset


def held_out_options(cfg: Config, pseudo: str) -> list[str]:
    """--cfg-options: train on the training videos minus the held-out part (even when the
    config trains on all of them), and test (and validate, if the config does) on the
    held-out part, scored against the pseudo file."""
    key, train = training_dataset(cfg)
    split = {k: train[k] for k in SPLIT_KEYS if k in train}
    options = [f"{key}.holdout=exclude", f"test_dataloader.dataset.ann_file={pseudo}",
               f"test_dataloader.dataset.subset={train.get('subset', 'train')}",
               "test_dataloader.dataset.holdout=only"]
    options += [f"test_dataloader.dataset.{k}={v}" for k, v in split.items()]
    if cfg.get("val_dataloader") is not None:
        options.append(f"val_dataloader.dataset.ann_file={pseudo}")
    return options


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint named by mmengine's ``last_checkpoint`` pointer in ``work_dir``."""
    pointer = os.path.join(work_dir, "last_checkpoint")
    if not os.path.isfile(pointer):
        raise FileNotFoundError(f"{work_dir}: no last_checkpoint (training did not finish)")
    with open(pointer) as f:
        return os.path.join(work_dir, os.path.basename(f.read().strip()))


def gamma_run(args, gamma: float, options: list[str], env: dict) -> dict:
    """Train and test one gamma (or read its finished metrics); returns the metrics dict."""
    run_dir = os.path.join(args.work_dir, f"gamma_{gamma:g}")
    metrics = os.path.join(run_dir, "metrics.json")
    if os.path.isfile(metrics):
        print(f"gamma={gamma:g}: finished, reading {metrics}")
    else:
        common = [f"model.loss_weights.ant={gamma}", *options, *args.cfg_options]
        run([sys.executable, "tools/train.py", args.config, "--work-dir",
             os.path.join(run_dir, "train"), "--cfg-options", *common], env)
        checkpoint = last_checkpoint(os.path.join(run_dir, "train"))
        partial = metrics + ".partial"
        run([sys.executable, "tools/test.py", args.config, checkpoint, "--work-dir",
             os.path.join(run_dir, "test"), "--metrics-out", partial, "--cfg-options", *common],
            env)
        os.replace(partial, metrics)
    with open(metrics) as f:
        return json.load(f)


def table(results: dict[str, dict], metric: str) -> list[str]:
    """Markdown rows: gamma, each avg_* key and mAP@0.5, the best by ``metric`` marked."""
    keys = [k for k in next(iter(results.values())) if k.startswith("avg") or k == "mAP@0.5"]
    best = max(results, key=lambda g: results[g][metric])
    lines = ["| gamma | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for gamma, values in results.items():
        mark = " (selected)" if gamma == best else ""
        lines.append(f"| {gamma}{mark} | " + " | ".join(f"{100 * values[k]:.2f}" for k in keys)
                     + " |")
    return lines


def main(argv=None) -> dict:
    args = parse_args(argv)
    env = {**os.environ, "ONPOINT_TEACHER_CACHE": os.path.abspath(args.cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    os.environ["ONPOINT_TEACHER_CACHE"] = env["ONPOINT_TEACHER_CACHE"]
    cfg = Config.fromfile(args.config)
    os.makedirs(args.work_dir, exist_ok=True)
    pseudo = os.path.abspath(os.path.join(args.work_dir, "pseudo_train.json"))
    _, train = training_dataset(cfg)
    run([sys.executable, "tools/export_pseudo_annotations.py", "--cache", args.cache,
         "--ann-file", train.ann_file, "--subset", train.get("subset", "train"), "--out", pseudo],
        env)
    options = held_out_options(cfg, pseudo)
    results = {f"{g:g}": gamma_run(args, g, options, env) for g in args.gammas}
    metric = args.metric or next(k for k in next(iter(results.values())) if k.startswith("avg"))
    lines = table(results, metric)
    print("\n".join(lines))
    summary = dict(metric=metric, selected=max(results, key=lambda g: results[g][metric]),
                   scored_against="teacher pseudo segments of the held-out training videos",
                   results=results)
    write_json_atomic(summary, os.path.join(args.work_dir, "select_gamma.json"))
    return summary


if __name__ == "__main__":
    main()
