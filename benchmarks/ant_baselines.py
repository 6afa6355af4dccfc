"""How hard is L_ant? Two baselines that need no model, computed on a teacher cache.

    python benchmarks/ant_baselines.py work_dirs/teachers/hrpro.h5 --horizon 16

For every video and every end step ``t`` of the cache, the target is OnPoint's own
(``onpoint_ext.heads.anticipation.anticipation_target``: class c exceeds 0.5 in the teacher CAS
of steps ``t+1 .. t+W'``). Two predictors, each fitted on the same cache (an upper bound on how
well they do on unseen videos):

- ``prior``: a constant per-class probability, the fraction of steps whose target has class c;
- ``persistence``: "the class active now continues": ``P(y_c = 1 | teacher CAS_c(t) > 0.5)`` and
  ``P(y_c = 1 | not)``, i.e. the best probabilities for the two cases.

Printed per predictor: L_ant (binary cross-entropy summed over classes, mean over steps: the
same number as the unweighted ``loss_ant`` a student logs) and the per-class accuracy at 0.5.
A student's ``loss_ant / gamma`` above the prior's means it learned nothing about the future.
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from onpoint_ext.heads.anticipation import anticipation_target
from onpoint_ext.teachers.cache import TeacherCache

PROB_CLIP = 1e-6


def targets_and_present(cas: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """One video's CAS (T, C+1) -> targets (T, C) and "active now" (T, C), both 0/1 float."""
    targets = np.stack([anticipation_target(cas, t, horizon) for t in range(len(cas))])
    return targets, (cas[:, :-1] > 0.5).astype(np.float32)


def bce(probs: np.ndarray, targets: np.ndarray) -> float:
    """Binary cross-entropy (N, C), summed over classes, mean over rows."""
    p = np.clip(probs, PROB_CLIP, 1.0 - PROB_CLIP)
    return float(-(targets * np.log(p) + (1 - targets) * np.log(1 - p)).sum(axis=1).mean())


def baselines(targets: np.ndarray, present: np.ndarray) -> dict[str, dict[str, float]]:
    """targets, present (N, C) -> {predictor: {"l_ant", "accuracy"}} for prior and persistence."""
    prior = np.broadcast_to(targets.mean(axis=0), targets.shape)
    hit = [(targets * (present == v)).sum(0) / np.maximum((present == v).sum(0), 1)
           for v in (0, 1)]
    persistence = np.where(present == 1, hit[1], hit[0])
    return {name: {"l_ant": bce(probs, targets),
                   "accuracy": float(((probs > 0.5) == (targets > 0.5)).mean())}
            for name, probs in (("prior", prior), ("persistence", persistence))}


def cache_baselines(path: str, horizon: int) -> dict[str, dict[str, float]]:
    """Both baselines over every step of every video in the cache at ``path``."""
    cache = TeacherCache(path)
    rows = [targets_and_present(cache.cas(v), horizon) for v in cache.video_ids]
    if not rows:
        raise ValueError(f"{path}: the teacher cache holds no video")
    return baselines(np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cache", help="teacher cache h5 (tools/cache_teacher.py)")
    parser.add_argument("--horizon", type=int, default=16, help="W', future steps (default 16)")
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()
    result = cache_baselines(args.cache, args.horizon)
    print("| predictor | L_ant (BCE, sum over classes) | per-class accuracy |")
    print("|---|---|---|")
    for name, row in result.items():
        print(f"| {name} | {row['l_ant']:.4f} | {row['accuracy']:.4f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
