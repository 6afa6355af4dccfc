"""The parameter records of the semi-synthetic benchmark (what a preset is made of).

Frozen dataclasses, so a preset is a value: ``dataclasses.asdict`` of it goes into ``meta.json``
as the complete list of parameters. The table of presets is in ``presets.py``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class LogNormal:
    """``ln X ~ N(ln median, sigma^2)``, clipped to ``[low, high]`` (``high=None``: no bound)."""

    median: float
    sigma: float
    low: float = 0.0
    high: float | None = None

    def sample(self, rng: np.random.Generator, size: int | None = None, scale: float = 1.0):
        """Draw ``size`` values (a float when ``size`` is None); ``scale`` multiplies the median."""
        values = self.median * scale * np.exp(self.sigma * rng.standard_normal(size))
        return np.clip(values, self.low, math.inf if self.high is None else self.high)


@dataclass(frozen=True)
class Companion:
    """A class that comes with another one, overlapping it (THUMOS' nested cross-class pairs).

    ``mode="inside"``: each ``first`` instance lies inside a ``second`` instance (CliffDiving
    inside Diving). ``mode="follows"``: a ``second`` instance starts near the end of the ``first``
    one, overlapping it about half of the time (CricketBowling then CricketShot).
    """

    first: str
    second: str
    mode: str
    probability: float


@dataclass(frozen=True)
class TimelineStats:
    """Distributions a timeline is drawn from (seconds).

    A video is a renewal process: lead-in, then instance, gap, instance, ... until the video
    ends. ``instance_duration.sigma`` is the within-class spread; each class gets its own median
    (spread ``class_duration_spread`` in ln s). Each video scales its gaps by a log-normal factor
    (``video_rate_spread``), which gives the real spread of instances per minute.
    ``class_mixing="single"``: one main class per video (THUMOS), a second one with
    ``extra_class_probability``. ``"dense"``: every instance draws its class from per-video
    weights, ``global weight * Gamma(class_concentration)`` (EGTEA).
    """

    video_duration: LogNormal
    instance_duration: LogNormal
    class_duration_spread: float
    gap: LogNormal
    video_rate_spread: float
    lead_in: LogNormal
    adjacent_overlap: float = 0.0
    class_mixing: str = "single"
    extra_class_probability: float = 0.05
    class_concentration: float = 1.0


@dataclass(frozen=True)
class PreActionSpec:
    """Context before each instance starts (approach, run-up, set-up), see ``pre_action.py``.

    Class-informative but not yet the action: its frames stay background in the labels. It lasts
    ``duration`` seconds (cut at the end of the previous instance and at the video start) and
    ramps up in ``ramp_pieces`` constant steps to ``strength`` times an instance amplitude.
    Confusable classes share ``shared`` of its variance (their run-ups look alike).
    """

    strength: float
    duration: LogNormal = LogNormal(2.5, 0.5, low=0.5, high=6.0)
    shared: float = 0.6
    ramp_pieces: int = 4


@dataclass(frozen=True)
class LatentSpec:
    """The shared latent process (see ``latent.py``); durations in seconds.

    Each instance has an onset, a body and an offset phase. Onset and offset each last
    ``phase_fraction`` of the instance, within ``[phase_min, phase_max]``. Confusable classes share
    their onset and ``shared_body`` of their body variance; offsets are class-specific.
    ``distractor_rate`` onset-only events per action instance sit in the background.
    ``pre_action``: context before each instance (None: none, the ``plain`` generator).
    """

    background_dims: int = 6
    action_dims: int = 32
    phase_fraction: float = 0.25
    phase_min: float = 0.3
    phase_max: float = 1.5
    shared_body: float = 0.6
    instance_amplitude_sigma: float = 0.3
    instance_style: float = 0.5
    distractor_rate: float = 0.5
    action_scale: float = 0.9
    offset_scale: float = 0.5
    drift_scale: float = 0.4
    drift_tau: float = 20.0
    pre_action: PreActionSpec | None = None


@dataclass(frozen=True)
class StreamSpec:
    """One stream of a view (see ``views.py`` for the formula).

    Own AR(1) noise: correlation time ``noise_tau`` s, scale ``noise_scale``, a rank-``noise_rank``
    part plus an isotropic part. ``background_weight`` scales the scene part (flow sees less scene
    than rgb). Per-dimension bias ``N(bias_mean, bias_spread^2)`` sets the mean level;
    ``zero_level`` is the softplus level below which a value reads 0 (post-ReLU sparsity).
    """

    name: str
    dim: int
    noise_tau: float
    noise_scale: float
    background_weight: float
    zero_level: float
    bias_mean: float = -2.0
    bias_spread: float = 0.5
    noise_rank: int = 2


@dataclass(frozen=True)
class ViewSpec:
    """One feature view: steps per second and its streams, concatenated in order (rgb, flow)."""

    rate: float
    streams: tuple[StreamSpec, ...]

    @property
    def dim(self) -> int:
        """Total feature dimension ``D`` (sum of the stream dims)."""
        return sum(s.dim for s in self.streams)


def two_stream(rate: float, dim_per_stream: int) -> ViewSpec:
    """THUMOS-like layout: first half "rgb" (smooth), second half "flow" (rougher, sparser).

    The stream numbers reproduce STATS.md §8 (measured values in docs/benchmark.md): element mean
    about 0.21 / 0.16, share > 0 0.98 / 0.87, lag-1 autocorrelation 0.6 / 0.33 (rgb / flow).
    """
    return ViewSpec(
        rate,
        (
            StreamSpec("rgb", dim_per_stream, noise_tau=0.25, noise_scale=0.7,
                       background_weight=1.0, zero_level=0.01, bias_mean=-1.9),
            StreamSpec("flow", dim_per_stream, noise_tau=0.1, noise_scale=0.8,
                       background_weight=0.6, zero_level=0.03, bias_mean=-2.2),
        ),
    )


@dataclass(frozen=True)
class BenchmarkPreset:
    """Everything one benchmark is generated from, except the seed.

    ``class_weights`` are relative instance frequencies. ``suggested_window`` / ``anchors`` are
    the OAT settings of the matching real dataset (STATS.md §0), recorded for configs.
    """

    name: str
    description: str
    classes: tuple[str, ...]
    class_weights: tuple[float, ...]
    num_train: int
    num_test: int
    timeline: TimelineStats
    student: ViewSpec
    teacher: ViewSpec
    native_fps: float
    suggested_window: int
    suggested_anchors: tuple[int, ...]
    confusable_pairs: tuple[tuple[str, str], ...] = ()
    companions: tuple[Companion, ...] = ()
    latent: LatentSpec = field(default_factory=LatentSpec)

    def __post_init__(self):
        if list(self.classes) != sorted(set(self.classes)):
            raise ValueError(
                f"preset {self.name!r}: classes must be unique and sorted (oat-spec §1.2)"
            )
        if len(self.class_weights) != len(self.classes):
            raise ValueError(f"preset {self.name!r}: one class weight per class expected")
