"""Probe a generated benchmark: per-frame mAP online / offline and anticipation, over seeds.

    python tools/probe_benchmark.py --preset thumos14-mini-pa --seeds 0 1 2 3 4 \
        [--generator {pre-action,plain}] [--pre-action-strength S] [--span 16] [--view student]

Generates in memory (no files), fits the linear probe of oat/datasets/synthetic/probe.py and
prints one row per seed and the mean +- std (docs/benchmark.md, "Pre-action context").
"""
import argparse
import dataclasses

import numpy as np

from oat.cli import run_tool
from oat.datasets.annotations import write_json_atomic
from oat.datasets.synthetic import PRESETS, get_preset
from oat.datasets.synthetic.presets import GENERATORS, generator_of, with_generator
from oat.datasets.synthetic.probe_report import HORIZONS, probe_benchmark


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", required=True, choices=sorted(PRESETS))
    parser.add_argument("--generator", choices=GENERATORS, help="default: the preset's own")
    parser.add_argument("--pre-action-strength", type=float,
                        help="override the pre-action strength (calibration sweeps)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--span", type=int, default=16, help="probe window in steps")
    parser.add_argument("--horizons", type=float, nargs="+", default=list(HORIZONS),
                        help="anticipation horizons in seconds")
    parser.add_argument("--view", choices=("student", "teacher"), default="student")
    parser.add_argument("--json", help="also write the per-seed results here")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    preset = with_generator(get_preset(args.preset), args.generator)
    if args.pre_action_strength is not None:
        if args.generator == "plain":
            raise ValueError("--pre-action-strength needs the pre-action generator, "
                             "not --generator plain")
        preset = with_generator(preset, "pre-action")
        pre = dataclasses.replace(preset.latent.pre_action, strength=args.pre_action_strength)
        preset = dataclasses.replace(preset, latent=dataclasses.replace(preset.latent,
                                                                         pre_action=pre))
    rows = [probe_benchmark(preset, seed, args.span, horizons=tuple(args.horizons),
                            view=args.view) for seed in args.seeds]
    keys = ["online_map", "offline_map"] + [f"anticipation_map@{h:g}" for h in args.horizons]
    keys.append("anticipation_ratio")
    print("seed  " + "  ".join(keys))
    for seed, row in zip(args.seeds, rows):
        print(f"{seed:<5} " + "  ".join(f"{row[k]:.3f}" for k in keys))
    print("mean  " + "  ".join(f"{np.mean([r[k] for r in rows]):.3f}"
                               f"+-{np.std([r[k] for r in rows]):.3f}" for k in keys))
    if args.json:
        write_json_atomic({"preset": args.preset, "generator": generator_of(preset),
                           "seeds": args.seeds, "results": rows}, args.json)


if __name__ == "__main__":
    run_tool(main)
