"""Data layer: annotations, point labels, feature stores, training windows, whole videos."""
from oat.datasets import samplers, videos, windows  # noqa: F401  (registers them)
