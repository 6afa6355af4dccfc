"""Runner start-up: the cost of mmengine's yapf formatting of a config, uncached vs memoised.

    OMP_NUM_THREADS=1 python benchmarks/bench_config_format.py [CONFIG ...]

A Runner start reads ``Config.pretty_text`` three times (log, dumped config, meta). Printed per
config: the CPU seconds of three reads with mmengine's own ``FormatCode`` and with
``oat.compat.cached_format_code`` (installed by ``import oat``), measured in this process.
"""
import sys
import time

import mmengine.config.config as mmengine_config
from mmengine.config import Config

import oat.compat as compat

CONFIGS = ["configs/onpoint/onpoint_bench-thumos14-mini.py", "configs/oat/oat_thumos14.py"]


def three_reads(cfg: Config) -> float:
    """CPU seconds of three ``pretty_text`` reads."""
    start = time.process_time()
    for _ in range(3):
        cfg.pretty_text  # noqa: B018  (the formatting is the work)
    return time.process_time() - start


def main() -> None:
    for path in sys.argv[1:] or CONFIGS:
        cfg = Config.fromfile(path)
        mmengine_config.FormatCode = compat._yapf_format
        uncached = three_reads(cfg)
        compat._format_once.cache_clear()
        mmengine_config.FormatCode = compat.cached_format_code
        cached = three_reads(cfg)
        print(f"{path}: 3 reads {uncached:.2f} s CPU uncached, {cached:.2f} s memoised "
              f"({uncached - cached:.2f} s saved per Runner start)")


if __name__ == "__main__":
    main()
