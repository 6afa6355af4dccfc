"""The built-in semi-synthetic benchmark: real timeline statistics, generated features.

``make_benchmark(out_dir, get_preset("thumos14-mini"), seed=0)`` (or ``tools/make_benchmark.py``)
writes ``annotations.json``, ``points.csv``, ``student.h5``, ``teacher.h5`` and ``meta.json``.
Modules: ``presets`` (the table), ``timelines`` (action timelines), ``latent`` (the shared latent
process), ``pre_action`` (context before an action, the ``pre-action`` generator), ``views``
(student/teacher projections), ``generator`` (both views of a video), ``probe`` and
``probe_report`` (online-vs-offline and anticipation difficulty), ``statistics``, ``writer``.
See docs/benchmark.md.
"""
from oat.datasets.synthetic.generator import FeatureGenerator
from oat.datasets.synthetic.presets import PRESETS, get_preset
from oat.datasets.synthetic.specs import BenchmarkPreset
from oat.datasets.synthetic.timelines import generate_timelines
from oat.datasets.synthetic.writer import GENERATOR_VERSION, OUTPUT_FILES, make_benchmark

__all__ = [
    "GENERATOR_VERSION",
    "OUTPUT_FILES",
    "PRESETS",
    "BenchmarkPreset",
    "FeatureGenerator",
    "generate_timelines",
    "get_preset",
    "make_benchmark",
]
