"""Seeding and a description of where a run happened (versions, backend, device, revision)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("kerasreports", "keras", "tensorflow", "jax", "torch", "numpy", "scikit-image",
            "keras-tuner", "papermill")


def set_seed(seed: int) -> None:
    """Make a run repeatable: same seed, data and machine give the same numbers.

    Seeds Python, NumPy and the backend, and on TensorFlow also asks for deterministic
    kernels (without it, multi-threaded CPU reductions may sum in a different order).
    """
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def device_description() -> str:
    """The accelerator the backend computes on, else the CPU, in a few words."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_logical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(
                    tf.config.list_physical_devices("GPU")[0])
                return f"{len(gpus)} GPU: {details.get('device_name', gpus[0].name)}"
        elif backend == "jax":
            import jax

            devices = jax.devices()
            if devices[0].platform != "cpu":
                return f"{len(devices)} x {devices[0].device_kind}"
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}"
    except Exception:  # a description must never fail a run
        pass
    return f"CPU: {cpu_model()}, {os.cpu_count()} cores"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_revision(path: str | Path | None = None) -> str:
    """The checkout's commit (with '+dirty' when it has uncommitted changes), or 'unknown'.
    Installed from a wheel (no checkout around the package), the package's version: a git
    repository that merely contains the environment is not this package's revision."""
    package = Path(__file__).resolve().parent
    if path is None and not (package.parent / "pyproject.toml").is_file():
        from importlib import metadata

        try:
            return f"installed kerasreports {metadata.version('kerasreports')}"
        except metadata.PackageNotFoundError:
            return "unknown"
    cwd = Path(path or package)
    try:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=cwd,
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=cwd, capture_output=True, text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def environment() -> dict:
    import keras

    return {
        "backend": keras.backend.backend(),
        "device": device_description(),
        "machine": f"{platform.node()} ({platform.system()} {platform.machine()}, "
                   f"{os.cpu_count()} cores)",
        "python": platform.python_version(),
        "packages": package_versions(),
        "git_revision": git_revision(),
    }
