"""The probe numbers of one generated benchmark (in memory): detection online / offline and
anticipation at several horizons, all from the linear probe of ``probe.py``.

The anticipation ratio is ``mean_h anticipation mAP(h) / online detection mAP``: the share of its
per-frame detection mAP a past-only model keeps when it predicts ``h`` seconds ahead (about 0.81
on real THUMOS'14 for h <= 2 s; docs/benchmark.md).
"""
from __future__ import annotations

import numpy as np

from oat.datasets.synthetic.generator import FeatureGenerator
from oat.datasets.synthetic.probe import context_probe, frame_map, probe_scores, step_labels
from oat.datasets.synthetic.specs import BenchmarkPreset
from oat.datasets.synthetic.timelines import generate_timelines

HORIZONS = (0.5, 1.0, 2.0)  # seconds, the range over which the real ratio is known


def probe_benchmark(
    preset: BenchmarkPreset,
    seed: int,
    span: int = 16,
    blocks: int = 4,
    horizons: tuple[float, ...] = HORIZONS,
    view: str = "student",
    l2: float = 100.0,
) -> dict[str, float]:
    """Probe one benchmark (generated timelines, ``view`` features) of ``preset`` and ``seed``.

    Returns ``context_probe``'s keys, ``anticipation_map@{h}`` per horizon (seconds, ``%g``)
    and ``anticipation_ratio``.
    """
    annotations = generate_timelines(preset, seed)
    generator = FeatureGenerator(preset, annotations, seed)
    features = {v.video_id: generator.render(v, view) for v in annotations.videos.values()}

    def data(subset: str, shift: float) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(features[v.video_id], step_labels(v, len(features[v.video_id]),
                                                   annotations.num_classes, shift))
                for v in annotations.subset(subset)]

    result = context_probe(data("train", 0.0), data("test", 0.0), span, blocks, l2)
    for h in horizons:
        scores, labels = probe_scores(data("train", h), data("test", h), span, blocks,
                                      centred=False, l2=l2)
        result[f"anticipation_map@{h:g}"] = frame_map(scores, labels)
    mean = np.mean([result[f"anticipation_map@{h:g}"] for h in horizons])
    result["anticipation_ratio"] = float(mean / result["online_map"])
    return result
