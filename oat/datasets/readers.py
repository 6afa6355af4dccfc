"""Reading any public temporal-action annotation file into an AnnotationSet: the entry point.

:func:`read_annotations` picks one reader per format, by :func:`detect_format` from the file
itself; the readers are in :mod:`oat.datasets.json_formats` and :mod:`oat.datasets.epic_csv`.
The formats:

- ``oat-json``: OAT's ``thumos14_v2.json`` (oat-spec §1.1); subsets ``train``/``test``.
- ``activitynet-json``: ActivityNet style (HR-Pro's ``gt_full.json``). Subsets
  ``Validation``->train and ``Test``->test (THUMOS words), ``training``->train,
  ``validation``->val, ``testing``->test (ActivityNet words); ``subset_map=`` overrides.
- ``lacp-json``: LACP's ``gt.json``; segment bounds are strings and there is no duration or fps.
  Pass ``durations=`` (a ``{video: seconds}`` mapping, or the path of another annotation file
  such as ``gt_full.json``); a video without a duration is an error naming it. fps comes from
  ``fps=`` (mapping or path), else ``fps_dict.json`` beside the file, else the durations file.
- ``hat-json``: HAT's EGTEA split files (OAT's layout plus a ``split`` field, unused).
- ``canonical-json``: :meth:`AnnotationSet.to_activitynet` output; classes from its ``classes``.
- ``epic-csv``: EPIC-Kitchens-100 CSV, see :func:`oat.datasets.epic_csv.read_epic_csv`.

Common options: ``classes`` (fixed class list; default: sorted names, oat-spec §1.2),
``out_of_video`` and ``end_tolerance`` (see :mod:`oat.datasets.annotations`). Every error names
the file, the video and the field.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from oat.datasets.annotations import AnnotationSet, read_json_checked
from oat.datasets.epic_csv import read_epic_csv
from oat.datasets.json_formats import ACTIVITYNET_SUBSETS, JSON_READERS, require_database

FORMATS = (*JSON_READERS, "epic-csv")  # every name ``fmt=`` accepts


def read_annotations(path: str, fmt: str = "auto", **options) -> AnnotationSet:
    """Read any supported annotation file into an :class:`AnnotationSet`.

    Args:
        path: the annotation file.
        fmt: ``"auto"`` (detect from the content) or one of :data:`FORMATS`.
        **options: format options (``classes``, ``out_of_video``, ``end_tolerance``,
            ``subset_map``, ``durations``, ``fps``, EPIC's ``task``/``subset``/...).
    """
    path = str(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"annotation file not found: {path}")
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"{path}: unknown annotation format {fmt!r}; expected one of {FORMATS}")
    if path.lower().endswith(".csv"):
        if fmt not in ("auto", "epic-csv"):
            raise ValueError(f"{path}: a CSV file can only be read as 'epic-csv', not {fmt!r}")
        return read_epic_csv(path, **options)
    data = read_json_checked(path)
    fmt = detect_format(data, path) if fmt == "auto" else fmt
    return JSON_READERS[fmt](data, path, **options)


def detect_format(data: Mapping, path: str) -> str:
    """The format name of a parsed annotation json (see the module docstring)."""
    database = require_database(data, path)
    if "classes" in data:
        return "canonical-json"
    record = next(iter(database.values()))
    if not isinstance(record, Mapping):
        raise ValueError(f"{path}: 'database' must map video ids to objects")
    annotations = record.get("annotations") or [{}]
    if "duration" not in record:
        return "lacp-json"
    if "duration_frame" in record or "labelIndex" in annotations[0]:
        return "oat-json"
    if "split" in record:
        return "hat-json"
    if record.get("subset") in ACTIVITYNET_SUBSETS or "version" in data:
        return "activitynet-json"
    raise ValueError(
        f"{path}: cannot tell the annotation format from its content; pass fmt= one of {FORMATS}"
    )
