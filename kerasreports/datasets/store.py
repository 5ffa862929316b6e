"""Find, verify and (when online) download the files of a data set.

A data set is a folder of files with known sha256 sums. `locate` looks for that folder,
in order, under:

1. the `data_dir` argument,
2. `$KERASREPORTS_DATA`,
3. `./data` (and, when that is not it, the `data/` folder of this checkout),
4. the Keras cache (`~/.keras/datasets`, or `$KERAS_HOME/datasets`),

and takes the first place holding every file. The loaders read each file once with
`read_verified`, which checks the sha256 of the bytes read and hands those same bytes to
the parser, so nothing can change between the check and the parse (a corrupt copy is an
error naming the file, never a silent fallback). When no place has the files and the data
set has a public URL, they are downloaded into the Keras cache with `keras.utils.get_file`,
hash-pinned; set `KERASREPORTS_OFFLINE=1` to forbid that. Otherwise a
`DatasetNotFoundError` says exactly which files to put where, and names the files an
incomplete copy lacks. A file that is there but cannot be read (permissions) is a
`DatasetUnreadableError` naming it.

This module is a leaf: it imports no loader and keeps no registry. Its functions take the
`DatasetSpec` of a data set; each loader module defines its specs as module constants
(`mnist.MNIST`, `mnist.FASHION_MNIST`, `small_vocab.SMALL_VOCAB`, `dirty_documents.SPEC`)
and passes them here, and `kerasreports.datasets` lists them all (`specs`, `spec`,
`status`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kerasreports.errors import InvalidValueError


class DatasetNotFoundError(FileNotFoundError):
    """The files of a data set are nowhere to be found; the message says where to put them."""


class DatasetCorruptError(ValueError):
    """A data set file is present but does not match its known sha256."""


class DatasetUnreadableError(DatasetCorruptError):
    """A data set file or folder is there but cannot be read (e.g. no read permission).

    A `DatasetCorruptError` so that whoever handles a bad data file (the CLI's "data
    error", `tune`) handles this one too, as one message rather than a traceback.
    """


class DataDirError(InvalidValueError):
    """A data root the user named (`--data-dir`) that is not an existing folder.

    An `InvalidValueError` (a `UsageError` and a `ValueError`): the CLI shows it as one
    line and exits 2.
    """


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
    # For a loader that lists folders rather than reading just `files`: checks a folder
    # holding every file as the verifying loader will, raising DatasetCorruptError for what
    # it refuses and returning a note for each file it ignores, so that `status_row`
    # says what loading would.
    check_folder: Callable[[Path], list[str]] | None = None


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


def check_data_dir(data_dir) -> None:
    """Refuse a data root the user named that is not an existing folder.

    The search would otherwise pass over it in silence and report what other places hold.
    (Loaders do not call this: for them `data_dir` is one place among several, and a
    missing one is explained by `DatasetNotFoundError`.)
    """
    if data_dir is None or str(data_dir) == "":
        return
    path = Path(data_dir)
    if not os.path.isdir(path):  # os.path: False, not an exception, for any OSError
        what = "is not a folder" if os.path.exists(path) else "does not exist"
        raise DataDirError(
            f"the data directory {path} {what}: give a folder that holds the data sets' "
            f"folders (e.g. {path / 'mnist'}/), or leave it out to search "
            f"$KERASREPORTS_DATA, ./data and the Keras cache"
        )


def unreadable(path: Path, error: OSError) -> DatasetUnreadableError:
    """The error for a data file or folder that is there but cannot be read."""
    reason = error.strerror or str(error)
    return DatasetUnreadableError(
        f"{path} cannot be read ({reason}). Check that it, and the folders above it, are "
        f"readable by this user (e.g. chmod a+r {path}), or put a fresh copy in its place."
    )


def _is_file(path: Path) -> bool:
    # Path.is_file() raises PermissionError for a file in a folder we may not search; say
    # which path, rather than a traceback (or, worse, calling the file missing).
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as error:
        raise unreadable(path, error) from None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# File versions already verified in this process, so that loading a data set again (a
# notebook, a search) does not hash it again. A version is known by what the file system
# changes on every write: device, inode, size, mtime and ctime in ns, with the expected
# sha256. ctime cannot be set back (copying an old mtime back with `touch -r` does not hide
# a change), and a file replaced by another (cp, mv) gets another inode or times. Only a
# rewrite within one tick of the file system's clock, keeping the size, could go unseen.
_verified: set[tuple] = set()


def _version(st: os.stat_result, expected: str) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, expected)


def _check(path: Path, actual: str, expected: str) -> None:
    if actual != expected:
        raise DatasetCorruptError(
            f"{path} is corrupt or a different version: its sha256 is {actual}, "
            f"expected {expected}. Delete it and put a fresh copy in its place."
        )


def read_verified(path: str | os.PathLike, expected: str | None) -> bytes:
    """The bytes of `path`, read once and, when `expected` is a sha256, checked against it.

    Loaders parse the bytes returned, so what was verified is what is parsed: there is no
    second read during which the file could change. (The largest data file, Fashion-MNIST's
    26 MB of training images, is smaller than the array parsed from it, so holding its
    bytes costs little.) `expected=None` reads without a check (generated stand-ins).
    Raises DatasetUnreadableError when the file cannot be read, DatasetCorruptError when
    its sha256 differs.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            before = os.fstat(f.fileno())
            data = f.read()
            after = os.fstat(f.fileno())
    except OSError as error:
        raise unreadable(path, error) from None
    if expected is not None:
        version = _version(before, expected)
        # Trust an earlier check only if this is that version and it did not change
        # while we read it; otherwise hash the bytes we hold.
        unchanged = version == _version(after, expected)
        if not (unchanged and version in _verified):
            _check(path, _digest(data), expected)
            if unchanged:
                _verified.add(version)
    return data


def verify(path: Path, expected: str) -> None:
    """Check `path` against its sha256 (once per version), for `status_row` and `locate`.

    Nothing is parsed after this check, so it leaves no gap; loaders instead verify the
    bytes they parse, with `read_verified`.
    """
    try:
        version = _version(os.stat(path), expected)
    except OSError as error:
        raise unreadable(path, error) from None
    if version not in _verified:
        read_verified(path, expected)


def _some(names: list[str], shown: int = 5) -> str:
    """'a, b, c, d, e and 7 more': names for a message that must stay one paragraph."""
    text = ", ".join(names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _survey(s: DatasetSpec, data_dir=None) -> tuple[Path | None, list]:
    """The first folder holding every file (or None), and the folders searched before it
    that hold some of the files but not all: (where it came from, folder, files lacking)."""
    incomplete = []
    for why, root in search_roots(data_dir):
        folder = root / s.folder
        if not os.path.isdir(folder):
            continue
        missing = [f for f in s.files if not _is_file(folder / f)]
        if not missing:
            return folder, incomplete
        if len(missing) < len(s.files):  # an empty folder is simply no copy
            incomplete.append((why, folder, missing))
    return None, incomplete


def _lacks(s: DatasetSpec, why: str, folder: Path, missing: list[str]) -> str:
    return f"{folder} ({why}) lacks {len(missing)} of the {len(s.files)} files: {_some(missing)}."


def find_folder(s: DatasetSpec, data_dir=None) -> Path | None:
    """The first folder holding every file of data set `s`, or None."""
    return _survey(s, data_dir)[0]


def locate(s: DatasetSpec, data_dir=None, *, verify_files: bool = True) -> Path:
    """The folder of data set `s`, verified, downloading it if allowed and possible.

    The loaders pass `verify_files=False` and verify each file as they read it
    (`read_verified`), so that the bytes checked are the bytes parsed.
    """
    folder = find_folder(s, data_dir)
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
    created = not folder.exists()
    # get_file falls back to /tmp/.keras when the cache folder does not exist yet.
    folder.mkdir(parents=True, exist_ok=True)
    try:
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
    except BaseException:
        # A folder this call made and left empty would be found by the next search as
        # an incomplete copy ("put the file there, or remove the folder") instead of
        # being downloaded again: remove it.
        if created and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise
    return folder


def explain_missing(s: DatasetSpec, data_dir=None) -> str:
    places = "; ".join(f"{root / s.folder} ({why})" for why, root in search_roots(data_dir))
    first = search_roots(data_dir)[0][1] / s.folder
    files = s.files_summary or ", ".join(s.files)
    # A copy that lacks a few files is found nowhere, like none at all: say what it lacks.
    incomplete = "".join(" " + _lacks(s, *found) for found in _survey(s, data_dir)[1])
    message = (
        f"Data set {s.name!r} not found.{incomplete} Put its files ({files}) in one of: "
        f"{places}. "
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


def status_row(s: DatasetSpec, data_dir=None) -> dict:
    """Where data set `s` was found, whether it verifies, what to do.

    The row: `name`; `folder` (None when nowhere); `state`, one of "ok", "missing",
    "incomplete" (a folder lacks files; `help` names them), "corrupt" (a checksum
    mismatch, or a file the loader refuses), "unreadable"; `ok`, True only when the data
    set loads as it is; `help`, what to do, or notes on an "ok" row (files the loader
    ignores, incomplete copies passed over). `data_dir` is not checked here: callers that
    take it from the user call `check_data_dir` first (`kerasreports.datasets.status`
    does).
    """
    try:
        row = _status_row(s, data_dir)
    except DatasetUnreadableError as error:  # a folder we may not look into
        row = {"folder": None, "state": "unreadable", "help": str(error)}
    return {"name": s.name, **row, "ok": row["state"] == "ok"}


def _status_row(s: DatasetSpec, data_dir) -> dict:
    folder, incomplete = _survey(s, data_dir)
    if folder is None:
        return {"folder": str(incomplete[0][1]) if incomplete else None,
                "state": "incomplete" if incomplete else "missing",
                "help": explain_missing(s, data_dir)}
    bad, unread = [], []
    for file, digest in s.files.items():
        try:
            verify(folder / file, digest)
        except DatasetUnreadableError as error:
            unread.append(error)
        except DatasetCorruptError:
            bad.append(file)
    problems = [str(error) for error in unread[:3]]
    if len(unread) > 3:
        problems.append(f"({len(unread) - 3} more files cannot be read.)")
    if bad:
        problems.append(f"checksum mismatch: {_some(bad, 10)}")
    if problems:
        return {"folder": str(folder), "state": "unreadable" if unread else "corrupt",
                "help": " ".join(problems)}
    try:
        notes = s.check_folder(folder) if s.check_folder else []
    except DatasetUnreadableError as error:
        return {"folder": str(folder), "state": "unreadable", "help": str(error)}
    except DatasetCorruptError as error:
        return {"folder": str(folder), "state": "corrupt", "help": str(error)}
    notes += [f"passed over an incomplete copy: {_lacks(s, *found)}" for found in incomplete]
    return {"folder": str(folder), "state": "ok",
            "help": " ".join(f"note: {note}" for note in notes)}


def real_or_generated(load: Callable, *, data_dir=None, generated: bool = False,
                      writer: str = "", seed: int = 0):
    """`load(data_dir or None)` on the real files, or with `generated=True` `load` on a
    stand-in that `synthetic.<writer>(root, seed=seed)` writes in the same on-disk format
    into a temporary folder (read through the same parser, unverified, then removed): the
    one place the report data steps choose between the two."""
    if not generated:
        return load(data_dir or None)
    import tempfile

    from kerasreports.datasets import synthetic  # imported late: it imports the loaders

    with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
        getattr(synthetic, writer)(root, seed=seed)
        return load(root, verify=False)
