"""CIFAR-10 from `cifar10.npz`, and the `scratch_framework` report's Noise2Noise pairs.

The staged copy (`shared/data/cifar-10/SOURCE.md`) is one `.npz` whose members are
`keras.datasets.cifar10`'s arrays in the official order: `x_train` (50000, 32, 32, 3)
uint8 RGB, `y_train` (50000,), `x_test` (10000, 32, 32, 3), `y_test` (10000,). Its members
are LZMA-compressed, which `np.load` reads (it takes ~9 s for all of it). The file is
sha256-checked on the bytes that are parsed (`store.read_verified`), and read with
`allow_pickle=False`, so a tampered file can neither reach the parser nor run code.

`noise2noise_data` is the report's data step (the notebook, its searches and its
benchmark all call it): the course's own data (pairs of noisy 32x32 crops of ImageNet) is
not public, so each CIFAR-10 training image gives two independently noised copies, the
input and the target of Noise2Noise training, and the clean test images with noise drawn
once are the validation set.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store

FILE = "cifar10.npz"
MEMBERS = {"x_train": 4, "y_train": 1, "x_test": 4, "y_test": 1}  # name -> rank
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck")

SPEC = store.DatasetSpec(
    name="cifar10",
    folder="cifar-10",
    files={FILE: "61286bb20924259c59bea42e16b46d46fab479b43fb83d4830cfc43bc422ede9"},
    how_to_get=(
        "copy the project's staged cifar-10/ folder (shared/data/cifar-10: cifar10.npz, "
        "the official arrays in the official order), or write one from Keras' copy: "
        "`python -c \"import numpy as np, keras; (a, b), (c, d) = "
        "keras.datasets.cifar10.load_data(); np.savez('cifar10.npz', x_train=a, "
        "y_train=b.ravel(), x_test=c, y_test=d.ravel())\"` (a file made that way has "
        "another sha256: load it with verify=False)"),
)


class Images(NamedTuple):
    x_train: np.ndarray  # (n, 32, 32, 3) uint8
    y_train: np.ndarray  # (n,) uint8 class ids
    x_test: np.ndarray
    y_test: np.ndarray


def read(path: str | Path, expected_sha256: str | None = None) -> Images:
    """The four arrays of a CIFAR-10 `.npz`, checked for names, ranks and agreeing sizes."""
    path = Path(path)
    data = store.read_verified(path, expected_sha256)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            missing = sorted(set(MEMBERS) - set(npz.files))
            if missing:
                raise store.DatasetCorruptError(f"{path}: lacks {', '.join(missing)}")
            arrays = {name: npz[name] for name in MEMBERS}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:  # truncated, pickled
        raise store.DatasetCorruptError(f"{path}: not a readable .npz ({error})") from error
    for name, rank in MEMBERS.items():
        if arrays[name].ndim != rank:
            raise store.DatasetCorruptError(
                f"{path}: {name} has shape {arrays[name].shape}, expected rank {rank}")
    for side in ("train", "test"):
        x, y = arrays[f"x_{side}"], arrays[f"y_{side}"]
        if x.shape[1:] != (32, 32, 3) or len(x) != len(y) or x.dtype != np.uint8:
            raise store.DatasetCorruptError(
                f"{path}: x_{side} {x.shape} {x.dtype} and y_{side} {y.shape} are not "
                f"CIFAR-10's (n, 32, 32, 3) uint8 images and n labels")
    return Images(**arrays)


def load(data_dir=None, *, verify: bool = True) -> Images:
    """CIFAR-10 from a data root holding `cifar-10/cifar10.npz` (see `store`).
    `verify=False` skips the sha256 check, for generated stand-ins in the same format."""
    folder = store.locate(SPEC, data_dir, verify_files=False)  # checked as it is read
    return read(folder / FILE, SPEC.files[FILE] if verify else None)


def images(*, data_dir=None, generated: bool = False, seed: int = 0,
           n_train: int = 600, n_test: int = 200) -> Images:
    """The real file, or with `generated=True` generated stand-ins written as a
    `cifar10.npz` to a temporary folder, read through the same parser and removed."""
    if not generated:
        return load(data_dir or None)
    import tempfile

    from kerasreports.datasets import synthetic  # it writes with this module: import late

    with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
        synthetic.write_cifar10_like(root, n_train=n_train, n_test=n_test, seed=seed)
        return load(root, verify=False)


# ------------------------------------------------------------- Noise2Noise pairs

NOISES = ("gaussian",)


def add_noise(x: np.ndarray, rng: np.random.Generator, *, noise: str = "gaussian",
              sigma: float = 25 / 255) -> np.ndarray:
    """`x` (floats in [0, 1]) with zero-mean noise, clipped back to [0, 1] as a saved image
    would be. Clipping makes the noise's mean slightly non-zero near black and white, as
    in any Noise2Noise data made of stored images."""
    if noise not in NOISES:
        raise ValueError(f"unknown noise {noise!r}; choose one of: {', '.join(NOISES)}")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    noisy = x + rng.normal(0.0, sigma, x.shape).astype(x.dtype)
    return np.clip(noisy, 0.0, 1.0)


class PairsData(NamedTuple):
    """What the `scratch_framework` report trains and validates on (`noise2noise_data`)."""

    source: np.ndarray  # (n, 32, 32, 3) float32: noisy copy 1, the input
    target: np.ndarray  # noisy copy 2 of the same images, the target (never the clean one)
    val_noisy: np.ndarray  # clean test images with noise drawn once
    val_clean: np.ndarray
    description: str


def noise2noise_data(*, data_dir=None, generated: bool = False, n_train: int = 5000,
                     n_val: int = 1000, noise: str = "gaussian", sigma: float = 25 / 255,
                     seed: int = 0) -> PairsData:
    """Noise2Noise pairs from the first `n_train` CIFAR-10 training images (two
    independent noisy copies of each; 0: all 50,000) and `n_val` clean test images with
    their noisy inputs, floats in [0, 1], every draw from `seed`."""
    data = images(data_dir=data_dir, generated=generated, seed=seed)
    n_train = n_train or len(data.x_train)
    n_val = n_val or len(data.x_test)
    if n_train > len(data.x_train) or n_val > len(data.x_test):
        raise ValueError(f"asked for {n_train} training and {n_val} validation images; the "
                         f"data has {len(data.x_train)} and {len(data.x_test)}")
    clean = data.x_train[:n_train].astype("float32") / 255.0
    val_clean = data.x_test[:n_val].astype("float32") / 255.0
    rng = np.random.default_rng(seed)
    source = add_noise(clean, rng, noise=noise, sigma=sigma)
    target = add_noise(clean, rng, noise=noise, sigma=sigma)
    val_noisy = add_noise(val_clean, rng, noise=noise, sigma=sigma)
    description = (f"CIFAR-10{' (generated)' if generated else ''}: {n_train} training "
                   f"images as pairs of noisy copies, {n_val} clean test images for "
                   f"validation; {noise} noise, sigma {sigma * 255:.4g}/255")
    return PairsData(source, target, val_noisy, val_clean, description)
