"""Find, verify and (when online) download the files of a data set.

A data set is a folder of files with known sha256 sums. `locate` looks for that folder,
in order, under:

1. the `data_dir` argument,
2. `$KERASREPORTS_DATA`,
3. `./data` (and, when that is not it, the `data/` folder of this checkout),
4. the Keras cache (`~/.keras/datasets`, or `$KERAS_HOME/datasets`),

and takes the first place holding every file. Each file is checked against its sha256 on
first use in a process (a corrupt copy is an error naming the file, never a silent
fallback). When no place has the files and the data set has a public URL, they are
downloaded into the Keras cache with `keras.utils.get_file`, hash-pinned; set
`KERASREPORTS_OFFLINE=1` to forbid that. Otherwise a `DatasetNotFoundError` says exactly
which files to put where.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


class DatasetNotFoundError(FileNotFoundError):
    """The files of a data set are nowhere to be found; the message says where to put them."""


class DatasetCorruptError(ValueError):
    """A data set file is present but does not match its known sha256."""


@dataclass(frozen=True)
class DatasetSpec:
    name: str  # what loaders and notebooks call it, e.g. "fashion_mnist"
    folder: str  # its folder under a data root, e.g. "fashion-mnist"
    files: dict[str, str]  # file name -> sha256
    url: str | None = None  # base URL the files can be downloaded from, as they are
    how_to_get: str = ""  # for data sets that cannot be downloaded
    # For files published in another form (e.g. uncompressed): writes `files` into the
    # folder it is given. Used instead of `url`.
    fetch: Callable[[Path], None] | None = None
    # How error messages name the files when listing them all would drown the message.
    files_summary: str = ""


SPECS: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    SPECS[spec.name] = spec
    return spec


def spec(name: str) -> DatasetSpec:
    _import_loaders()
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(sorted(SPECS))}") from None


def _import_loaders() -> None:
    # Loader modules register their specs on import.
    from kerasreports.datasets import mnist  # noqa: F401
    from kerasreports.datasets import dirty_documents  # noqa: F401
    from kerasreports.datasets import small_vocab  # noqa: F401


def keras_cache_dir() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def search_roots(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """The data roots searched, in order, each with where it came from."""
    roots = []
    if data_dir:
        roots.append(("data_dir argument", Path(data_dir)))
    if os.environ.get("KERASREPORTS_DATA"):
        roots.append(("$KERASREPORTS_DATA", Path(os.environ["KERASREPORTS_DATA"])))
    roots.append(("./data", Path.cwd() / "data"))
    # A notebook opened in Jupyter runs in notebooks/: also look in the checkout's data/.
    checkout_data = Path(__file__).resolve().parents[2] / "data"
    if checkout_data.is_dir() and checkout_data != Path.cwd() / "data":
        roots.append(("the checkout's data/", checkout_data))
    roots.append(("Keras cache", keras_cache_dir()))
    return roots


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: set[tuple[str, int, float]] = set()


def verify(path: Path, expected: str) -> None:
    key = (str(path.resolve()), path.stat().st_size, path.stat().st_mtime)
    if key in _verified:
        return
    actual = sha256(path)
    if actual != expected:
        raise DatasetCorruptError(
            f"{path} is corrupt or a different version: its sha256 is {actual}, "
            f"expected {expected}. Delete it and put a fresh copy in its place."
        )
    _verified.add(key)


def find_folder(name: str, data_dir=None) -> Path | None:
    """The first folder holding every file of the data set, or None."""
    s = spec(name)
    for _, root in search_roots(data_dir):
        folder = root / s.folder
        if all((folder / f).is_file() for f in s.files):
            return folder
    return None


def locate(name: str, data_dir=None, *, verify_files: bool = True) -> Path:
    """The folder of data set `name`, verified, downloading it if allowed and possible."""
    s = spec(name)
    folder = find_folder(name, data_dir)
    failure = ""
    if folder is None and _may_download(s):
        try:
            folder = _download(s)
        except Exception as error:  # no network, server gone, wrong bytes: explain
            where = f" from {s.url}" if s.url else ""
            failure = f" (A download{where} was tried and failed: {error})"
    if folder is None:
        raise DatasetNotFoundError(explain_missing(s, data_dir) + failure)
    if verify_files:
        for file, digest in s.files.items():
            verify(folder / file, digest)
    return folder


def _may_download(s: DatasetSpec) -> bool:
    return bool(s.url or s.fetch) and os.environ.get("KERASREPORTS_OFFLINE", "") in ("", "0")


def _download(s: DatasetSpec) -> Path:
    import keras

    folder = keras_cache_dir() / s.folder
    # get_file falls back to /tmp/.keras when the cache folder does not exist yet.
    folder.mkdir(parents=True, exist_ok=True)
    if s.fetch:
        s.fetch(folder)
        return folder
    for file, digest in s.files.items():
        keras.utils.get_file(
            fname=file,
            origin=s.url + file,
            file_hash=digest,
            cache_dir=str(keras_cache_dir().parent),
            cache_subdir=f"datasets/{s.folder}",
        )
    return folder


def explain_missing(s: DatasetSpec, data_dir=None) -> str:
    places = "; ".join(f"{root / s.folder} ({why})" for why, root in search_roots(data_dir))
    first = search_roots(data_dir)[0][1] / s.folder
    files = s.files_summary or ", ".join(s.files)
    message = (
        f"Data set {s.name!r} not found. Put its files ({files}) in one of: {places}. "
        f"For example: mkdir -p {first} and copy the files there, or set "
        f"KERASREPORTS_DATA to a folder that holds {s.folder}/."
    )
    if s.how_to_get:
        message += " " + s.how_to_get
    elif s.url:
        message += (
            f" When online they are downloaded from {s.url} on first use "
            f"(unless KERASREPORTS_OFFLINE=1)."
        )
    return message


def status(data_dir=None) -> list[dict]:
    """One row per known data set: where it was found, whether it verifies, what to do."""
    _import_loaders()
    rows = []
    for name, s in sorted(SPECS.items()):
        folder = find_folder(name, data_dir)
        row = {"name": name, "folder": str(folder) if folder else None}
        if folder is None:
            row["state"] = "missing"
            row["help"] = explain_missing(s, data_dir)
        else:
            bad = []
            for file, digest in s.files.items():
                try:
                    verify(folder / file, digest)
                except DatasetCorruptError:
                    bad.append(file)
            row["state"] = "ok" if not bad else "corrupt"
            row["help"] = "" if not bad else f"checksum mismatch: {', '.join(bad)}"
        rows.append(row)
    return rows
