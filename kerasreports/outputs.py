"""Folders the tool writes into: claimed with a marker, locked per run, swapped atomically.

`kerasreports run --output DIR` and `kerasreports tune --output DIR` write only where this
module says they may:

- `claim(folder)`: the folder must not exist (it is created and marked), be empty (it is
  marked), already hold the marker file `.kerasreports-output` from an earlier run, or
  hold only marked folders (reports/NAME/tuning/ written by `tune` before any `run`). A
  folder holding anything else (a project, a home folder, a thesis) is refused with an
  `OutputFolderError` naming it, and nothing in it is touched. Inside a claimed folder the
  tool replaces only what it writes itself (its report folders, README.md, index.html).
- `lock(folder)`: one run at a time per folder (an `fcntl.flock` on `.kerasreports-lock`,
  which the kernel releases when the process dies, even by SIGKILL). A second run refuses
  at once, naming the first run's pid and command: waiting silently for an hour-long
  training would look like a hang.
- `remove_stale_work(folder)`: under the lock no other run is writing here, so every
  hidden work folder a killed run left behind (`.NAME-work-*`, `.NAME-old-*`) is stale,
  and so is every temporary file of `write_file` (`.NAME.PID.tmp`).
- `replace_dir(new, final)`: `final` becomes `new` in one step (Linux `renameat2` with
  RENAME_EXCHANGE), so a reader never sees the report folder missing; elsewhere, two
  renames under the lock. The marker and the lock file of `final` move into `new` first.
- `write_file(path, text)`: through a temporary file and a rename.
- `default_output(profile)`: where `run` and `tune` write when no --output is given.

Why a marker rather than guessing from the contents: a folder of ours looks like any
folder with a README.md in it, and guessing wrong destroys a user's files.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from kerasreports.errors import InvalidValueError, UsageError

MARKER = ".kerasreports-output"
LOCK = ".kerasreports-lock"
WORK_PREFIX = "-work-"  # .<name>-work-XXXX: a run's folder before it is moved into place
OLD_PREFIX = "-old-"  # .<name>-old-XXXX: the previous folder, kept until the swap is done


def default_output(profile: str) -> Path:
    """`reports/` for real-data runs; `reports/smoke/` for the smoke profile, so that a
    first offline run never replaces the committed real-data reports. (`run` puts its
    report folders there, `tune` its summaries under NAME/tuning/.)"""
    return Path("reports/smoke") if profile == "smoke" else Path("reports")


class OutputFolderError(InvalidValueError):  # a ValueError too
    """An --output folder the tool may not write into (not ours, a file, read-only...)."""


class FolderBusyError(UsageError, RuntimeError):
    """Another kerasreports process is writing into the same folder."""


def claim(folder: Path, *, what: str = "output") -> Path:
    """Make `folder` ours (create and mark it), or refuse; returns it resolved."""
    folder = Path(folder).expanduser()
    try:
        folder = folder.resolve()
        if folder.exists() and not folder.is_dir():
            raise OutputFolderError(
                f"--{what} {folder} is a file, not a folder: give a folder for the results "
                f"(it is created when it does not exist).")
        if folder.is_dir():
            if (folder / MARKER).is_file():
                _probe_writable(folder)
                return folder
            others = sorted(p.name for p in folder.iterdir())
            if others and not _only_ours(folder):
                shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
                raise OutputFolderError(
                    f"--{what} {_shown(folder)} already holds files that kerasreports did "
                    f"not write ({shown}); nothing was touched. Give a new or empty folder, "
                    f"or one an earlier kerasreports run wrote (it holds a {MARKER} file; "
                    f"to let kerasreports replace what it wrote in a folder an older "
                    f"version made, create that file there).")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text(MARKER_TEXT)
    except OSError as error:
        raise OutputFolderError(_os_problem(folder, what, error)) from None
    return folder


def _only_ours(folder: Path, depth: int = 3) -> bool:
    """Whether `folder` holds only folders of ours (marked ones, or folders holding only
    those), one marked at least: `tune` writes reports/NAME/tuning/ before a `run` marks
    reports/."""
    marked = False
    for entry in folder.iterdir():
        if entry.is_symlink() or not entry.is_dir():
            return False
        if (entry / MARKER).is_file():
            marked = True
        elif depth > 1 and _only_ours(entry, depth - 1):
            marked = True
        else:
            return False
    return marked


MARKER_TEXT = ("This folder is written by kerasreports (run and tune --output): it replaces "
               "only what it wrote here (report folders, tuning summaries, README.md, "
               "index.html). Delete this file and it refuses to write here.\n")


def _probe_writable(folder: Path) -> None:
    """Raise the OSError writing into `folder` would give (read-only, permissions)."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix=".kerasreports-probe-", dir=folder)
    os.close(handle)
    os.unlink(name)


