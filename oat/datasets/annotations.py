"""The one internal form of temporal action annotations.

Readers for the public file formats (``oat.datasets.readers``) all return an
:class:`AnnotationSet`; everything downstream (targets, teachers, evaluation) reads only this.
Times are seconds. Canonical subsets are ``"train"``, ``"val"`` and ``"test"``.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field

SUBSETS = ("train", "val", "test")


@dataclass(frozen=True)
class Segment:
    """One action instance: ``[start, end]`` seconds, ``label`` = class index (0..C-1)."""

    start: float
    end: float
    label: int


@dataclass
class VideoAnnotation:
    """One video: id, canonical subset, duration (s), native fps (None if unknown), segments."""

    video_id: str
    subset: str
    duration: float
    fps: float | None = None
    segments: list[Segment] = field(default_factory=list)


@dataclass
class AnnotationSet:
    """Videos plus a stable class list (class index = position in ``classes``).

    ``source`` names the file the set was read from, for error messages.
    """

    classes: list[str]
    videos: dict[str, VideoAnnotation]
    source: str = "<memory>"

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def subset(self, name: str) -> list[VideoAnnotation]:
        """Videos of one canonical subset, in file order."""
        if name not in SUBSETS:
            raise ValueError(f"{self.source}: unknown subset {name!r}; expected one of {SUBSETS}")
        return [v for v in self.videos.values() if v.subset == name]

    def class_index(self, name: str) -> int:
        """Index of a class name; a clear error names the file and the class."""
        try:
            return self.classes.index(name)
        except ValueError:
            raise ValueError(
                f"{self.source}: unknown class {name!r}; expected one of {self.classes}"
            ) from None

    def to_activitynet(self) -> dict:
        """ActivityNet-style json dict (seconds, class names), the format the benchmark writes."""
        database = {}
        for v in self.videos.values():
            database[v.video_id] = {
                "subset": v.subset,
                "duration": v.duration,
                "fps": v.fps,
                "annotations": [
                    {"segment": [s.start, s.end], "label": self.classes[s.label],
                     "label_id": s.label}
                    for s in v.segments
                ],
            }
        return {"version": "oat-canonical-1", "classes": list(self.classes), "database": database}


def write_json_atomic(obj, path: str) -> None:
    """Write json to ``path`` via a temp file in the same folder and ``os.replace``."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
