"""Checked reads of single values from parsed annotation records (json objects, CSV rows).

Shared by every annotation reader so that a missing, repeated or non-numeric field fails the
same way: a ValueError that names where it is (``where`` = file, video, annotation, field).
"""
from __future__ import annotations

import math
from collections.abc import Mapping


def require_field(obj: Mapping, name: str, where: str):
    """``obj[name]``; a ValueError if it is missing or given twice (a json object with a
    repeated key, as parsed by :func:`oat.datasets.annotations.read_json_checked`)."""
    if name not in obj:
        raise ValueError(f"{where}: missing field {name!r}")
    if name in getattr(obj, "duplicates", ()):
        raise ValueError(f"{where}: field {name!r} is given twice")
    return obj[name]


def parse_seconds(value, where: str) -> float:
    """A finite number of seconds from a json number or numeric string."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds):
        raise ValueError(f"{where}: expected a finite number of seconds, got {value!r}")
    return seconds
