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
    """One student method: a display name, a training config and its overrides.

    ``group``: the method key before seeds were expanded (``onpoint`` for ``onpoint-s3``);
    ``seed``: the student seed of this run, or None for the config's own."""

    key: str
    name: str
    config: str
    cfg_options: dict = field(default_factory=dict)
    group: str | None = None
    seed: int | None = None


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


@dataclass(frozen=True)
class Seeds:
    """The three noise sources of one experiment, each seeded on its own.

    ``benchmark``: the generator's seed (None: the config's); ``teacher``: the teacher's
    ``randomness.seed`` (None: its config's); ``students``: one student run per seed for every
    method (empty: one run with each config's own seed). ``Seeds.all(s)`` is the one-seed form
    of ``--seed s``: benchmark, teacher and students all seeded with ``s``."""

    benchmark: int | None = None
    teacher: int | None = None
    students: tuple[int, ...] = ()

    @classmethod
    def all(cls, seed: int | None) -> "Seeds":
        """One seed for every source (None: every config's own)."""
        return cls() if seed is None else cls(seed, seed, (seed,))


def load_pipeline(path: str, seed: int | None = None, seeds: Seeds | None = None,
                  student_options: dict | None = None) -> PipelineSpec:
    """Read and check a pipeline config.

    ``seed`` (one run of a multi-seed experiment) overrides ``benchmark.seed`` and sets
    ``randomness.seed`` of the teacher and of every student; ``seeds`` sets the three apart
    (see ``Seeds``; its fields override ``seed``'s). With several student seeds every method
    becomes one run per seed, keyed ``<key>-s<seed>``. ``student_options`` are added to the
    config's ``student_cfg_options`` (and win over them). A method's own ``cfg_options`` still
    win; without seeds the configs' own seeds are used."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"pipeline config not found: {path}")
    seeds = _merge_seeds(Seeds.all(seed), seeds)
    cfg = Config.fromfile(path).to_dict()
    unknown = sorted(set(cfg) - set(KEYS))
    if unknown:
        raise KeyError(f"{path}: unknown fields {unknown}; expected some of {KEYS}")
    benchmark = cfg.get("benchmark")
    if benchmark is not None:
        if "preset" not in benchmark:
            raise KeyError(f"{path}: field benchmark needs 'preset' (or set benchmark = None)")
        benchmark = {"seed": 0, **benchmark}
        if seeds.benchmark is not None:
            benchmark["seed"] = seeds.benchmark
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
    teacher_seed = {} if seeds.teacher is None else {"randomness.seed": seeds.teacher}
    shared = {**(cfg.get("student_cfg_options") or {}), **(student_options or {})}
    expand = len(seeds.students) > 1
    students = [_method(path, key, value, shared, student_seed, expand)
                for key, value in methods.items() for student_seed in seeds.students or (None,)]
    if actionness is not None:
        actionness = next(m.key for m in students if m.group == actionness)
    return PipelineSpec(
        source=os.path.abspath(path),
        benchmark=benchmark,
        teacher=_method(path, "teacher", cfg.get("teacher"), teacher_seed),
        cache_split=cache.get("split", "train"),
        student_features=None if features is None else repo_path(features),
        methods=students,
        checkpoint=checkpoint,
        timeline_videos=int(report.get("timeline_videos", 3)),
        actionness_method=actionness,
        env={str(k): str(v) for k, v in (cfg.get("env") or {}).items()},
    )


def _merge_seeds(base: Seeds, override: Seeds | None) -> Seeds:
    """``base`` with every field that ``override`` sets replaced."""
    if override is None:
        return base
    if len(set(override.students)) != len(override.students):
        raise ValueError(f"student seeds repeat: {list(override.students)}")
    return Seeds(
        base.benchmark if override.benchmark is None else int(override.benchmark),
        base.teacher if override.teacher is None else int(override.teacher),
        tuple(int(s) for s in override.students) or base.students,
    )


def _method(path: str, key: str, value, shared_options: dict | None = None,
            seed: int | None = None, keyed_by_seed: bool = False) -> MethodSpec:
    """One method of the config, seeded with ``seed`` (None: its config's own seed);
    ``keyed_by_seed``: one of several seeds, keyed ``<key>-s<seed>``."""
    if not isinstance(value, dict) or "config" not in value:
        raise KeyError(f"{path}: field {key!r} needs dict(name=..., config=...)")
    if not _METHOD_KEY.match(key):
        raise ValueError(f"{path}: method key {key!r} must use only letters, digits, '_', '-'")
    extra = sorted(set(value) - {"name", "config", "cfg_options"})
    if extra:
        raise KeyError(f"{path}: field {key!r} has unknown keys {extra}")
    seeded = {} if seed is None else {"randomness.seed": int(seed)}
    options = {**seeded, **(shared_options or {}), **(value.get("cfg_options") or {})}
    name = str(value.get("name", key))
    group = key
    if keyed_by_seed:
        key, name = f"{key}-s{seed}", f"{name} (seed {seed})"
    return MethodSpec(key, name, repo_path(value["config"]), options, group=group,
                      seed=None if seed is None else int(seed))
