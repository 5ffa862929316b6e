"""Which Keras backend each report's `full` profile trains fastest on, and what
`kerasreports run --profile full` says when the user's backend is the slow one.

Every report runs on TensorFlow (the default backend, a dependency) and on JAX (the
`jax` extra: `pip install -e '.[jax]'`); the builders use `keras` and `keras.ops` only,
and the tests run every report's smoke profile on both. They are not equally fast:
`benchmarks/recipe_speed.py` times each source recipe's training step on both, on the
project's 2-core CPU. JAX runs the recurrent and dense recipes 1.5-3x faster;
TensorFlow runs the 256x256 convolutional autoencoder ~15x faster. `FULL_PROFILE_HOURS`
turns those steps into the hours of a full profile (a profile's steps times the
measured step time; estimates, not runs, unless the comment says a run measured it).

The backend is read without importing Keras (the CLI must answer at once): the
KERAS_BACKEND variable, else `$KERAS_HOME/keras.json` (default `~/.keras`), else
TensorFlow, which is also what Keras does.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

DEFAULT = "tensorflow"
INSTALL = {"jax": "pip install -e '.[jax]'", "tensorflow": "pip install -e ."}

# Hours of each report's `full` profile on the project's 2-core CPU, per backend, from
# benchmarks/recipe_speed.py's ms per step (2026-12-03, one process at a time) times the
# profile's steps; estimates unless the comment names a run. Reports not measured on both
# backends yet (image_classification, rnn_language, scratch_framework) get no advice.
FULL_PROFILE_HOURS: dict[str, dict[str, float]] = {
    # 3 stacked models x 100 epochs x 6,893 steps of batch 16: LSTM 17.5 ms (TF) and
    # 9.6 ms (JAX) a step, ~0.3 h more for the bidirectional model's 30 epochs.
    "translation": {"tensorflow": 10.0, "jax": 5.5},
    # Measured: 17 min on TensorFlow (2026-11-23, AMD EPYC); the committed report's run
    # took 8.5 min on JAX (2026-12-04, Intel Xeon, beside a test run).
    "mnist_dae": {"tensorflow": 0.3, "jax": 0.15},
    # 600 epochs of 15 steps (120 pages, batch 8) at the quick run's 10 s an epoch, and
    # the page model's 60 epochs: ~3 h on TensorFlow; the 256x256 autoencoder's step is
    # 13x slower on JAX (50 s against 3.8 s at batch 16).
    "dirty_documents": {"tensorflow": 3.0, "jax": 40.0},
    # benchmarks/arithmetic_profile_time.py: 5.5 h of steps on TensorFlow here; its
    # text-to-text steps are 3.4x and its image-to-text steps 1.7x faster on JAX.
    "arithmetic": {"tensorflow": 5.5, "jax": 2.2},
}


def configured() -> str:
    """The backend Keras will use in a new process."""
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    try:
        return json.loads((home / "keras.json").read_text()).get("backend") or DEFAULT
    except (OSError, ValueError):
        return DEFAULT


def fastest(report: str) -> str | None:
    hours = FULL_PROFILE_HOURS.get(report)
    return min(hours, key=hours.get) if hours else None


def _hours(value: float) -> str:
    return f"{value:.0f} h" if value >= 2 else f"{value * 60:.0f} min"


def advice(report: str, profile: str, backend: str | None = None) -> str | None:
    """A sentence for a `full` run on a backend slower than another here, else None."""
    best = fastest(report)
    backend = backend or configured()
    if profile != "full" or best is None or best == backend:
        return None
    hours = FULL_PROFILE_HOURS[report]
    times = ", ".join(f"{_hours(h)} on {name}" for name, h in sorted(hours.items(),
                                                                      key=lambda kv: kv[1]))
    said = (f"{report}'s full profile: about {times} of training on the project's 2-core "
            f"CPU (benchmarks/recipe_speed.py); this run uses {backend}. For the faster "
            f"one, set KERAS_BACKEND={best}")
    if importlib.util.find_spec(best) is None:
        said += f" after `{INSTALL.get(best, 'pip install ' + best)}`"
    return said + "."
