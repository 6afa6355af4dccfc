"""Which videos a dataset uses: a subset, optionally with a held-out validation part.

OAT upstream selects its best checkpoint on the test set (oat-spec §5, quirk 9). We hold out a
deterministic fraction of the *training* videos for model selection by default; choosing on test
is possible only by pointing the validation dataloader at ``subset="test"`` explicitly.
"""
from __future__ import annotations

import hashlib

from oat.datasets.annotations import AnnotationSet, VideoAnnotation

HOLDOUT_MODES = ("all", "exclude", "only")


def select_videos(
    annotations: AnnotationSet,
    subset: str,
    holdout: str = "all",
    holdout_fraction: float = 0.1,
    holdout_seed: int = 0,
) -> list[VideoAnnotation]:
    """Videos of ``subset``; ``holdout`` = "all" (every video), "exclude" (training part) or
    "only" (the held-out validation part).

    The held-out part is the ``ceil(fraction * n)`` videos with the smallest seeded hash of their
    id, so it does not depend on file order and is the same in every process.
    """
    if holdout not in HOLDOUT_MODES:
        raise ValueError(f"holdout must be one of {HOLDOUT_MODES}, got {holdout!r}")
    videos = annotations.subset(subset)
    if not videos:
        raise ValueError(f"{annotations.source}: no video in subset {subset!r}")
    if holdout == "all":
        return videos
    if not 0.0 < holdout_fraction < 1.0:
        raise ValueError(f"holdout_fraction must be in (0, 1), got {holdout_fraction}")
    count = max(1, min(len(videos) - 1, int(-(-holdout_fraction * len(videos) // 1))))
    ranked = sorted(videos, key=lambda v: _seeded_hash(v.video_id, holdout_seed))
    held_out = {v.video_id for v in ranked[:count]}
    keep_held_out = holdout == "only"
    return [v for v in videos if (v.video_id in held_out) == keep_held_out]


def _seeded_hash(video_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{video_id}".encode()).hexdigest()