def _shown(path: Path) -> str:
    """`path` as a message shows it: whole, or its two ends when it is very long."""
    text = str(path)
    return text if len(text) <= 240 else f"{text[:120]}...{text[-100:]} ({len(text)} characters)"


def _os_problem(folder: Path, what: str, error: OSError) -> str:
    reason = {errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EROFS: "the file system is read-only",
              errno.ENAMETOOLONG: "the path is too long",
              errno.ENOTDIR: "a part of the path is a file",
              errno.ENOSPC: "the disk is full"}.get(error.errno, error.strerror or str(error))
    return (f"cannot write the results into --{what} {_shown(folder)}: {reason}. "
            f"Choose another folder.")


@contextmanager
def lock(folder: Path, *, what: str = "output folder"):
    """Hold the folder's lock for the duration, or raise `FolderBusyError` at once."""
    path = Path(folder) / LOCK
    try:
        handle = open(path, "a+")
    except OSError as error:
        raise OutputFolderError(_os_problem(Path(folder), "output", error)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise FolderBusyError(
                f"the {what} {folder} is in use by another kerasreports run "
                f"({_holder(handle.read())}); wait for it to finish, or choose another "
                f"folder.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "command": " ".join(sys.argv),
                                 "since": time.strftime("%Y-%m-%d %H:%M:%S")}))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def _holder(text: str) -> str:
    try:
        info = json.loads(text)
        return f"pid {info['pid']}, since {info['since']}: {info['command']}"
    except (ValueError, TypeError, KeyError):
        return "a process that has only just started"


def work_dir(folder: Path, name: str) -> Path:
    """A fresh hidden folder in `folder` for a run of `name`, readable by everyone."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=f".{name}{WORK_PREFIX}", dir=folder))
    path.chmod(0o755)  # mkdtemp makes it private; a report is for everyone to read
    return path


def remove_stale_work(folder: Path) -> list[Path]:
    """Remove what killed runs left in `folder`; call only while holding its lock."""
    removed = []
    for path in Path(folder).glob(".*"):
        if path.is_dir() and (WORK_PREFIX in path.name or OLD_PREFIX in path.name):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        elif path.is_file() and _TMP_FILE.fullmatch(path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


_TMP_FILE = re.compile(r"\..+\.\d+\.tmp|\.kerasreports-probe-.+")  # write_file's, claim's


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux >= 3.15); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        code = ctypes.get_errno()
        if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(b))
    return True


def replace_dir(new: Path, final: Path) -> None:
    """Put folder `new` at `final`, replacing what was there, without a moment of absence."""
    if not final.exists():
        new.rename(final)
        return
    if (final / MARKER).is_file() and not (new / MARKER).exists():
        shutil.copyfile(final / MARKER, new / MARKER)
    if (final / LOCK).is_file() and not (new / LOCK).exists():
        (final / LOCK).rename(new / LOCK)  # the same file: whoever holds the lock keeps it
    if _exchange(new, final):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the previous folder
        return
    old = final.with_name(f".{final.name}{OLD_PREFIX}{os.getpid()}")
    final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def write_file(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: readers see the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
