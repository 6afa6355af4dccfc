"""Data layer: annotations, point labels, feature stores, training windows, whole videos."""
from oat.datasets import videos, windows  # noqa: F401  (registers the datasets)
