"""Noise models for denoising experiments. Images are float arrays in [0, 1]."""

from __future__ import annotations

import numpy as np


def gaussian(x: np.ndarray, factor: float, rng: np.random.Generator) -> np.ndarray:
    """`clip(x + factor * N(0, 1), 0, 1)`: the source 004 training noise."""
    return np.clip(x + factor * rng.normal(0.0, 1.0, x.shape), 0.0, 1.0).astype("float32")


def uniform(x: np.ndarray, intensity: float, rng: np.random.Generator) -> np.ndarray:
    """`clip(x + P * U(-1, 1), 0, 1)`: our reading of source 004's "noise intensity P"."""
    return np.clip(x + intensity * rng.uniform(-1.0, 1.0, x.shape), 0.0, 1.0).astype("float32")
