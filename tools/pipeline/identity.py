"""What a pipeline stage's result depends on: file identities, resolved configs, fingerprints.

A stage is skipped when its fingerprint is unchanged. The fingerprint hashes everything that
can change the stage's outputs: the tool and its arguments, the resolved config (``Config.
fromfile`` with the stage's environment, so ``{{$VAR:default}}`` values are included, after
``--cfg-options``), the stage's environment variables, the identity of every existing file the
config or the arguments name, and the results of the upstream stages.

Resolved config text [our choice]: the sorted json of ``cfg.to_dict()`` rather than
``cfg.pretty_text``: the same resolved values, but ``pretty_text`` runs yapf, about 1 s per
config on this machine, for every stage on every run.

File identity [our choice]: files up to :data:`HASHED_FILE_LIMIT` bytes are identified by the
sha256 of their bytes (configs, annotations, points, checkpoints, the benchmark's features);
larger files by size and modification time, plus, for h5 feature stores, the attrs / video /
shape identity of the teacher cache's provenance (``feature_file_identity``). Reading a real
feature file of several GB on every run would cost more than the stages it guards.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence

from mmengine.config import Config
from mmengine.logging import MMLogger

from onpoint_ext.teachers.cache import feature_file_identity, file_sha256, text_sha256

HASHED_FILE_LIMIT = 64 * 2**20
H5_SUFFIXES = (".h5", ".hdf5")


def file_identity(path: str) -> str:
    """Identity of one file: ``sha256:<hex>`` of its bytes, or size/mtime(/h5 layout) if large."""
    size = os.path.getsize(path)
    if size <= HASHED_FILE_LIMIT:
        return "sha256:" + file_sha256(path)
    stat = os.stat(path)
    identity = f"size:{size},mtime_ns:{stat.st_mtime_ns}"
    if path.lower().endswith(H5_SUFFIXES):
        identity += ",h5:" + feature_file_identity(path)
    return identity


@contextlib.contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """Temporarily set environment variables (what a stage's subprocess will see)."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_RESOLVING = threading.Lock()


def resolve_config(path: str, env: Mapping[str, str], options: Mapping | None = None) -> Config:
    """``Config.fromfile`` under ``env`` with ``options`` merged, as the stage's tool reads it."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"config not found: {path}")
    # One at a time: the process environment and the logger level are shared by the
    # pipeline's stage threads, and each call changes both for a moment.
    with _RESOLVING:
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)  # not one "Using env variable ..." line per config
        try:
            with environment(env):
                cfg = Config.fromfile(path)
        finally:
            logger.setLevel(level)
    if options:
        cfg.merge_from_dict(dict(options))
    return cfg


def config_text(cfg: Config) -> str:
    """Canonical text of a resolved config: sorted json of its values."""
    return json.dumps(cfg.to_dict(), sort_keys=True, default=repr)


def consumed_entries(cfg: Config) -> dict:
    """The parts of a resolved config a tool reads: every dict- or list-valued top-level entry
    (model, dataloaders, evaluators, hooks, ...) and ``load_from``.

    Other top-level strings are variables the config file used to build those entries (e.g.
    ``teacher_cache = ...`` kept by a baseline that sets its dataset's ``cache=None``); a file
    they name is not an input unless an entry uses it too.
    """
    return {key: value for key, value in cfg.to_dict().items()
            if isinstance(value, (dict, list, tuple)) or key == "load_from"}


def strings_in(value) -> Iterator[str]:
    """Every string inside nested dicts, lists and tuples (config values, arguments)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


def input_files(values, exclude_dirs: Sequence[str] = ()) -> dict[str, str]:
    """Existing files named by any string in ``values`` -> their identity.

    Paths under one of ``exclude_dirs`` (the stage's own outputs) are left out: a stage must
    not depend on what it writes itself.
    """
    excluded = [os.path.abspath(d) + os.sep for d in exclude_dirs]
    found = {}
    for text in strings_in(values):
        if len(text) > 4096 or "\n" in text or not os.path.isfile(text):
            continue
        path = os.path.abspath(text)
        if not any(path.startswith(prefix) for prefix in excluded):
            found[path] = file_identity(path)
    return dict(sorted(found.items()))


def fingerprint(parts: Mapping[str, object]) -> str:
    """sha256 of a json-serialisable description of a stage's inputs (keys sorted)."""
    return text_sha256(json.dumps(parts, sort_keys=True, default=str))
