"""Feature views: fixed random projections of the latent state, own noise, post-ReLU-like output.

For each stream (``rgb``, ``flow``) of a view, per step ``t`` (pre-activation, ``(d,)``):

    pre(t) = bias + w_bg * h_bg(t) P_bg + h_act(t) P_act + s * (n_low(t) M + n_iso(t)) / sqrt(2)
    x(t)   = max(softplus(pre(t)) - z, 0)

``P_bg (K_bg, d)``, ``P_act (K_act, d)``, ``M (r, d)`` and ``bias`` are drawn once per view (the
"network" of that view); ``n_low (T, r)`` and ``n_iso (T, d)`` are AR(1) noise with the stream's
correlation time, so the noise is the view's own. Background dominates a few directions (low
rank, like real features), ``softplus`` makes values non-negative and skewed, ``z`` zeroes the
smallest ones (the post-ReLU sparsity of average-pooled features).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from oat.datasets.synthetic.noise import ar1_noise
from oat.datasets.synthetic.specs import LatentSpec, StreamSpec, ViewSpec


@dataclass(frozen=True)
class StreamProjection:
    """One stream's fixed maps: ``background (K_bg, d)``, ``action (K_act, d)``,
    ``bias (d,)``, ``noise_mix (r, d)``."""

    background: np.ndarray
    action: np.ndarray
    bias: np.ndarray
    noise_mix: np.ndarray


def build_view_projections(
    view: ViewSpec, spec: LatentSpec, rng: np.random.Generator
) -> tuple[StreamProjection, ...]:
    """Draw the fixed projections of every stream of a view (float32)."""
    projections = []
    for stream in view.streams:
        d, k_bg = stream.dim, spec.background_dims
        bias = stream.bias_mean + stream.bias_spread * rng.standard_normal(d)
        projections.append(StreamProjection(
            background=_gaussian(rng, (k_bg, d), 1.0 / np.sqrt(k_bg)),
            action=_gaussian(rng, (spec.action_dims, d), 1.0),
            bias=bias.astype(np.float32),
            noise_mix=_gaussian(rng, (stream.noise_rank, d), 1.0 / np.sqrt(stream.noise_rank)),
        ))
    return tuple(projections)


def render_view(
    h_bg: np.ndarray,
    h_act: np.ndarray,
    view: ViewSpec,
    projections: tuple[StreamProjection, ...],
    rng: np.random.Generator,
    seconds_per_step: float,
) -> np.ndarray:
    """Features ``(T, D)`` float32 of one video from its latent state on this view's grid.

    ``h_bg (T, K_bg)`` and ``h_act (T, K_act)`` come from ``latent.render_latent`` with this
    view's ``T``; ``rng`` draws this view's own noise.
    """
    h_bg = h_bg.astype(np.float32)
    h_act = h_act.astype(np.float32)
    streams = [_render_stream(h_bg, h_act, s, p, rng, seconds_per_step)
               for s, p in zip(view.streams, projections)]
    return np.concatenate(streams, axis=1)


def _render_stream(h_bg, h_act, stream: StreamSpec, proj: StreamProjection, rng, dt) -> np.ndarray:
    num_steps = h_bg.shape[0]
    phi = float(np.exp(-dt / stream.noise_tau))
    low = ar1_noise(rng, num_steps, stream.noise_rank, phi, np.float32) @ proj.noise_mix
    noise = (low + ar1_noise(rng, num_steps, stream.dim, phi, np.float32)) / np.sqrt(2.0)
    pre = stream.background_weight * (h_bg @ proj.background) + h_act @ proj.action
    pre += proj.bias + stream.noise_scale * noise
    softplus = np.log1p(np.exp(np.minimum(pre, 30.0)))  # capped: no overflow; log1p(e^30) = 30
    return np.maximum(softplus - stream.zero_level, 0.0).astype(np.float32, copy=False)


def _gaussian(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    return (scale * rng.standard_normal(shape)).astype(np.float32)
