"""Pseudo-Label Ensembling (PLE, teachers-spec §2.2): the initial segment of every timestamp.

Each clustering of ``ple_methods`` runs on each feature stream (rgb half, flow half). A frame is
labelled only where every (method, stream) pair gives it to the same stamp; the rest is
"unlabelled" (ambiguous). [our choice] Agreement is on the owning *stamp*, not only on its
class: the reference compares classes, which can join two adjacent same-class segments into one
run (spec §2.2 [Q]); comparing owners keeps exactly one interval ``[l_i, r_i)`` per stamp.
Because every method's segment ``i`` is a run containing stamp ``i``, their intersection is a
run containing stamp ``i`` too.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from onpoint_ext.teachers.tsaspc.ple_methods import (
    NO_OWNER, DistanceTable, constrained_k_medoids, energy_split, temporal_agglomerative,
)

PLE_METHODS = ("energy", "kmedoids", "agglomerative")


def stream_slices(feature_dim: int, num_streams: int) -> list[slice]:
    """Equal consecutive channel blocks, e.g. rgb ``[0, D/2)`` and flow ``[D/2, D)``."""
    if num_streams < 1 or feature_dim % num_streams:
        raise ValueError(f"PLE: cannot split {feature_dim} feature channels into {num_streams} "
                         "equal streams")
    width = feature_dim // num_streams
    return [slice(k * width, (k + 1) * width) for k in range(num_streams)]


def method_owners(features: np.ndarray, stamps: np.ndarray, method: str, max_iters: int = 300,
                  tol: float = 1e-4, table: DistanceTable | None = None) -> np.ndarray:
    """(L,) owner labelling of one stream by one PLE method (see ``ple_methods``)."""
    if method == "energy":
        return energy_split(features, stamps)
    if method == "kmedoids":
        return constrained_k_medoids(features, stamps, max_iters, tol, table)
    if method == "agglomerative":
        return temporal_agglomerative(features, stamps, table)
    raise ValueError(f"PLE: unknown method {method!r}; expected one of {PLE_METHODS}")


def ensemble_owners(features: np.ndarray, stamps: np.ndarray, num_streams: int = 2,
                    methods: Sequence[str] = PLE_METHODS, max_iters: int = 300,
                    tol: float = 1e-4) -> np.ndarray:
    """(L,) int64 stamp index per frame where every method on every stream agrees, else
    ``NO_OWNER`` (-1).

    features: (L, D) raw features of one video on the teacher grid; stamps: (n,) strictly
    ascending step indices.
    """
    features = np.asarray(features, dtype=np.float64)
    if not methods:
        raise ValueError("PLE: at least one method is needed")
    agreed = None
    for part in stream_slices(features.shape[1], num_streams):
        stream = features[:, part]
        needs_table = {"kmedoids", "agglomerative"} & set(methods)
        table = DistanceTable(stream) if needs_table and len(stamps) else None
        for method in methods:
            owners = method_owners(stream, stamps, method, max_iters, tol, table)
            agreed = owners if agreed is None else np.where(agreed == owners, owners, NO_OWNER)
    return agreed


def owners_to_intervals(owners: np.ndarray, num_stamps: int) -> np.ndarray:
    """(n, 2) int64 ``[l_i, r_i)``: the first and one-past-last frame owned by stamp ``i``.

    Raises ValueError when a stamp owns no frame or its frames are not one run.
    """
    owners = np.asarray(owners)
    intervals = np.zeros((num_stamps, 2), dtype=np.int64)
    for i in range(num_stamps):
        frames = np.flatnonzero(owners == i)
        if not len(frames) or frames[-1] - frames[0] + 1 != len(frames):
            raise ValueError(f"PLE: stamp {i} owns {len(frames)} frames that are not one run")
        intervals[i] = frames[0], frames[-1] + 1
    return intervals


def pseudo_label_intervals(features: np.ndarray, stamps: np.ndarray, num_streams: int = 2,
                           methods: Sequence[str] = PLE_METHODS, max_iters: int = 300,
                           tol: float = 1e-4) -> np.ndarray:
    """PLE of one video: (n, 2) int64 initial segments ``[l_i, r_i)`` (teacher steps)."""
    owners = ensemble_owners(features, stamps, num_streams, methods, max_iters, tol)
    return owners_to_intervals(owners, len(stamps))
