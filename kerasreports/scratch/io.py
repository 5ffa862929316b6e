"""Save and load a module's parameters as a `.npz` archive (`param_0`, `param_1`, ...).

Only arrays are stored (`allow_pickle=False` on load), so a file cannot run code; the
module's structure comes from the code that builds it, and `load` checks that the file fits.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from keras import ops

from .module import Module


def save(module: Module, path: str | os.PathLike) -> Path:
    """Write `module.param()` values to `path` (".npz" appended if missing); returns the path."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {f"param_{i}": ops.convert_to_numpy(p.value) for i, p in enumerate(module.param())}
    np.savez(path, **arrays)
    return path


def load(module: Module, path: str | os.PathLike) -> None:
    """Assign the arrays in `path` to `module.param()`, after checking count and shapes.

    Nothing is assigned unless everything fits, so a failed load leaves the module as it was.
    Gradients are reset to zero.
    """
    path = Path(path)
    if not path.exists() and path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    params = module.param()
    with np.load(path, allow_pickle=False) as archive:
        names = set(archive.files)
        expected = {f"param_{i}" for i in range(len(params))}
        if len(names) != len(expected):
            raise ValueError(f"{path} holds {len(names)} arrays, but {module!r} has {len(params)} parameters")
        if names != expected:
            raise ValueError(f"{path}: unexpected arrays {sorted(names - expected)} (want param_0...)")
        arrays = [archive[f"param_{i}"] for i in range(len(params))]
    for index, (parameter, array) in enumerate(zip(params, arrays)):
        if tuple(array.shape) != parameter.shape:
            raise ValueError(
                f"{path}: param_{index} has shape {tuple(array.shape)}, but {module!r} expects {parameter.shape}"
            )
    for parameter, array in zip(params, arrays):
        parameter.value = ops.convert_to_tensor(array, dtype=parameter.value.dtype)
        parameter.zero_grad()
