"""A search's saved state under `directory/project`: its lock, and checks before reloading.

- One run at a time per search: the chief or single process holds `outputs.lock` on
  `directory/project` for the whole run (`search_lock`), so a second `tune` of the same
  search refuses at once with `outputs.FolderBusyError` naming the first. Workers share
  the chief's search and take no lock.
- Saved state that cannot be reloaded (a truncated `oracle.json`, `trial.json` or
  `kerasreports_search.json`) is a `SearchStateError` naming the file and `--overwrite`,
  not a traceback from inside KerasTuner (`check_state`).
- A search resumed with other settings (seed, epochs, profile, tuner) would mix trials
  that do not compare: `SettingsMismatchError` (`check_settings`).
- `clear_search`: what `--overwrite` does, keeping the lock.
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path

from kerasreports import outputs
from kerasreports.tuning.distributed import role, trial_from_state
from kerasreports.tuning.errors import (SearchStateError, SearchUsageError,
                                        SettingsMismatchError)

SETTINGS_FILE = "kerasreports_search.json"


# ------------------------------------------------------------------ the search's lock

@contextmanager
def search_lock(project_dir: Path):
    """Hold `directory/project`'s lock while the chief or single process runs; a worker
    shares the chief's search and takes none. A second run refuses at once."""
    if role() == "worker":
        yield
        return
    try:
        project_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SearchUsageError(
            f"cannot keep the search state in {project_dir}: "
            f"{error.strerror or error}. Choose another --directory.") from None
    held = ExitStack()
    try:
        held.enter_context(outputs.lock(project_dir, what="search"))
    except outputs.FolderBusyError:
        raise outputs.FolderBusyError(_busy_message(project_dir)) from None
    with held:
        yield


def _busy_message(project_dir: Path) -> str:
    try:
        holder = json.loads((project_dir / outputs.LOCK).read_text())
        first = (f"pid {holder['pid']}, running since {holder['since']}: "
                 f"{holder['command']}")
    except (OSError, ValueError, KeyError, TypeError):
        first = "its process id is not recorded yet"
    return (f"another kerasreports tune is running the search {project_dir} ({first}). "
            f"Two runs of one search would overwrite each other's trials: wait for it to "
            f"finish or stop it, or give another --project or --directory. (The workers "
            f"of a distributed search share the chief's search and are not refused.)")


def clear_search(project_dir: Path) -> None:
    """What `--overwrite` does: empty the project, keeping the lock this run holds."""
    for path in project_dir.iterdir():
        if path.name == outputs.LOCK:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


# ------------------------------------------------------------------ saved state

def tuner_file(project_dir: Path) -> Path:
    """The file whose presence makes KerasTuner reload the search (base_tuner.py)."""
    return project_dir / f"{os.environ.get('KERASTUNER_TUNER_ID', 'tuner0')}.json"


def reason(error: BaseException) -> str:
    """`error` in one short line, for a message about a damaged state file."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else 'no message'}"


def damaged(project_dir: Path, path: Path, why: str) -> str:
    """The message of a `SearchStateError` for the state file `path`."""
    return (f"the search in {project_dir} cannot be resumed: its state file {path} "
            f"cannot be read back ({why}); perhaps a run was killed while writing it, "
            f"or the file was edited. Rerun with --overwrite to start the search afresh (its earlier "
            f"trials are discarded), or give another --project to keep this one.")


def _read_state(project_dir: Path, path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SearchStateError(damaged(project_dir, path, reason(error))) from None
    if not isinstance(state, dict):
        raise SearchStateError(damaged(project_dir, path, f"a JSON {type(state).__name__}, "
                                                          f"not an object"))
    return state


def check_state(project_dir: Path) -> None:
    """Raise `SearchStateError` if the files KerasTuner would reload do not parse.

    KerasTuner reloads when `<tuner id>.json` exists: the chief or single process then
    reads `oracle.json` and every `trial_*/trial.json` (oracle.py `reload`), a worker only
    its own file. A truncated file would otherwise end in a JSONDecodeError traceback.
    """
    path = tuner_file(project_dir)
    if not path.is_file():
        return  # nothing is reloaded: KerasTuner starts the search
    _read_state(project_dir, path)
    if role() == "worker":
        return
    oracle_file = project_dir / "oracle.json"
    if not oracle_file.is_file():
        raise SearchStateError(damaged(project_dir, oracle_file, "the file is missing"))
    _read_state(project_dir, oracle_file)
    for path in sorted(project_dir.glob("trial_*/trial.json")):
        state = _read_state(project_dir, path)
        try:
            trial_from_state(state)
        except Exception as error:  # a missing key, a wrong type: KerasTuner's own check
            raise SearchStateError(damaged(project_dir, path, reason(error))) from None


def check_settings(project_dir: Path, settings: dict) -> None:
    """Refuse to resume a search started with other settings (trials would not compare)."""
    path = project_dir / SETTINGS_FILE
    if not path.is_file():
        return
    earlier = _read_state(project_dir, path)
    differ = {k: (earlier.get(k), v) for k, v in settings.items() if earlier.get(k) != v}
    if differ:
        said = ", ".join(f"{k} {old!r} then, {new!r} now" for k, (old, new) in differ.items())
        raise SettingsMismatchError(
            f"{project_dir} holds a search started with other settings ({said}): its "
            f"trials would not be comparable with new ones. Rerun with the same options, "
            f"choose another --project, or add --overwrite to start afresh.")
