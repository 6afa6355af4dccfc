"""The pipeline config (``configs/pipelines/*.py``): what to build, train, evaluate and report.

A pipeline config is an mmengine text config with these keys (paths relative to the repository
root unless absolute; ``{work_dir}`` and ``{bench_dir}`` in ``env`` values are filled in)::

    benchmark = dict(preset="thumos14-mini", seed=0)  # or None: real data, no benchmark stage
    teacher = dict(name="HR-Pro", config="configs/teachers/...py", cfg_options=dict())
    teacher_cache = dict(split="train", student_features=None)  # None: the benchmark's
    methods = dict(onpoint=dict(name="OnPoint", config="configs/onpoint/...py",
                                cfg_options=dict()), ...)       # key -> student method
    student_cfg_options = dict()  # --cfg-options of every method (a shared schedule); a
                                  # method's own cfg_options win
    evaluate = dict(checkpoint="last")  # "last" or "best" (the run's best_*.pth)
    report = dict(timeline_videos=3, actionness_method="onpoint")
    env = dict()  # extra environment variables of every stage (e.g. real data paths)
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
PIPELINE_CONFIGS = REPO_ROOT / "configs" / "pipelines"
KEYS = ("benchmark", "teacher", "teacher_cache", "methods", "student_cfg_options", "evaluate",
        "report", "env")
CHECKPOINT_CHOICES = ("last", "best")
_METHOD_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class MethodSpec:
    """One student method: a display name, a training config and its overrides."""

    key: str
    name: str
    config: str
    cfg_options: dict = field(default_factory=dict)


@dataclass
class PipelineSpec:
    """A parsed pipeline config with absolute paths (see the module docstring)."""

    source: str
    benchmark: dict | None
    teacher: MethodSpec
    cache_split: str
    student_features: str | None
    methods: list[MethodSpec]
    checkpoint: str
    timeline_videos: int
    actionness_method: str | None
    env: dict[str, str]


def preset_config(preset: str) -> str:
    """``configs/pipelines/bench-<preset>.py``; a clear error lists the existing presets."""
    path = PIPELINE_CONFIGS / f"bench-{preset}.py"
    if not path.is_file():
        known = sorted(p.stem[len("bench-"):] for p in PIPELINE_CONFIGS.glob("bench-*.py"))
        raise FileNotFoundError(f"no pipeline config for preset {preset!r} ({path}); "
                                f"presets with one: {known}")
    return str(path)


def repo_path(path: str) -> str:
    """An absolute path; relative ones are taken from the repository root."""
    return path if os.path.isabs(path) else str(REPO_ROOT / path)


def load_pipeline(path: str, seed: int | None = None) -> PipelineSpec:
    """Read and check a pipeline config.

    ``seed`` (one run of a multi-seed experiment) overrides ``benchmark.seed`` and sets
    ``randomness.seed`` of the teacher and of every student (a method's own ``cfg_options``
    still win); without it the configs' own seeds are used."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"pipeline config not found: {path}")
    cfg = Config.fromfile(path).to_dict()
    unknown = sorted(set(cfg) - set(KEYS))
    if unknown:
        raise KeyError(f"{path}: unknown fields {unknown}; expected some of {KEYS}")
    benchmark = cfg.get("benchmark")
    if benchmark is not None:
        if "preset" not in benchmark:
            raise KeyError(f"{path}: field benchmark needs 'preset' (or set benchmark = None)")
        benchmark = {"seed": 0, **benchmark}
        if seed is not None:
            benchmark["seed"] = seed
    cache = dict(cfg.get("teacher_cache") or {})
    features = cache.get("student_features")
    if features is None and benchmark is None:
        raise KeyError(f"{path}: field teacher_cache.student_features is needed without a "
                       "benchmark")
    methods = cfg.get("methods") or {}
    if not methods:
        raise KeyError(f"{path}: field methods is empty; name at least one student method")
    evaluate, report = dict(cfg.get("evaluate") or {}), dict(cfg.get("report") or {})
    checkpoint = evaluate.get("checkpoint", "last")
    if checkpoint not in CHECKPOINT_CHOICES:
        raise ValueError(f"{path}: field evaluate.checkpoint is {checkpoint!r}, expected one of "
                         f"{CHECKPOINT_CHOICES}")
    actionness = report.get("actionness_method")
    if actionness is not None and actionness not in methods:
        raise KeyError(f"{path}: field report.actionness_method {actionness!r} is not one of the "
                       f"methods {sorted(methods)}")
    seeded = {} if seed is None else {"randomness.seed": int(seed)}
    return PipelineSpec(
        source=os.path.abspath(path),
        benchmark=benchmark,
        teacher=_method(path, "teacher", cfg.get("teacher"), seeded),
        cache_split=cache.get("split", "train"),
        student_features=None if features is None else repo_path(features),
        methods=[_method(path, key, value, {**seeded, **(cfg.get("student_cfg_options") or {})})
                 for key, value in methods.items()],
        checkpoint=checkpoint,
        timeline_videos=int(report.get("timeline_videos", 3)),
        actionness_method=actionness,
        env={str(k): str(v) for k, v in (cfg.get("env") or {}).items()},
    )


def _method(path: str, key: str, value, shared_options: dict | None = None) -> MethodSpec:
    if not isinstance(value, dict) or "config" not in value:
        raise KeyError(f"{path}: field {key!r} needs dict(name=..., config=...)")
    if not _METHOD_KEY.match(key):
        raise ValueError(f"{path}: method key {key!r} must use only letters, digits, '_', '-'")
    extra = sorted(set(value) - {"name", "config", "cfg_options"})
    if extra:
        raise KeyError(f"{path}: field {key!r} has unknown keys {extra}")
    return MethodSpec(key, str(value.get("name", key)), repo_path(value["config"]),
                      {**(shared_options or {}), **(value.get("cfg_options") or {})})
