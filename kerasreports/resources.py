"""Wall time and peak memory of a block of work, for the rows of a report's tables.

The source's tables give "GPU time" and "GPU memory usage" per model. A notebook measures
its own with `measure()`:

    with resources.measure() as usage:
        model.fit(...)
    usage.seconds, usage.peak_gb, usage.memory_kind

Peak memory is the accelerator's when the backend computes on one (TensorFlow's
`get_memory_info(...)["peak"]`, reset before the block; PyTorch's `max_memory_allocated`,
reset likewise; JAX's `peak_bytes_in_use`, which cannot be reset, so it is the process's
peak so far), else the process's peak resident memory during the block. On Linux that
peak is exact: writing 5 to `/proc/self/clear_refs` resets the kernel's high-water mark
(VmHWM), which is read back after the block. Where that is not allowed, a thread samples
the resident size every 20 ms instead. Either way the CPU number is the whole process's
(data and every model alive included), which is what a user sizing a machine needs; the
accelerator number is what the backend's allocator held.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class Usage:
    seconds: float = 0.0
    peak_gb: float | None = None
    memory_kind: str = ""  # "GPU", "process RSS", or "" when nothing could be measured


def _status_kb(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _reset_high_water_mark() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


class _RssSampler(threading.Thread):
    """Peak resident size by sampling, where the kernel's high-water mark can't be reset."""

    def __init__(self, interval: float = 0.02):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = _status_kb("VmRSS") or 0
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.wait(self.interval):
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS") or 0)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return max(self.peak_kb, _status_kb("VmRSS") or 0)


def _accelerator():
    """(reset, read peak bytes) for the backend's accelerator, or None on a CPU."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            if tf.config.list_logical_devices("GPU"):
                return (lambda: tf.config.experimental.reset_memory_stats("GPU:0"),
                        lambda: tf.config.experimental.get_memory_info("GPU:0")["peak"])
        elif backend == "jax":
            import jax

            device = jax.devices()[0]
            if device.platform != "cpu":
                return (lambda: None,
                        lambda: (device.memory_stats() or {}).get("peak_bytes_in_use", 0))
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return (torch.cuda.reset_peak_memory_stats, torch.cuda.max_memory_allocated)
    except Exception:  # a measurement must never fail a run
        return None
    return None


@contextlib.contextmanager
def measure():
    """Time the block and take its peak memory (see the module's docstring)."""
    usage = Usage()
    accelerator = _accelerator()
    sampler = None
    if accelerator is not None:
        accelerator[0]()
    elif not _reset_high_water_mark() and _status_kb("VmRSS") is not None:
        sampler = _RssSampler()
        sampler.start()
    started = time.perf_counter()
    try:
        yield usage
    finally:
        usage.seconds = time.perf_counter() - started
        if accelerator is not None:
            try:
                usage.peak_gb, usage.memory_kind = accelerator[1]() / 1e9, "GPU"
            except Exception:
                pass
        else:
            peak_kb = sampler.stop() if sampler is not None else _status_kb("VmHWM")
            if peak_kb:
                usage.peak_gb, usage.memory_kind = peak_kb * 1024 / 1e9, "process RSS"


def seconds_per_step(model, x, y, *, steps: int, warmup: int) -> float:
    """The median wall time of `steps` calls of `model.train_on_batch(x, y)` after
    `warmup` more (compilation): the per-step figure the `benchmarks/*_profile_time.py`
    scripts multiply by a profile's steps. `train_on_batch` returns host floats, so each
    timed step has finished on the device too."""
    import statistics

    times = []
    for i in range(warmup + steps):
        started = time.perf_counter()
        model.train_on_batch(x, y)
        if i >= warmup:
            times.append(time.perf_counter() - started)
    return statistics.median(times)
