"""KerasTuner searches over the reports' builders (`kerasreports tune`), by job:

- `spaces`: the search spaces, one `keras_tuner.HyperModel` per builder.
- `loaders`: per report, what a search trains, selects and is scored on (`SearchData`),
  `load(profile, seed, data_dir)`, and how the best model is scored.
- `tasks`: `TuneTask`, `TASKS` (report -> builder -> task) and `task(report, builder)`.
- `runner`: `tune(name, ...)`, the search itself; tuner construction; the seed and
  option checks; `run_in_processes` (a few trials per process).
- `state`: the search's lock, its saved state and settings checked before reloading.
- `summary`: the summary folder, claimed and written whole; `trial_rows`; reading a
  summary back (`latest_summary_markdown`, `objective_figure`).
- `distributed`: chief and workers (roles, heartbeat, the chief's worker watch) and
  `check_outcome`: the only module using KerasTuner's private `keras_tuner.src` API.
- `errors`: `TuningFailedError`; `SearchUsageError` and its `SettingsMismatchError`,
  `SearchStateError`.

The names below are imported from their modules on first use, so that reading a summary
back (`kerasreports.tuning.summary`) does not import Keras.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "SearchData": "loaders",
    "TuneTask": "tasks", "TASKS": "tasks", "task": "tasks",
    "TUNERS": "runner", "tune": "runner", "run_in_processes": "runner",
    "check_seed": "runner",
    "role": "distributed", "check_outcome": "distributed",
    "latest_summary_markdown": "summary", "objective_figure": "summary",
    "TuningFailedError": "errors", "SearchUsageError": "errors",
    "SettingsMismatchError": "errors", "SearchStateError": "errors",
}
__all__ = sorted(_WHERE)

if TYPE_CHECKING:  # for type checkers and editors; __all__ is built from _WHERE
    from kerasreports.tuning.distributed import check_outcome, role  # noqa: F401
    from kerasreports.tuning.errors import (SearchStateError, SearchUsageError,  # noqa: F401
                                            SettingsMismatchError, TuningFailedError)  # noqa: F401
    from kerasreports.tuning.loaders import SearchData  # noqa: F401
    from kerasreports.tuning.runner import TUNERS, check_seed, run_in_processes, tune  # noqa: F401
    from kerasreports.tuning.summary import latest_summary_markdown, objective_figure  # noqa: F401
    from kerasreports.tuning.tasks import TASKS, TuneTask, task  # noqa: F401


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value
