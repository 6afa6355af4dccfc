"""Convert published feature files into the canonical feature store (one h5, ``(T, D)`` each).

Layouts (``SRC`` is a file for ``oat-pickle``, a folder otherwise):

- ``oat-pickle``: one pickle ``{video: {"rgb": (T, 2048), "flow": (T, 2048)}}`` (OadTR/OAT
  THUMOS release, oat-spec §1.3) -> ``rgb || flow``. Pickle runs code: only load files you trust.
- ``npy``: ``<video>.npy`` arrays ``(T, D)`` (HR-Pro's I3D features).
- ``npy-rgb-flow``: ``rgb/<video>.npy`` and ``flow/<video>.npy`` -> ``rgb || flow`` (LACP).
- ``mstcn``: channels-first ``<video>.npy`` ``(D, T)`` (MS-TCN / TSASPC), transposed.
- ``hat-npz``: ``<video>.npz`` with arrays ``rgb`` and ``flow`` -> ``rgb || flow`` (HAT EGTEA).

Two streams must have the same ``T`` (upstream OAT does not check; a short flow array silently
breaks the last windows). Every video is checked for shape, ``dim`` and NaN/Inf before anything
is written; the output is written atomically, so a failed import leaves an old file intact.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from mmengine.utils import ProgressBar

from oat.datasets.features import check_feature_array, write_feature_store

FeatureLoader = Callable[[str], np.ndarray]


def _concat_streams(rgb, flow, video_id: str, src: str) -> np.ndarray:
    """``rgb || flow`` along features; both ``(T, D_stream)`` with the same ``T``."""
    rgb, flow = np.asarray(rgb), np.asarray(flow)
    if rgb.ndim != 2 or flow.ndim != 2:
        raise ValueError(f"{src}: video {video_id!r}: rgb {rgb.shape} and flow {flow.shape} "
                         "must both be (T, D)")
    if len(rgb) != len(flow):
        raise ValueError(f"{src}: video {video_id!r}: rgb has {len(rgb)} steps but flow has "
                         f"{len(flow)}")
    return np.concatenate([rgb, flow], axis=1)


def _stems(folder: str, suffix: str) -> list[str]:
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"feature folder not found: {folder}")
    return sorted(name[: -len(suffix)] for name in os.listdir(folder) if name.endswith(suffix))


def _load_array(path: str, video_id: str):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: features of video {video_id!r} not found")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: video {video_id!r}: not a readable numpy file: {err}") from None


def _open_oat_pickle(src: str) -> tuple[list[str], FeatureLoader]:
    if not os.path.isfile(src):
        raise FileNotFoundError(f"feature pickle not found: {src}")
    with open(src, "rb") as f:
        try:
            table = pickle.load(f)  # trusted input: the OadTR/OAT release is a pickle
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as err:
            raise ValueError(f"{src}: not a readable feature pickle: {err!r}") from None
    if not isinstance(table, dict):
        raise ValueError(f"{src}: expected a pickled dict video -> {{'rgb', 'flow'}}")

    def load(video_id: str) -> np.ndarray:
        record = table[video_id]
        if not isinstance(record, dict) or not {"rgb", "flow"} <= record.keys():
            raise ValueError(f"{src}: video {video_id!r}: expected keys 'rgb' and 'flow'")
        return _concat_streams(record["rgb"], record["flow"], video_id, src)

    return sorted(table), load


def _open_npy(src: str) -> tuple[list[str], FeatureLoader]:
    return _stems(src, ".npy"), lambda v: _load_array(os.path.join(src, f"{v}.npy"), v)


def _open_npy_rgb_flow(src: str) -> tuple[list[str], FeatureLoader]:
    rgb_dir, flow_dir = os.path.join(src, "rgb"), os.path.join(src, "flow")
    videos = sorted(set(_stems(rgb_dir, ".npy")) | set(_stems(flow_dir, ".npy")))

    def load(video_id: str) -> np.ndarray:
        rgb = _load_array(os.path.join(rgb_dir, f"{video_id}.npy"), video_id)
        flow = _load_array(os.path.join(flow_dir, f"{video_id}.npy"), video_id)
        return _concat_streams(rgb, flow, video_id, src)

    return videos, load


def _open_mstcn(src: str) -> tuple[list[str], FeatureLoader]:
    def load(video_id: str) -> np.ndarray:
        array = _load_array(os.path.join(src, f"{video_id}.npy"), video_id)
        if array.ndim != 2:
            raise ValueError(f"{src}: video {video_id!r}: expected (D, T), got {array.shape}")
        return np.ascontiguousarray(array.T)

    return _stems(src, ".npy"), load


def _open_hat_npz(src: str) -> tuple[list[str], FeatureLoader]:
    def load(video_id: str) -> np.ndarray:
        path = os.path.join(src, f"{video_id}.npz")
        with _load_array(path, video_id) as archive:
            if not {"rgb", "flow"} <= set(archive.files):
                raise ValueError(f"{path}: video {video_id!r}: expected arrays 'rgb' and 'flow', "
                                 f"got {archive.files}")
            return _concat_streams(archive["rgb"], archive["flow"], video_id, path)

    return _stems(src, ".npz"), load


LAYOUTS: dict[str, Callable[[str], tuple[list[str], FeatureLoader]]] = {
    "oat-pickle": _open_oat_pickle,
    "npy": _open_npy,
    "npy-rgb-flow": _open_npy_rgb_flow,
    "mstcn": _open_mstcn,
    "hat-npz": _open_hat_npz,
}


def import_features(
    src: str,
    out: str,
    layout: str,
    steps_per_second: float,
    video_ids: Sequence[str] | None = None,
    dim: int | None = None,
    description: str = "",
) -> dict[str, int]:
    """Convert ``src`` (a :data:`LAYOUTS` layout) to the feature store ``out``.

    With ``video_ids`` exactly those videos are written, in that order, and any missing from
    ``src`` is an error listing them; without it every video of ``src`` is written (sorted).
    ``dim`` is the expected feature dimension D. Returns ``{video: T}`` of the written videos.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown feature layout {layout!r}; expected one of {list(LAYOUTS)}")
    available, load = LAYOUTS[layout](str(src))
    if video_ids is None:
        video_ids = available
    else:
        missing = sorted(set(video_ids) - set(available))
        if missing:
            raise ValueError(f"{src}: {len(missing)} of the requested videos are missing "
                             f"(layout {layout}), e.g. {missing[:5]}")
    if not video_ids:
        raise ValueError(f"{src}: no video found for layout {layout}")
    lengths: dict[str, int] = {}

    def checked_videos() -> Iterator[tuple[str, np.ndarray]]:
        progress = ProgressBar(len(video_ids))
        for video_id in video_ids:
            array = check_feature_array(load(video_id), video_id, str(src), dim)
            lengths[video_id] = len(array)
            yield video_id, array
            progress.update()

    source = f"{os.path.abspath(src)} (layout {layout})"
    write_feature_store(out, checked_videos(), steps_per_second, source, description)
    return lengths
