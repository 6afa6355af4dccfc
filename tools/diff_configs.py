"""Print what config B adds, removes, changes or moves relative to config A.

    python tools/diff_configs.py A.py B.py [--json] [--no-moves] [--width 100]

Both files are resolved (``_base_``, ``{{$ENV:default}}``) but their ``custom_imports`` are not
imported. Lines: ``> a -> b`` a dict that B wraps under a new key (its differences follow under
the new key), ``~ key: old -> new``, ``+ key = value`` (B only), ``- key = value`` (A only).
``--json`` prints the same as json with dotted keys. Example (OnPoint vs vanilla OAT):

    python tools/diff_configs.py configs/oat/oat_bench-thumos14-mini.py \\
        configs/onpoint/onpoint_bench-thumos14-mini.py
"""
import argparse

from oat.cli import run_tool
from upstream.config_diff import (
    config_diff_as_json,
    diff_config_dicts,
    format_config_diff,
    load_config_dict,
)


def parse_args() -> argparse.Namespace:
    """Command-line arguments (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config_a", help="the reference config (A)")
    parser.add_argument("config_b", help="the config compared with it (B)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--no-moves", action="store_true",
                        help="report a wrapped dict as removed + added, key by key")
    parser.add_argument("--width", type=int, default=100,
                        help="added/removed dicts longer than this are listed key by key")
    return parser.parse_args()


def main() -> None:
    """Load both configs, diff them, print the report."""
    args = parse_args()
    diff = diff_config_dicts(load_config_dict(args.config_a), load_config_dict(args.config_b),
                             detect_moves=not args.no_moves)
    if args.json:
        print(config_diff_as_json(diff, args.config_a, args.config_b))
    else:
        print(format_config_diff(diff, args.config_a, args.config_b, args.width))


if __name__ == "__main__":
    run_tool(main)
