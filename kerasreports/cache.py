"""Skip a report whose inputs have not changed since its report was written.

A run's key is a hash of everything that decides its numbers:

- the notebook papermill executes (its bytes);
- the resolved parameters (profile values, `-p` overrides, the seed);
- the data files each of the report's data sets would be read from: their pinned sha256
  (the loaders verify it) with the size and modification time of the file found, or, for
  data sets read as folder listings, every file's relative path, size and modification
  time; "generated" for the smoke profile's stand-in data, "missing" when none is found;
- the package's own source (every `.py` file under `kerasreports/`, so uncommitted edits
  count, not only the git revision);
- the Keras backend and the versions of Keras, the backend's library and NumPy.

`kerasreports run` writes the key and its parts into `run_key.json` in the report folder
when a report finishes, and skips a report whose folder holds the same key (`--force`
reruns it). A failed run writes no key, so it is never skipped.

Why not jupyter-cache (or d2lbook's cache): they key a notebook on its code cells, so they
see neither a change in the package the notebook imports (where the models and training
live) nor a new copy of the data, and they cache the executed notebook, whereas a report is
the folder the notebook writes. The key here has to cover exactly those two.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib import metadata
from pathlib import Path

KEY_FILE = "run_key.json"
PACKAGE_DIR = Path(__file__).resolve().parent


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@cache
def package_source() -> str:
    """The hash of every .py file of the package (paths and bytes), once per process."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp(path: Path) -> list:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def data_fingerprint(dataset: str, data_dir: str | None) -> str:
    """What identifies the copy of `dataset` a run would read, without reading it all."""
    from kerasreports import datasets
    from kerasreports.datasets import store

    spec = datasets.spec(dataset)
    folder = store.find_folder(spec, data_dir or None)
    if folder is None:
        return "missing"
    if spec.files:
        return _digest({name: [sha, *_stamp(folder / name)] for name, sha in spec.files.items()})
    listing = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            listing.append([str(path.relative_to(folder)), *_stamp(path)])
    return _digest(listing)


def _versions(backend: str) -> dict:
    found = {}
    for package in ("keras", backend, "numpy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def key_parts(report, parameters: dict) -> dict:
    """The parts of the key of one run of `report` with these resolved parameters."""
    from kerasreports import backends
    from kerasreports.datasets import store

    backend = backends.configured()
    if parameters.get("generated_data"):
        data = {name: "generated" for name in report.datasets}
    else:
        data = {name: data_fingerprint(name, parameters.get("data_dir"))
                for name in report.datasets}
    return {
        "notebook": store.sha256(report.notebook),
        "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
        "data": data,
        "package": package_source(),
        "backend": backend,
        "versions": _versions(backend),
    }


def key(parts: dict) -> str:
    return _digest(parts)


def write(folder: Path, parts: dict) -> None:
    from kerasreports import outputs

    outputs.write_file(folder / KEY_FILE,
                       json.dumps({"key": key(parts), "parts": parts}, indent=2) + "\n")


def stored_key(folder: Path) -> str | None:
    """The key recorded in `folder`, or None (no key, unreadable, or no report there)."""
    try:
        record = json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not (folder / "metrics.json").is_file():
        return None
    return record.get("key") if isinstance(record.get("key"), str) else None


def is_current(folder: Path, parts: dict) -> bool:
    """Whether `folder` holds a finished report made from exactly these inputs."""
    return stored_key(folder) == key(parts) and not (folder / "failed.ipynb").exists()


def changed(folder: Path, parts: dict) -> list[str]:
    """Which parts differ from the run that made `folder` (for the log), or ["no key"]."""
    try:
        stored = json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))["parts"]
    except (OSError, ValueError, KeyError, TypeError):
        return ["no earlier key"]
    return [name for name in parts if stored.get(name) != json.loads(json.dumps(
        parts[name], default=str))] or ["nothing (a failed run was kept)"]
