"""Metrics the reports compute, on NumPy arrays."""

from __future__ import annotations

import numpy as np


def per_image_mse(clean: np.ndarray, reconstructed: np.ndarray) -> np.ndarray:
    """Mean squared error of each image (the source's "reconstruction loss", R_loss)."""
    clean = np.asarray(clean, dtype=np.float64).reshape(len(clean), -1)
    reconstructed = np.asarray(reconstructed, dtype=np.float64).reshape(len(reconstructed), -1)
    return np.mean((clean - reconstructed) ** 2, axis=1)


def accuracy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Fraction of rows whose arg-max class is the label."""
    return float(np.mean(np.argmax(probabilities, axis=-1) == np.asarray(labels)))
