"""Point labels (one timestamp + class per action instance) in one canonical form.

Canonical CSV columns: ``video_id,class,class_index,time`` (``time`` in seconds). Readers for
public layouts (LACP's CSV) and the Gaussian sampler produce :class:`PointLabel` lists.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass

CANONICAL_COLUMNS = ("video_id", "class", "class_index", "time")


@dataclass(frozen=True)
class PointLabel:
    """One labelled timestamp: ``time`` seconds, ``label`` class index (0..C-1)."""

    video_id: str
    time: float
    label: int


def write_points_csv(path: str, points: list[PointLabel], classes: list[str]) -> None:
    """Write points in the canonical CSV, atomically (temp file, then rename)."""
    tmp = f"{path}.tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    try:
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(CANONICAL_COLUMNS)
            for p in points:
                writer.writerow([p.video_id, classes[p.label], p.label, repr(float(p.time))])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_points_csv(path: str, classes: list[str]) -> list[PointLabel]:
    """Read a canonical points CSV; class names must be in ``classes``."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"point label file not found: {path}")
    points = []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = set(CANONICAL_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}; expected {CANONICAL_COLUMNS}")
        for row_no, row in enumerate(reader, start=2):
            name = row["class"]
            if name not in classes:
                raise ValueError(f"{path}:{row_no}: video {row['video_id']!r}: unknown class {name!r}")
            points.append(PointLabel(row["video_id"], float(row["time"]), classes.index(name)))
    return points
