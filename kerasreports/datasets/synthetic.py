"""Small generated stand-ins for the real data sets, written in the real on-disk formats.

The smoke profile and the tests read these through the same loaders as the real files, so
the parsing code is exercised end to end without the real data (or a network).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kerasreports.datasets import mnist, store


def mnist_like_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` 28x28 uint8 images of 10 classes that a small classifier can tell apart.

    Class k is a bright blob at one of ten positions on a ring, with a random jitter, a
    random brightness and background noise, so that the task is learnable but not trivial.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    yy, xx = np.mgrid[0:28, 0:28]
    angles = labels * (2 * np.pi / 10) + rng.normal(0, 0.15, n)
    cy = 14 + 8 * np.sin(angles) + rng.normal(0, 1.0, n)
    cx = 14 + 8 * np.cos(angles) + rng.normal(0, 1.0, n)
    radius = rng.uniform(3.0, 5.0, n)
    dist2 = (yy[None] - cy[:, None, None]) ** 2 + (xx[None] - cx[:, None, None]) ** 2
    blob = np.exp(-dist2 / (2 * radius[:, None, None] ** 2))
    images = blob * rng.uniform(0.6, 1.0, (n, 1, 1)) + rng.uniform(0, 0.15, (n, 28, 28))
    return (np.clip(images, 0, 1) * 255).astype(np.uint8), labels


def write_mnist_like(root: str | Path, name: str = "fashion_mnist", *,
                     n_train: int = 1200, n_test: int = 300, seed: int = 0) -> Path:
    """Write generated IDX `.gz` files where `mnist.load(name, data_dir=root)` finds them."""
    folder = Path(root) / store.spec(name).folder
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n, split_seed in (("train", n_train, seed), ("t10k", n_test, seed + 1)):
        images, labels = mnist_like_images(n, split_seed)
        mnist.write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        mnist.write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return Path(root)
