"""Stationary AR(1) noise, the discrete form of an Ornstein-Uhlenbeck process.

Sampled at ``dt`` seconds per step with correlation time ``tau`` seconds, the lag-1 coefficient is
``phi = exp(-dt / tau)``; views at different rates thus share one continuous-time noise model.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import lfilter


def ar1_noise(
    rng: np.random.Generator, num_steps: int, dims: int, phi: float, dtype=np.float64
) -> np.ndarray:
    """Unit-variance AR(1) noise ``(num_steps, dims)``: ``x_k = phi x_(k-1) + sqrt(1-phi^2) e_k``.

    The first value is drawn from the stationary law, so no burn-in is needed.
    """
    if not 0.0 <= phi < 1.0:
        raise ValueError(f"AR(1) coefficient must be in [0, 1), got {phi}")
    innovations = rng.standard_normal((num_steps + 1, dims), dtype=dtype)
    initial = (phi * innovations[:1]).astype(dtype)  # phi * x_(-1), x_(-1) ~ N(0, 1)
    out = lfilter([np.sqrt(1.0 - phi * phi)], [1.0, -phi], innovations[1:], axis=0, zi=initial)[0]
    return out.astype(dtype, copy=False)
