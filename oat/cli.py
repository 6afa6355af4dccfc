"""Shared pieces of the thin command-line tools: config loading and clean error exits."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from mmengine.config import Config, DictAction

# Errors from bad input that a tool reports as one line instead of a traceback. TypeError is
# what mmengine raises for a config key a class does not take (the message names class and key).
USER_ERRORS = (ValueError, FileNotFoundError, KeyError, OSError, TypeError)

SELECTED_ON_TEST_MARKER = "SELECTED_ON_TEST"


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """``--work-dir`` and ``--cfg-options`` as every tool takes them."""
    parser.add_argument("--work-dir", help="folder for logs and checkpoints")
    parser.add_argument(
        "--cfg-options", nargs="+", action=DictAction, default={},
        help="override config keys, e.g. train_cfg.max_epochs=1",
    )


def load_config(path: str, work_dir: str | None, options: dict) -> Config:
    """Read a config, apply overrides, and set ``work_dir`` (default ``work_dirs/<name>``)."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"config not found: {path}")
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get("work_dir") is None:
        cfg.work_dir = os.path.join("work_dirs", os.path.splitext(os.path.basename(path))[0])
    return cfg


def run_tool(main: Callable[[], None]) -> None:
    """Run ``main``; bad input ends the process with one line on stderr and exit code 1."""
    try:
        main()
    except USER_ERRORS as err:
        print(f"error: {one_line_message(err)}", file=sys.stderr)
        sys.exit(1)


def one_line_message(err: BaseException) -> str:
    """The message of a bad-input error, without a DataLoader worker's traceback.

    A DataLoader worker re-raises its error in the main process with the worker's traceback
    inside the message; the last line of that text is the original ``Type: message``.
    """
    message = str(err.args[0] if isinstance(err, KeyError) and err.args else err)
    if "Original Traceback" in message:
        original = message.strip().splitlines()[-1]
        message = original.split(": ", 1)[-1]
    return message

